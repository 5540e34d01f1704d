using System.Management.Automation;
using MultiCluster.Engine.Delivery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Delivery;

/// <summary>
/// Lists the Argo CD Applications on the management cluster, one object per cluster and
/// application, with the sync and health status Argo CD reports; -ApplicationSet keeps those one
/// ApplicationSet generated, -Cluster or -Selector those deploying to the clusters named.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetApplication")]
[OutputType(typeof(FleetApplication))]
public sealed class GetFleetApplicationCommand : FanOutCmdlet
{
    /// <summary>Only the Applications this ApplicationSet generated.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ApplicationSet { get; set; }

    /// <summary>The cluster running Argo CD; by default the fleet's cluster with role management.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ManagementCluster { get; set; }

    /// <summary>Argo CD's namespace on the management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ArgoNamespace { get; set; } = "argocd";

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
        HashSet<string>? only = null;
        if (ClusterNames.Count > 0 || Selector is not null)
        {
            only = SelectClusters().Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (only.Count == 0) return;
        }
        var service = new ApplicationSetService(session.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            foreach (var application in await service.GetApplicationsAsync(management, ArgoNamespace, ApplicationSet, options, cancel).ConfigureAwait(false))
            {
                if (only is null || only.Contains(application.Cluster)) Emit(application);
            }
        });
    }
}
