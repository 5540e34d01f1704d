using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.FanOut;

/// <summary>One item of a fan-out read: a value from a cluster, or the error that cluster gave.</summary>
public sealed record FleetOutcome<T>(string Cluster, T? Value, FleetException? Error) where T : class
{
    public static FleetOutcome<T> Success(string cluster, T value) => new(cluster, value, null);

    public static FleetOutcome<T> Failure(string cluster, FleetException error) => new(cluster, null, error);
}
