using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>One cluster to create: its checked spec, the management cluster it goes to, and CAPA's credentials secret when asked for.</summary>
public sealed record ClusterCreation(FleetClusterSpec Spec, FleetCluster Management, KubeObject? Credentials);

/// <summary>What applying one cluster's objects gave, and the new fleet member unless it was a dry run or something failed.</summary>
public sealed record ClusterCreationResult(IReadOnlyList<FleetResourceResult> Results, FleetCluster? Created);

/// <summary>
/// What New-FleetCluster does: checks every requested cluster before any is created (each spec
/// against the fleet and the ones before it, the credentials switch against the provider), then
/// renders each for what its management cluster serves and applies it there.
/// </summary>
public sealed class ClusterCreator(IClusterConnector connector)
{
    private readonly ClusterManifestService _manifests = new(connector);
    private readonly ApplyService _apply = new(connector);

    /// <summary>
    /// The requests, checked; FleetInputException on the first bad one. With <paramref name="renderOnly"/>
    /// (-OutputPath) the credentials switch is refused, so no file ever holds them, and no management
    /// cluster is looked up.
    /// </summary>
    public IReadOnlyList<ClusterCreation> Check(IReadOnlyList<(FleetClusterSpec Spec, string? ManagementCluster)> requests,
        IReadOnlyList<FleetCluster> fleet, bool bootstrapCredentials, string? awsProfile, bool renderOnly)
    {
        var seen = new List<FleetCluster>(fleet);
        var checkedRequests = new List<ClusterCreation>();
        foreach (var (spec, managementName) in requests)
        {
            var provider = _manifests.Validate(spec, seen);
            seen.Add(new FleetCluster { Name = spec.Name, Network = new FleetClusterNetwork { PodCidr = spec.PodCidr } });
            if (bootstrapCredentials && renderOnly)
                throw Invalid(spec, "-BootstrapCredentials cannot be used with -OutputPath: the credentials would be written to a file in the clear.");
            if (bootstrapCredentials && !string.Equals(provider.Name, "AWS", StringComparison.OrdinalIgnoreCase))
                throw Invalid(spec, $"-BootstrapCredentials writes the AWS provider's credentials; it does not apply to provider {provider.Name}.");
            if (renderOnly) continue;
            var credentials = bootstrapCredentials ? AwsBootstrapCredentials.CreateSecret(spec.Region!, awsProfile) : null;
            checkedRequests.Add(new ClusterCreation(spec, ManagementClusters.Resolve(fleet, managementName), credentials));
        }
        return checkedRequests;
    }

    /// <summary>Renders for what the management cluster serves and applies (or dry-runs) the objects there.</summary>
    public async Task<ClusterCreationResult> CreateAsync(ClusterCreation creation, IReadOnlyList<FleetCluster> fleet, bool whatIf,
        CancellationToken cancellationToken)
    {
        var manifests = await _manifests.RenderForAsync(creation.Spec, creation.Management, fleet, cancellationToken).ConfigureAwait(false);
        var objects = creation.Credentials is null ? manifests.Objects : [creation.Credentials, .. manifests.Objects];
        var results = new List<FleetResourceResult>();
        await foreach (var result in _apply.ApplyAsync(_apply.Plan([creation.Management], objects), new ApplyOptions { WhatIf = whatIf }, cancellationToken)
                           .ConfigureAwait(false))
            results.Add(result);
        var created = whatIf || results.Any(r => r.Error is not null) ? null : manifests.ToFleetCluster(creation.Management.Name);
        return new ClusterCreationResult(results, created);
    }

    private static FleetInputException Invalid(FleetClusterSpec spec, string message) =>
        new(LifecycleErrorIds.ProviderParameterInvalid, FleetErrorCategory.InvalidArgument, spec.Name, message);
}
