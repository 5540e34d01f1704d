using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>
/// The objects one operation takes to one cluster. An object read from a cluster (piped from
/// Get-FleetResource) goes back to that cluster only; objects that name no cluster (files, YAML,
/// hashtables) go to every selected cluster.
/// </summary>
public sealed record ClusterObjects(FleetCluster Cluster, IReadOnlyList<KubeObject> Objects)
{
    /// <summary>The same objects for every cluster.</summary>
    public static IReadOnlyList<ClusterObjects> Everywhere(IEnumerable<FleetCluster> clusters, IReadOnlyList<KubeObject> objects) =>
        clusters.Select(c => new ClusterObjects(c, objects)).ToList();
}
