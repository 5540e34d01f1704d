namespace MultiCluster;

/// <summary>Whether a wave starts on its own or waits for an administrator's confirmation.</summary>
public enum FleetUpgradeApproval
{
    Auto,
    Manual,
}

/// <summary>How Cluster API replaces the machines of each cluster in a wave (MachineDeployment strategy).</summary>
public enum FleetUpgradeStrategy
{
    /// <summary>New machines replace old ones a few at a time.</summary>
    RollingUpdate,

    /// <summary>Old worker machines are replaced only when someone deletes them.</summary>
    OnDelete,
}

/// <summary>
/// One step of a fleet upgrade plan: the clusters whose names match the wave's patterns, upgraded
/// to <see cref="KubernetesVersion"/> in the window that opens at <see cref="WindowStart"/>, at most
/// <see cref="MaxUnavailable"/> clusters at a time.
/// </summary>
public sealed class FleetUpgradeWave
{
    /// <summary>1 for the first wave.</summary>
    public required int Order { get; init; }

    public required string Name { get; init; }

    public required string KubernetesVersion { get; init; }

    /// <summary>The policy's <c>track</c> (stable or latest) that chose the version; null when -KubernetesVersion did.</summary>
    public string? Track { get; init; }

    /// <summary>Why the wave upgrades to <see cref="KubernetesVersion"/>: -KubernetesVersion, or what its track chose it from.</summary>
    public string? VersionReason { get; init; }

    /// <summary>The cluster name patterns (wildcards) of the policy.</summary>
    public IReadOnlyList<string> Patterns { get; init; } = Array.Empty<string>();

    /// <summary>The clusters of the fleet in this wave, by name (a cluster joins the first wave that matches it).</summary>
    public IReadOnlyList<string> Clusters { get; init; } = Array.Empty<string>();

    /// <summary>The cron expression whose occurrences open the wave's maintenance windows.</summary>
    public string? Schedule { get; init; }

    public string TimeZone { get; init; } = "UTC";

    /// <summary>When the wave's window opens: the schedule's first occurrence after the previous wave's start; null without a schedule (as soon as the previous wave is done).</summary>
    public DateTimeOffset? WindowStart { get; init; }

    /// <summary>How long the window stays open.</summary>
    public TimeSpan Window { get; init; }

    public FleetUpgradeStrategy Strategy { get; init; } = FleetUpgradeStrategy.RollingUpdate;

    /// <summary>Clusters of the wave upgraded at the same time.</summary>
    public int MaxUnavailable { get; init; } = 1;

    public FleetUpgradeApproval Approval { get; init; } = FleetUpgradeApproval.Auto;

    /// <summary>Checks run before each cluster is upgraded (clusterHealth, versionSkew, or names of script checks).</summary>
    public IReadOnlyList<string> PreChecks { get; init; } = Array.Empty<string>();

    /// <summary>Checks run after each cluster is upgraded.</summary>
    public IReadOnlyList<string> PostChecks { get; init; } = Array.Empty<string>();

    public override string ToString() => $"{Order}. {Name} ({Clusters.Count} clusters, {Approval})";
}
