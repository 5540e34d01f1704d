namespace MultiCluster;

/// <summary>One Argo CD Application of the fleet (one cluster, one application), with its sync and health status as Argo CD reports them.</summary>
public sealed record FleetApplication
{
    /// <summary>The cluster the Application deploys to (its destination, by name or server).</summary>
    public required string Cluster { get; init; }

    /// <summary>The Application's name.</summary>
    public required string Name { get; init; }

    /// <summary>The ApplicationSet that generated it, when this module's label says so.</summary>
    public string? ApplicationSet { get; init; }

    /// <summary>The cluster running Argo CD.</summary>
    public required string ManagementCluster { get; init; }

    /// <summary>The destination namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>Argo CD's sync status: Synced, OutOfSync or Unknown (empty before Argo CD first looked).</summary>
    public string SyncStatus { get; init; } = "";

    /// <summary>Argo CD's health: Healthy, Progressing, Degraded, Suspended, Missing or Unknown.</summary>
    public string HealthStatus { get; init; } = "";

    /// <summary>The revision last synced.</summary>
    public string? Revision { get; init; }

    /// <summary>The first condition's message, or the last operation's.</summary>
    public string Message { get; init; } = "";

    public override string ToString() => $"{Cluster}: {Name} {SyncStatus}/{HealthStatus}";
}
