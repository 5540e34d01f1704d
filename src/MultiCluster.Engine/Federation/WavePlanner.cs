using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Federation;

/// <summary>One step of a progressive rollout: the placed clusters it reaches and what goes to them.</summary>
public sealed class WorkloadWave
{
    internal WorkloadWave(int number, ClusterPlacement selection, IReadOnlyList<FleetCluster> clusters,
        IReadOnlyList<(WorkloadReference Workload, ClusterWork Work)> work)
    {
        Number = number;
        Selection = selection;
        Clusters = clusters;
        _work = work;
    }

    private readonly IReadOnlyList<(WorkloadReference Workload, ClusterWork Work)> _work;

    /// <summary>1 for the first wave.</summary>
    public int Number { get; }

    public ClusterPlacement Selection { get; }

    public IReadOnlyList<FleetCluster> Clusters { get; }

    /// <summary>The publish targets of this wave, for ShouldProcess and <see cref="WorkloadService.PublishAsync"/>.</summary>
    public IReadOnlyList<FleetTarget> Targets => _work.Select(w => Target(w.Work)).ToList();

    /// <summary>Each workload and the clusters of this wave it goes to: what the wave waits for.</summary>
    public IReadOnlyList<WorkloadOnClusters> Awaited => _work
        .GroupBy(w => w.Workload)
        .Select(g => new WorkloadOnClusters(g.Key, g.Select(w => w.Work.Cluster).ToList()))
        .ToList();

    /// <summary>
    /// The wave with only the targets <paramref name="confirmed"/> keeps (the user declined the
    /// others at -Confirm), and only the clusters left with a target; null when none is left.
    /// </summary>
    public WorkloadWave? Keep(Func<FleetTarget, bool> confirmed)
    {
        var kept = _work.Where(w => confirmed(Target(w.Work))).ToList();
        if (kept.Count == 0) return null;
        var names = kept.Select(w => w.Work.Cluster.Name).ToHashSet(StringComparer.Ordinal);
        return new WorkloadWave(Number, Selection, Clusters.Where(c => names.Contains(c.Name)).ToList(), kept);
    }

    private static FleetTarget Target(ClusterWork work) => new(work.Cluster, work.Object, "publish", work.Object.Namespace);

    public override string ToString() => $"Wave {Number}: {string.Join(", ", Clusters.Select(c => c.Name))}";
}

/// <summary>
/// Splits planned workloads into ordered waves (Publish-FleetWorkload -Wave): each placed cluster
/// goes to the first wave whose selection (names with wildcards, labels, regions) picks it.
/// <see cref="WaveRollout"/> then publishes a wave, waits for it, bakes, and goes on. Contacts no cluster.
/// </summary>
public static class WavePlanner
{
    /// <summary>
    /// Throws <see cref="FleetInputException"/> (WaveInvalid) when no wave is given, a wave selects
    /// nothing, or a placed cluster is in no wave.
    /// </summary>
    public static IReadOnlyList<WorkloadWave> Split(IReadOnlyList<WorkloadPlan> plans, IReadOnlyList<ClusterPlacement> waves)
    {
        if (waves.Count == 0) throw Invalid("(waves)", "No wave was given.");
        // A name given in two waves is a mistake the first-wave-wins rule would hide.
        var namedIn = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < waves.Count; i++)
        {
            foreach (var name in (waves[i].Names ?? []).Where(n => !WildcardName.ContainsWildcards(n)))
            {
                if (namedIn.TryGetValue(name, out var first) && first != i)
                    throw Invalid($"wave {i + 1}", $"Cluster '{name}' is named in wave {first + 1} and in wave {i + 1}; a cluster belongs to one wave. Nothing was changed.");
                namedIn.TryAdd(name, i);
            }
        }
        var placed = plans.SelectMany(p => p.PlacedClusters).DistinctBy(c => c.Name, StringComparer.Ordinal).ToList();
        var assigned = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<WorkloadWave>();
        for (var i = 0; i < waves.Count; i++)
        {
            var picked = ClusterSelector.Select(placed, waves[i]).Clusters.Where(c => assigned.Add(c.Name)).ToList();
            if (picked.Count == 0)
                throw Invalid($"wave {i + 1}", $"Wave {i + 1} ({Describe(waves[i])}) selects no placed cluster that an earlier wave did not take.");
            var names = picked.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var work = plans.SelectMany(p => p.Work.Where(w => names.Contains(w.Cluster.Name)).Select(w => (WorkloadReference.Of(p), w))).ToList();
            result.Add(new WorkloadWave(i + 1, waves[i], picked, work));
        }
        var left = placed.Where(c => !assigned.Contains(c.Name)).Select(c => c.Name).ToList();
        if (left.Count > 0)
            throw Invalid("(waves)", $"The placed clusters {string.Join(", ", left)} are in no wave; add them to a wave, or end with a wave of '*'.");
        return result;
    }

    private static string Describe(ClusterPlacement selection)
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
