namespace MultiCluster;

/// <summary>Where a wave or a cluster of a rollout stands.</summary>
public enum FleetUpgradeState
{
    Pending,
    Running,
    Succeeded,
    Failed,

    /// <summary>A manual-approval wave whose confirmation was refused; offered again on -Resume.</summary>
    Declined,

    /// <summary>The wave's maintenance window is not open; run again with -Resume when it is.</summary>
    WaitingForWindow,

    /// <summary>The run was cut off (Ctrl+C, a runbook's time limit); -Resume continues it.</summary>
    Interrupted,
}

/// <summary>One cluster of a rollout wave.</summary>
public sealed class FleetUpgradeClusterStatus
{
    public required string Cluster { get; init; }
    public FleetUpgradeState State { get; set; } = FleetUpgradeState.Pending;

    /// <summary>Why it failed (which check, which object), or what it is waiting for.</summary>
    public string? Message { get; set; }

    public DateTimeOffset? Finished { get; set; }

    public override string ToString() => $"{Cluster}: {State}{(Message is null ? "" : $" ({Message})")}";
}

/// <summary>One wave of a rollout and its clusters.</summary>
public sealed class FleetUpgradeWaveStatus
{
    public required int Order { get; init; }
    public required string Name { get; init; }
    public FleetUpgradeApproval Approval { get; init; }
    public FleetUpgradeState State { get; set; } = FleetUpgradeState.Pending;
    public string? Message { get; set; }
    public IReadOnlyList<FleetUpgradeClusterStatus> Clusters { get; init; } = Array.Empty<FleetUpgradeClusterStatus>();

    public override string ToString() => $"{Order}. {Name}: {State}";
}

/// <summary>
/// A fleet upgrade rollout as its checkpoint in the management cluster records it
/// (Start-FleetUpgrade, Get-FleetUpgradeStatus): each wave's and each cluster's state, and why
/// the rollout stopped when it did.
/// </summary>
public sealed class FleetUpgradeStatus
{
    /// <summary>The rollout's id; the checkpoint ConfigMap is fleet-upgrade-&lt;id&gt;.</summary>
    public required string RolloutId { get; init; }

    public required string KubernetesVersion { get; init; }
    public required string ManagementCluster { get; init; }
    public string Namespace { get; init; } = "default";

    /// <summary>Succeeded when every wave succeeded; otherwise the state of the wave it stopped at.</summary>
    public FleetUpgradeState State { get; set; } = FleetUpgradeState.Pending;

    /// <summary>Why the rollout stopped: the wave, the cluster and the check that failed.</summary>
    public string? StoppedReason { get; set; }

    public IReadOnlyList<FleetUpgradeWaveStatus> Waves { get; init; } = Array.Empty<FleetUpgradeWaveStatus>();
    public DateTimeOffset Started { get; init; }
    public DateTimeOffset Updated { get; set; }

    /// <summary>"2/3": waves done (succeeded) of all waves, a display column.</summary>
    public string Progress => $"{Waves.Count(w => w.State == FleetUpgradeState.Succeeded)}/{Waves.Count}";

    public override string ToString() => $"{RolloutId} ({KubernetesVersion}): {State}{(StoppedReason is null ? "" : $", {StoppedReason}")}";
}
