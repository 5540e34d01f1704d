using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// What a set of publish targets held before a wave: per (cluster, object) the live object, or
/// none when it did not exist. <see cref="WorkloadService.RollbackAsync"/> puts it back.
/// </summary>
public sealed class WorkloadSnapshot
{
    internal WorkloadSnapshot(IReadOnlyList<SnapshotEntry> entries, IReadOnlyList<FleetResourceResult> failures)
    {
        Entries = entries;
        Failures = failures;
    }

    internal IReadOnlyList<SnapshotEntry> Entries { get; }

    /// <summary>Targets whose cluster could not be read: rolling them back would be guesswork, so do not publish them.</summary>
    public IReadOnlyList<FleetResourceResult> Failures { get; }

    public bool IsComplete => Failures.Count == 0;
}

/// <summary>One target before the wave: <see cref="Previous"/> is null when the object did not exist.</summary>
internal sealed record SnapshotEntry(FleetCluster Cluster, KubeObject Desired, KubeObject? Previous);
