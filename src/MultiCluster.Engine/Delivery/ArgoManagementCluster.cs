using MultiCluster.Engine.ClusterApi;

namespace MultiCluster.Engine.Delivery;

/// <summary>Finds the cluster running Argo CD: the one named by -ManagementCluster, else the fleet's only cluster with role management.</summary>
public static class ArgoManagementCluster
{
    public static FleetCluster Resolve(IReadOnlyList<FleetCluster> fleet, string? name) =>
        ManagementClusters.Resolve(fleet, name, runs: "Argo CD");
}
