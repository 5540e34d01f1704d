namespace MultiCluster.Engine.Recovery;

/// <summary>What Invoke-FleetFailover asks for.</summary>
public sealed record FailoverRequest
{
    public required FleetCluster From { get; init; }
    public required FleetCluster To { get; init; }

    /// <summary>The namespaces to restore; all the backup holds when empty.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>The backup to restore; the newest Completed one of the primary the standby sees when null.</summary>
    public string? Backup { get; init; }

    public TimeSpan? MaxRpo { get; init; }

    /// <summary>Fails over from a healthy primary (a planned failover).</summary>
    public bool Force { get; init; }

    public string VeleroNamespace { get; init; } = VeleroKinds.DefaultNamespace;
    public Uri? HealthUrl { get; init; }
    public TimeSpan RestoreTimeout { get; init; } = TimeSpan.FromMinutes(60);
    public TimeSpan WorkloadTimeout { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
}
