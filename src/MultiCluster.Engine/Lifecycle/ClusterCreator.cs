using System.Runtime.CompilerServices;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
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

    /// <summary>-OutputPath: each checked spec's objects, written to DIR/NAME.yaml, as manifests; no cluster is contacted.</summary>
    public IReadOnlyList<FleetManifest> Render(IEnumerable<FleetClusterSpec> specs, IReadOnlyList<FleetCluster> fleet, string directory) =>
        specs.SelectMany(spec => ManifestWriter.Render(spec.Name, _manifests.Render(spec, fleet).Objects, directory)).ToList();

    /// <summary>
    /// Creates (or dry-runs) every checked cluster on <see cref="FleetRunner"/>, within -ThrottleLimit
    /// and -TimeoutSeconds; one outcome per cluster, in the order the clusters were given (each as
    /// soon as the ones before it are done), a failure on one never stopping the others.
    /// </summary>
    public async IAsyncEnumerable<FleetOutcome<ClusterCreationResult>> CreateAllAsync(IReadOnlyList<ClusterCreation> creations,
        IReadOnlyList<FleetCluster> fleet, bool whatIf, FanOutOptions fanOut, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The runner works on fleet clusters: each creation goes in as its new cluster, found again by reference.
        var byCluster = new Dictionary<FleetCluster, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < creations.Count; i++) byCluster[new FleetCluster { Name = creations[i].Spec.Name }] = i;
        var finished = new Dictionary<int, FleetOutcome<ClusterCreationResult>>();
        var next = 0;
        var outcomes = FleetRunner.RunAsync<(int Index, FleetOutcome<ClusterCreationResult> Outcome)>(
            byCluster.Keys.ToList(),
            fanOut with { Activity = "Creating Cluster API clusters" },
            async (cluster, sink, cancel) =>
            {
                var index = byCluster[cluster];
                var created = await CreateAsync(creations[index], fleet, whatIf, cancel).ConfigureAwait(false);
                sink.Emit((index, FleetOutcome<ClusterCreationResult>.Success(cluster.Name, created)));
            },
            (cluster, error, _) => [(byCluster[cluster], FleetOutcome<ClusterCreationResult>.Failure(cluster.Name, error))],
            cancellationToken);
        await foreach (var (index, outcome) in outcomes.ConfigureAwait(false))
        {
            finished[index] = outcome;
            while (finished.Remove(next, out var due))
            {
                next++;
                yield return due;
            }
        }
    }

    private static FleetInputException Invalid(FleetClusterSpec spec, string message) =>
        new(LifecycleErrorIds.ProviderParameterInvalid, FleetErrorCategory.InvalidArgument, spec.Name, message);
}
