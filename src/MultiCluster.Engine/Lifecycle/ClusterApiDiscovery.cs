using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// Finds the Cluster API version a management cluster serves (v1beta2 on Cluster API 1.11 and
/// newer, v1beta1 on older ones) and checks that the provider's kinds are installed, through the
/// API server's discovery documents.
/// </summary>
internal static class ClusterApiDiscovery
{
    /// <summary>Newest first: the version written when the cluster serves several.</summary>
    private static readonly FleetClusterApiVersion[] CoreVersions = [FleetClusterApiVersion.V1Beta2, FleetClusterApiVersion.V1Beta1];

    /// <summary>The newest core version the cluster serves; ClusterApiNotInstalled when it serves none.</summary>
    public static async Task<FleetClusterApiVersion> ServedCoreVersionAsync(ResourceDiscovery discovery, CancellationToken cancellationToken)
    {
        foreach (var version in CoreVersions)
        {
            var kinds = await discovery.GetKindsAsync($"{ClusterApiVersions.CoreGroup}/{ClusterApiVersions.VersionName(version)}", cancellationToken)
                .ConfigureAwait(false);
            if (kinds.ContainsKey("Cluster")) return version;
        }
        throw new FleetClusterException(LifecycleErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, discovery.Cluster,
            $"Management cluster '{discovery.Cluster}' does not serve Cluster API (no Cluster kind in group {ClusterApiVersions.CoreGroup} v1beta1 or v1beta2).",
            recommendedAction: "Check that this is the management cluster, or install Cluster API with 'clusterctl init'.");
    }

    public static async Task<ClusterApiVersions> DiscoverAsync(ResourceDiscovery discovery, IClusterProvider provider,
        FleetClusterApiVersion? requested, bool topology, CancellationToken cancellationToken)
    {
        var cluster = discovery.Cluster;
        var served = new List<FleetClusterApiVersion>();
        foreach (var version in CoreVersions)
        {
            var kinds = await discovery.GetKindsAsync($"{ClusterApiVersions.CoreGroup}/{ClusterApiVersions.VersionName(version)}", cancellationToken)
                .ConfigureAwait(false);
            if (kinds.ContainsKey("Cluster")) served.Add(version);
        }
        if (served.Count == 0)
        {
            throw new FleetClusterException(LifecycleErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, cluster,
                $"Management cluster '{cluster}' does not serve Cluster API (no Cluster kind in group {ClusterApiVersions.CoreGroup} v1beta1 or v1beta2).",
                recommendedAction: $"Install Cluster API and the {provider.Name} provider on it: clusterctl init --infrastructure {provider.ClusterctlName}");
        }
        var core = requested ?? served[0];
        if (!served.Contains(core))
        {
            throw new FleetClusterException(LifecycleErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, cluster,
                $"Management cluster '{cluster}' serves Cluster API {string.Join(", ", served.Select(ClusterApiVersions.VersionName))}, not the requested {ClusterApiVersions.VersionName(core)}.",
                recommendedAction: "Leave out -ApiVersion to write for the version the cluster serves, or upgrade Cluster API with 'clusterctl upgrade apply'.");
        }

        if (topology) return ClusterApiVersions.ForRendering(provider, core);

        var needed = new (string Group, string Kind)[]
        {
            (ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane"),
            (ClusterApiVersions.BootstrapGroup, "KubeadmConfigTemplate"),
            (ClusterApiVersions.CoreGroup, "MachineDeployment"),
        };
        foreach (var (group, kind) in needed)
        {
            var kinds = await discovery.GetKindsAsync($"{group}/{ClusterApiVersions.VersionName(core)}", cancellationToken).ConfigureAwait(false);
            if (!kinds.ContainsKey(kind))
            {
                throw new FleetClusterException(LifecycleErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, cluster,
                    $"Management cluster '{cluster}' does not serve {kind} in {group}/{ClusterApiVersions.VersionName(core)}; the kubeadm bootstrap and control plane providers are missing.",
                    recommendedAction: $"Install them with the {provider.Name} provider: clusterctl init --infrastructure {provider.ClusterctlName}");
            }
        }

        // A provider released for both core versions (CAPD) is written in the version named like the core one.
        var candidates = provider.InfrastructureVersions
            .OrderByDescending(v => v == ClusterApiVersions.VersionName(core))
            .ToList();
        foreach (var infrastructure in candidates)
        {
            var kinds = await discovery.GetKindsAsync($"{ClusterApiVersions.InfrastructureGroup}/{infrastructure}", cancellationToken).ConfigureAwait(false);
            if (kinds.ContainsKey(provider.ClusterKind) && kinds.ContainsKey(provider.MachineTemplateKind))
                return new ClusterApiVersions(core, infrastructure);
        }
        throw new FleetClusterException(LifecycleErrorIds.ClusterApiProviderNotInstalled, FleetErrorCategory.NotInstalled, cluster,
            $"Management cluster '{cluster}' serves Cluster API but not the {provider.Name} provider ({provider.ClusterKind} in {ClusterApiVersions.InfrastructureGroup} {string.Join(" or ", provider.InfrastructureVersions)}).",
            recommendedAction: $"Install it: clusterctl init --infrastructure {provider.ClusterctlName}");
    }
}
