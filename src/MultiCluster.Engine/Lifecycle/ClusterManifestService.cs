using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>The validated request and the objects that create the cluster, in apply order.</summary>
public sealed record ClusterManifests(FleetClusterSpec Spec, IClusterProvider Provider, ClusterApiVersions Versions, IReadOnlyList<KubeObject> Objects)
{
    /// <summary>The objects as FleetManifest output (what -OutputPath writes), for <paramref name="cluster"/>.</summary>
    public IReadOnlyList<FleetManifest> ToManifests(string cluster) => Objects
        .Select(o => new FleetManifest { Cluster = cluster, Kind = o.Kind, Name = o.Name, Namespace = o.Namespace, Yaml = o.ToYaml() })
        .ToList();

    /// <summary>
    /// The new cluster as a fleet member in phase Pending, run by <paramref name="managementCluster"/>.
    /// Its context is the one in the kubeconfig secret Cluster API writes (<c>NAME-admin@NAME</c>),
    /// so it resolves once that kubeconfig is merged.
    /// </summary>
    public FleetCluster ToFleetCluster(string? managementCluster = null) => new()
    {
        Phase = "Pending",
        ManagementCluster = managementCluster,
        ClusterApiNamespace = Spec.Namespace,
        Name = Spec.Name,
        Context = ClusterKubeconfigReader.ContextName(Spec.Name),
        Region = Spec.Region,
        Role = FleetClusterRole.Workload,
        Provider = Provider.Name,
        Labels = new Dictionary<string, string>(Spec.Labels, StringComparer.Ordinal),
        Network = new FleetClusterNetwork { PodCidr = Spec.PodCidr, ServiceCidr = Spec.ServiceCidr },
        KubernetesVersion = Spec.KubernetesVersion,
    };
}

/// <summary>
/// What New-FleetCluster calls: validate the request (no cluster contacted), then render the
/// manifests for the Cluster API version a management cluster serves, or for the requested (else
/// newest) version when only rendering. Applying the objects is <see cref="FanOut.ApplyService"/>'s job.
/// </summary>
public sealed class ClusterManifestService
{
    private readonly IClusterConnector? _connector;
    private readonly ClusterProviderCatalog _providers;

    public ClusterManifestService(IClusterConnector? connector = null, ClusterProviderCatalog? providers = null)
    {
        _connector = connector;
        _providers = providers ?? ClusterProviderCatalog.Default;
    }

    /// <summary>Validates <paramref name="spec"/> (see <see cref="ClusterSpecValidator"/>); throws FleetInputException.</summary>
    public IClusterProvider Validate(FleetClusterSpec spec, IEnumerable<FleetCluster>? fleet = null) =>
        ClusterSpecValidator.Validate(spec, fleet, _providers);

    /// <summary>Validates and renders without contacting any cluster (-OutputPath).</summary>
    public ClusterManifests Render(FleetClusterSpec spec, IEnumerable<FleetCluster>? fleet = null)
    {
        var provider = Validate(spec, fleet);
        var versions = ProviderVersions.ForRendering(provider, spec.ApiVersion);
        return new ClusterManifests(spec, provider, versions, ClusterManifestRenderer.Render(spec, provider, versions));
    }

    /// <summary>
    /// Validates, then asks <paramref name="management"/>'s discovery which Cluster API and provider
    /// versions it serves and renders for those. Throws FleetInputException for bad input (before
    /// any request), FleetClusterException ClusterApiNotInstalled / ClusterApiProviderNotInstalled
    /// (with the clusterctl command) or ClusterUnreachable and the other connection errors.
    /// </summary>
    public async Task<ClusterManifests> RenderForAsync(FleetClusterSpec spec, FleetCluster management,
        IEnumerable<FleetCluster>? fleet = null, CancellationToken cancellationToken = default)
    {
        var provider = Validate(spec, fleet);
        var connector = _connector ?? throw new InvalidOperationException("This service was built without a connector; use Render.");
        var resources = ClusterResources.For(connector.Connect(management), null);
        ClusterApiVersions versions;
        try
        {
            versions = await ProviderVersions.DiscoverAsync(resources.Discovery, provider, spec.ApiVersion,
                topology: spec.ClusterClass is { Length: > 0 }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not Errors.FleetException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw KubernetesErrors.Translate(ex, management.Name, null, cancellationToken);
        }
        return new ClusterManifests(spec, provider, versions, ClusterManifestRenderer.Render(spec, provider, versions));
    }
}
