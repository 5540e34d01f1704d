namespace MultiCluster;

/// <summary>How a cluster answered a health check.</summary>
public enum FleetHealthStatus
{
    /// <summary>Reachable and <c>/readyz</c> answered ok.</summary>
    Healthy,

    /// <summary>Reachable, but <c>/readyz</c> or a follow-up call failed.</summary>
    Degraded,

    /// <summary>No answer: connection refused, TLS, authentication, timeout.</summary>
    Unreachable,
}

/// <summary>The result of one cluster's health check (<c>Test-FleetCluster</c>).</summary>
public sealed class FleetClusterHealth
{
    public required string Cluster { get; init; }
    public FleetHealthStatus Status { get; init; }
    public bool Reachable { get; init; }

    /// <summary>True when <c>/readyz</c> answered 200; null when it could not be asked.</summary>
    public bool? Ready { get; init; }

    /// <summary>The body (or status) <c>/readyz</c> answered, trimmed to one line.</summary>
    public string? ReadyzResult { get; init; }

    /// <summary>The server's GitVersion, for example <c>v1.32.1</c>.</summary>
    public string? ServerVersion { get; init; }

    public int? NodeCount { get; init; }

    /// <summary>Round-trip time of the <c>/readyz</c> call in milliseconds.</summary>
    public double? RoundTripMs { get; init; }

    /// <summary>Error id of the failure when not Healthy (for example ClusterUnreachable).</summary>
    public string? ErrorId { get; init; }

    /// <summary>Why the cluster is not Healthy; null when it is.</summary>
    public string? Reason { get; init; }

    public string? Region { get; init; }
    public DateTimeOffset CheckedAt { get; init; }

    public string ClusterName => Cluster;

    public override string ToString() => $"{Cluster}: {Status}";
}
