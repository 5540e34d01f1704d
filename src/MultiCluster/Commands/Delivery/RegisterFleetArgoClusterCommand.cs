using System.Management.Automation;
using MultiCluster.Engine.Delivery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Delivery;

/// <summary>
/// Registers the selected clusters in Argo CD on the management cluster as argocd cluster add
/// does: the argocd-manager account, role and long-lived token in each cluster, and the cluster
/// Secret (carrying the fleet's region, role and labels) in Argo CD's namespace. A second run
/// reports Unchanged; -Rotate issues new tokens. The management cluster itself is Argo CD's
/// in-cluster and is never registered.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "FleetArgoCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetArgoCluster))]
public sealed class RegisterFleetArgoClusterCommand : FanOutCmdlet
{
    /// <summary>The cluster running Argo CD; by default the fleet's cluster with role management.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ManagementCluster { get; set; }

    /// <summary>Argo CD's namespace on the management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ArgoNamespace { get; set; } = "argocd";

    /// <summary>A namespaced registration: Argo CD may act only in these namespaces of each cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Namespace { get; set; }

    /// <summary>New argocd-manager tokens; the old ones stop working.</summary>
    [Parameter]
    public SwitchParameter Rotate { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
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
        var namespaces = (Namespace ?? []).Distinct(StringComparer.Ordinal).ToList();
        // A registration replaces the rights of an earlier one; the prompt says what goes.
        var rights = namespaces.Count == 0 ? "cluster-wide rights (replacing namespaced argocd-manager Roles)"
            : $"rights in {string.Join(", ", namespaces)} only (removing any cluster-wide argocd-manager role and other namespaces' Roles)";
        var confirmed = whatIf ? clusters : clusters.Where(c => ShouldProcess(
            $"Cluster {c.Name}: register in Argo CD on {management.Name} ({ArgoNamespace}) with {rights}{(Rotate ? ", new token" : "")}",
            "Register-FleetArgoCluster")).ToList();
        if (confirmed.Count == 0) return;
        var options = new ArgoRegistrationOptions
        {
            ManagementCluster = management, ArgoNamespace = ArgoNamespace, Namespaces = namespaces, Rotate = Rotate, WhatIf = whatIf, FanOut = FanOutSettings(),
        };
        var service = new ArgoClusterService(session.Connector);
        RunEngine(async cancel =>
        {
            await foreach (var result in service.RegisterAsync(confirmed, options, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
