using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Federation;

/// <summary>One step of a progressive rollout: the placed clusters it reaches and what goes to them.</summary>
public sealed class WorkloadWave
{
    internal WorkloadWave(int number, ClusterSelection selection, IReadOnlyList<FleetCluster> clusters, IReadOnlyList<ClusterWork> work)
    {
        Number = number;
        Selection = selection;
        Clusters = clusters;
        Work = work;
    }

    /// <summary>1 for the first wave.</summary>
    public int Number { get; }

    public ClusterSelection Selection { get; }

    public IReadOnlyList<FleetCluster> Clusters { get; }

    /// <summary>Every workload's rendered object for this wave's clusters.</summary>
    public IReadOnlyList<ClusterWork> Work { get; }

    /// <summary>The publish targets of this wave, for ShouldProcess and <see cref="WorkloadService.PublishAsync"/>.</summary>
    public IReadOnlyList<FleetTarget> Targets => Work.Select(w => new FleetTarget(w.Cluster, w.Object, "publish", w.Object.Namespace)).ToList();

    public override string ToString() => $"Wave {Number}: {string.Join(", ", Clusters.Select(c => c.Name))}";
}

/// <summary>
/// Splits planned workloads into ordered waves (Publish-FleetWorkload -Wave): each placed cluster
/// goes to the first wave whose selection (names with wildcards, labels, regions) picks it. The
/// cmdlet publishes a wave, waits for it (<see cref="WorkloadService.WaitUntilReadyAsync"/> with the
/// wave's clusters), bakes, then goes on. Contacts no cluster.
/// </summary>
public static class WavePlanner
{
    /// <summary>
    /// Throws <see cref="FleetInputException"/> (WaveInvalid) when no wave is given, a wave selects
    /// nothing, or a placed cluster is in no wave.
    /// </summary>
    public static IReadOnlyList<WorkloadWave> Split(IReadOnlyList<WorkloadPlan> plans, IReadOnlyList<ClusterSelection> waves)
    {
        if (waves.Count == 0) throw Invalid("(waves)", "No wave was given.");
        var placed = plans.SelectMany(p => p.PlacedClusters).DistinctBy(c => c.Name, StringComparer.Ordinal).ToList();
        var assigned = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<WorkloadWave>();
        for (var i = 0; i < waves.Count; i++)
        {
            var picked = ClusterSelector.Select(placed, waves[i]).Clusters.Where(c => assigned.Add(c.Name)).ToList();
            if (picked.Count == 0)
                throw Invalid($"wave {i + 1}", $"Wave {i + 1} ({Describe(waves[i])}) selects no placed cluster that an earlier wave did not take.");
            var names = picked.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            result.Add(new WorkloadWave(i + 1, waves[i], picked, plans.SelectMany(p => p.Work).Where(w => names.Contains(w.Cluster.Name)).ToList()));
        }
        var left = placed.Where(c => !assigned.Contains(c.Name)).Select(c => c.Name).ToList();
        if (left.Count > 0)
            throw Invalid("(waves)", $"The placed clusters {string.Join(", ", left)} are in no wave; add them to a wave, or end with a wave of '*'.");
        return result;
    }

    private static string Describe(ClusterSelection selection)
    {
        var parts = new List<string>();
        if (selection.Names is { Count: > 0 }) parts.Add("names " + string.Join(", ", selection.Names));
        if (!string.IsNullOrWhiteSpace(selection.LabelSelector)) parts.Add($"labels '{selection.LabelSelector}'");
        if (selection.Regions is { Count: > 0 }) parts.Add("regions " + string.Join(", ", selection.Regions));
        if (selection.Roles is { Count: > 0 }) parts.Add("roles " + string.Join(", ", selection.Roles));
        return parts.Count == 0 ? "everything" : string.Join(" and ", parts);
    }

    private static FleetInputException Invalid(string target, string message) =>
        new(FederationErrorIds.WaveInvalid, FleetErrorCategory.InvalidArgument, target, message,
            recommendedAction: "Give -Wave as ordered groups of cluster names (wildcards), labels or regions that together cover the placement.");
}
