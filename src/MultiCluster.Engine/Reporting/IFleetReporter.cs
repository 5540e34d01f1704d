namespace MultiCluster.Engine.Reporting;

/// <summary>
/// How the engine tells its host what it is doing. The cmdlet base implements it and forwards to
/// the pipeline thread; engine code may call it from any thread.
/// </summary>
public interface IFleetReporter
{
    /// <summary>One line per API call or step (-Verbose). Never include secrets.</summary>
    void Verbose(string message);

    /// <summary>Internal detail (-Debug). Never include secrets.</summary>
    void Debug(string message);

    /// <summary>Something the user should know that is not an error (-WarningAction).</summary>
    void Warning(string message);

    /// <summary>Progress of one cluster (or the fleet when <paramref name="cluster"/> is null).</summary>
    void Progress(string? cluster, string activity, string status, int percentComplete, bool completed = false);
}

/// <summary>A reporter that drops everything: for engine callers that do not care.</summary>
public sealed class NullFleetReporter : IFleetReporter
{
    public static readonly NullFleetReporter Instance = new();
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public void Progress(string? cluster, string activity, string status, int percentComplete, bool completed = false) { }
}
