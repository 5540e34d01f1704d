namespace MultiCluster.Engine.Reporting;

/// <summary>
/// The reporter of the operation running on this async flow. Connections are cached for the
/// session, while each cmdlet call has its own reporter; HTTP handlers read it from here.
/// </summary>
public static class FleetCallContext
{
    private static readonly AsyncLocal<IFleetReporter?> CurrentReporter = new();

    public static IFleetReporter Reporter => CurrentReporter.Value ?? NullFleetReporter.Instance;

    /// <summary>Makes <paramref name="reporter"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(IFleetReporter reporter)
    {
        var previous = CurrentReporter.Value;
        CurrentReporter.Value = reporter;
        return new Scope(() => CurrentReporter.Value = previous);
    }

    private sealed class Scope(Action restore) : IDisposable
    {
        private Action? _restore = restore;
        public void Dispose() => Interlocked.Exchange(ref _restore, null)?.Invoke();
    }
}
