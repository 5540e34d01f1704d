using MultiCluster.Engine.ClusterApi;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>A workload cluster as a lifecycle cmdlet was given it: by name, or piped with what it knows of its management cluster and namespace.</summary>
public sealed record LifecycleRequest(string Name, string? ManagementCluster, string? Namespace, FleetCluster? Known);

/// <summary>One workload cluster a lifecycle command acts on, and where its Cluster object lives.</summary>
public sealed record LifecycleTarget(string Name, FleetCluster Management, string Namespace, FleetCluster? Known)
{
    private const string DefaultNamespace = "default";

    /// <summary>What ShouldProcess names: <c>Cluster fleet-dev/dev-01 on management cluster 'mgmt'</c>.</summary>
    public string Description => $"Cluster {Namespace}/{Name} on management cluster '{Management.Name}'";

    /// <summary>
    /// The requests with their management cluster resolved, once each. A cluster named, not piped,
    /// keeps the management cluster and namespace the fleet knows it by. Throws FleetInputException
    /// for a management cluster that is not in the fleet (or none to default to) or an invalid
    /// namespace, before any cluster is contacted.
    /// </summary>
    public static IReadOnlyList<LifecycleTarget> Resolve(IReadOnlyList<FleetCluster> fleet, IEnumerable<LifecycleRequest> requests)
    {
        var targets = new List<LifecycleTarget>();
        foreach (var request in requests.DistinctBy(r => (r.Name.ToLowerInvariant(), r.ManagementCluster?.ToLowerInvariant(), r.Namespace)))
        {
            // A name the fleet knows as an alias (the name KubeFed joined it under) means that cluster, as in every other selection.
            var known = request.Known ?? fleet.FirstOrDefault(c => string.Equals(c.Name, request.Name, StringComparison.OrdinalIgnoreCase))
                ?? fleet.FirstOrDefault(c => c.Aliases.Contains(request.Name, StringComparer.OrdinalIgnoreCase));
            var name = request.Known is null && known is not null ? known.Name : request.Name;
            var ns = request.Namespace ?? known?.ClusterApiNamespace ?? DefaultNamespace;
            ClusterSpecValidator.ValidateNamespace(name, ns);
            targets.Add(new LifecycleTarget(name, ManagementClusters.Resolve(fleet, request.ManagementCluster ?? known?.ManagementCluster), ns, known));
        }
        // A cluster asked for by its name and by an alias is one target.
        return targets.DistinctBy(t => (t.Name.ToLowerInvariant(), t.Management.Name, t.Namespace)).ToList();
    }
}
