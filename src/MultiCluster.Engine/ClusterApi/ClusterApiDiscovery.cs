using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.ClusterApi;

/// <summary>
/// Finds the Cluster API version a management cluster serves (v1beta2 on Cluster API 1.11 and
/// newer, v1beta1 on older ones) through the API server's discovery documents.
/// </summary>
internal static class ClusterApiDiscovery
{
    /// <summary>Newest first: the version written when the cluster serves several.</summary>
    private static readonly FleetClusterApiVersion[] CoreVersions = [FleetClusterApiVersion.V1Beta2, FleetClusterApiVersion.V1Beta1];

    /// <summary>The newest core version the cluster serves; ClusterApiNotInstalled when it serves none.</summary>
    public static async Task<FleetClusterApiVersion> ServedCoreVersionAsync(ResourceDiscovery discovery, CancellationToken cancellationToken)
    {
        var served = await ServedCoreVersionsAsync(discovery, cancellationToken).ConfigureAwait(false);
        if (served.Count > 0) return served[0];
        throw NotInstalled(discovery.Cluster, "Check that this is the management cluster, or install Cluster API with 'clusterctl init'.");
    }

    /// <summary>The core versions the cluster serves a Cluster kind in, newest first; empty when none.</summary>
    public static async Task<IReadOnlyList<FleetClusterApiVersion>> ServedCoreVersionsAsync(ResourceDiscovery discovery, CancellationToken cancellationToken)
    {
        var served = new List<FleetClusterApiVersion>();
        foreach (var version in CoreVersions)
        {
            var kinds = await discovery.GetKindsAsync($"{ClusterApiVersions.CoreGroup}/{ClusterApiVersions.VersionName(version)}", cancellationToken)
                .ConfigureAwait(false);
            if (kinds.ContainsKey("Cluster")) served.Add(version);
        }
        return served;
    }

    /// <summary>ClusterApiNotInstalled for a management cluster that serves no Cluster kind, with what to do about it.</summary>
    public static FleetClusterException NotInstalled(string cluster, string recommendedAction) =>
        new(ClusterApiErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, cluster,
            $"Management cluster '{cluster}' does not serve Cluster API (no Cluster kind in group {ClusterApiVersions.CoreGroup} v1beta1 or v1beta2).",
            recommendedAction: recommendedAction);
}
