using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Deletes a cluster's Cluster object on its management cluster (Cluster API then deletes its
/// machines, control plane and infrastructure), with -Wait until it is gone, and removes the
/// cluster from the session's fleet.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FleetCluster", DefaultParameterSetName = InputSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetResourceResult))]
public sealed class RemoveFleetClusterCommand : LifecycleCmdlet
{
    /// <summary>Waits until Cluster API has deleted the cluster and its Cluster object is gone.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: how long to wait for each cluster.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 1800;

    /// <summary>How many clusters one call may remove; one unless raised on purpose.</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int MaxClusters { get; set; } = ClusterCircuitBreaker.DefaultMaxClusters;

    /// <summary>Removes without asking for confirmation; the -MaxClusters limit still holds.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        var targets = ResolveTargets();
        const string action = "delete";
        CheckClusterLimit(targets, action, MaxClusters);
        var confirmed = Confirm(targets, action, Force, " and all its machines");
        if (confirmed.Count == 0) return;
        var service = new ClusterLifecycleService(RunspaceSessions.Current);
        var wait = Wait ? new ClusterWaitOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds) } : null;
        RunLifecycle(cancel => service.RemoveAsync(confirmed, wait, FanOutSettings(null), cancel));
    }
}
