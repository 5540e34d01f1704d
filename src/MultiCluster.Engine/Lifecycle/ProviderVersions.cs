using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// The Cluster API and infrastructure versions a provider's manifests are written for: chosen
/// offline for rendering, or from what a management cluster serves, checking that the provider's
/// kinds are installed there.
/// </summary>
internal static class ProviderVersions
{
    /// <summary>
    /// What to write when no management cluster is asked: the requested core version (the newest
    /// when none), and the provider's infrastructure version of the same name when it has one
    /// (CAPD pairs v1beta1 with v1beta1), else its newest (CAPA v1beta2 serves both cores).
    /// </summary>
    public static ClusterApiVersions ForRendering(IClusterProvider provider, FleetClusterApiVersion? requested)
    {
        var core = requested ?? FleetClusterApiVersion.V1Beta2;
        var name = ClusterApiVersions.VersionName(core);
        var infrastructure = provider.InfrastructureVersions.Contains(name) ? name : provider.InfrastructureVersions[0];
        return new ClusterApiVersions(core, infrastructure);
    }

    /// <summary>
    /// The versions to write for <paramref name="provider"/> on the management cluster behind
    /// <paramref name="discovery"/>: the requested (else newest served) core version, and the
    /// provider's infrastructure version the cluster serves. ClusterApiNotInstalled or
    /// ClusterApiProviderNotInstalled when the kinds the manifests need are not served.
    /// </summary>
    public static async Task<ClusterApiVersions> DiscoverAsync(ResourceDiscovery discovery, IClusterProvider provider,
        FleetClusterApiVersion? requested, bool topology, CancellationToken cancellationToken)
    {
        var cluster = discovery.Cluster;
        var served = await ClusterApiDiscovery.ServedCoreVersionsAsync(discovery, cancellationToken).ConfigureAwait(false);
        if (served.Count == 0)
        {
            throw ClusterApiDiscovery.NotInstalled(cluster,
                $"Install Cluster API and the {provider.Name} provider on it: clusterctl init --infrastructure {provider.ClusterctlName}");
        }
        var core = requested ?? served[0];
        if (!served.Contains(core))
        {
            throw new FleetClusterException(ClusterApiErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, cluster,
                $"Management cluster '{cluster}' serves Cluster API {string.Join(", ", served.Select(ClusterApiVersions.VersionName))}, not the requested {ClusterApiVersions.VersionName(core)}.",
                recommendedAction: "Leave out -ApiVersion to write for the version the cluster serves, or upgrade Cluster API with 'clusterctl upgrade apply'.");
        }

        if (topology) return ForRendering(provider, core);

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
                throw new FleetClusterException(ClusterApiErrorIds.ClusterApiNotInstalled, FleetErrorCategory.NotInstalled, cluster,
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
