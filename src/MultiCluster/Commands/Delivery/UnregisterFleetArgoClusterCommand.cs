using System.Management.Automation;
using MultiCluster.Engine.Delivery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Delivery;

/// <summary>
/// Removes the selected clusters from Argo CD: the cluster Secret on the management cluster and
/// the argocd-manager token, roles and account in each cluster. Refused, before anything changes,
/// while Applications still deploy to one of them, unless -Force.
/// </summary>
[Cmdlet(VerbsLifecycle.Unregister, "FleetArgoCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetArgoCluster))]
public sealed class UnregisterFleetArgoClusterCommand : FanOutCmdlet
{
    /// <summary>The cluster running Argo CD; by default the fleet's cluster with role management.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ManagementCluster { get; set; }

    /// <summary>Argo CD's namespace on the management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ArgoNamespace { get; set; } = "argocd";

    /// <summary>Unregister even while Applications still deploy to the cluster, and without confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        if (ClusterNames.Count == 0 && Selector is null)
        {
            Terminate(new ArgumentException("Name the clusters to unregister with -Cluster, -Selector or piped clusters.", nameof(Cluster)));
            return;
        }
        var session = RunspaceSessions.Current;
        FleetCluster management;
        try
        {
            management = ArgoManagementCluster.Resolve(session.GetFleet().Clusters, ManagementCluster);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        var clusters = SelectClusters().Where(c => c.Name != management.Name).ToList();
        if (clusters.Count == 0) return;
        var whatIf = IsWhatIf;
        var confirmed = whatIf || Force ? clusters : clusters.Where(c => ShouldProcess(
            $"Cluster {c.Name}: remove from Argo CD on {management.Name} ({ArgoNamespace}) and delete its argocd-manager account and token",
            "Unregister-FleetArgoCluster")).ToList();
        if (confirmed.Count == 0) return;
        var options = new ArgoRegistrationOptions
        {
            ManagementCluster = management, ArgoNamespace = ArgoNamespace, Force = Force, WhatIf = whatIf, FanOut = FanOutSettings(),
        };
        var service = new ArgoClusterService(session.Connector);
        RunEngine(async cancel =>
        {
            await foreach (var result in service.UnregisterAsync(confirmed, options, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
