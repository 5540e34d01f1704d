using System.Collections;
using System.Runtime.CompilerServices;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;

namespace MultiCluster.Engine.Access;

/// <summary>What Set-FleetOidc would change: each cluster's control plane change and its group bindings, with the clusters that could not be read.</summary>
public sealed class OidcSetupPlan
{
    public required FleetCluster Management { get; init; }
    public required IReadOnlyList<OidcControlPlaneChange> Changes { get; init; }
    public required IReadOnlyList<FleetTarget> Bindings { get; init; }

    /// <summary>One error per cluster whose control plane could not be read or changed as asked; the others go on.</summary>
    public required IReadOnlyList<FleetException> Errors { get; init; }
}

/// <summary>
/// Set-FleetOidc in the engine: the API servers of Cluster API clusters pointed at an OIDC issuer
/// through their KubeadmControlPlanes on the management cluster, and OIDC groups bound to roles on
/// each cluster. Planned first (nothing written), so the cmdlet confirms each change, then applied.
/// </summary>
public sealed class OidcSetup(IClusterConnector connector)
{
    private readonly OidcControlPlaneService _controlPlanes = new(connector);
    private readonly RbacService _rbac = new(connector);

    /// <summary>
    /// Reads each cluster's control plane (on <paramref name="managementCluster"/>, else the fleet's
    /// management cluster, which is never changed itself) and works out its change and its group
    /// bindings. Bad bindings or management cluster are FleetInputException before any cluster is
    /// contacted; a management cluster without Cluster API fails the whole plan.
    /// </summary>
    public async Task<OidcSetupPlan> PlanAsync(OidcSettings settings, IDictionary? groupBindings, IReadOnlyList<FleetCluster> fleet,
        IReadOnlyList<FleetCluster> selected, string? managementCluster, FleetOidcMethod? method, string? ns, FanOutOptions options,
        CancellationToken cancellationToken = default)
    {
        var bindings = OidcGroupBindings.Create(groupBindings);
        var management = ManagementClusters.Resolve(fleet, managementCluster);
        var clusters = selected.Where(c => !string.Equals(c.Name, management.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        var changes = new List<OidcControlPlaneChange>();
        var errors = new List<FleetException>();
        var bindingTargets = clusters.Count == 0 || bindings.Count == 0 ? [] : _rbac.Plan(clusters, bindings);
        if (clusters.Count > 0)
        {
            await foreach (var outcome in _controlPlanes.PlanAsync(management, clusters, settings, method, ns, options, cancellationToken).ConfigureAwait(false))
            {
                if (outcome.Value is { } change) changes.Add(change);
                if (outcome.Error is { } error) errors.Add(error);
            }
        }
        return new OidcSetupPlan { Management = management, Changes = changes, Bindings = bindingTargets, Errors = errors };
    }

    /// <summary>Patches (or with <paramref name="whatIf"/> dry-runs) the confirmed control planes, then applies the confirmed bindings; one result each, as each finishes.</summary>
    public async IAsyncEnumerable<FleetResourceResult> ApplyAsync(FleetCluster management, IReadOnlyList<OidcControlPlaneChange> changes,
        IReadOnlyList<FleetTarget> bindings, bool whatIf, FanOutOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (changes.Count > 0)
        {
            await foreach (var result in _controlPlanes.ApplyAsync(management, changes, whatIf, options, cancellationToken).ConfigureAwait(false))
                yield return result;
        }
        if (bindings.Count == 0) yield break;
        await foreach (var result in _rbac.ApplyAsync(bindings, new ApplyOptions { WhatIf = whatIf, FanOut = options }, cancellationToken).ConfigureAwait(false))
            yield return result;
    }
}
