using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Sets the worker count of a cluster's MachineDeployment (or of its topology's machine
/// deployment); Cluster API adds or removes machines. Emits the cluster; pipe it to
/// Wait-FleetCluster to wait until the machines are there.
/// </summary>
[Cmdlet(VerbsCommon.Resize, "FleetCluster", DefaultParameterSetName = InputSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetCluster))]
public sealed class ResizeFleetClusterCommand : LifecycleCmdlet
{
    /// <summary>The number of worker machines wanted.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(0, 10000)]
    public int WorkerReplicas { get; set; }

    /// <summary>The MachineDeployment (or topology machine deployment) to scale; needed when the cluster has several.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MachineDeployment { get; set; }

    /// <summary>How long each cluster may take; 0 means no limit.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int TimeoutSeconds { get; set; }

    /// <summary>How many clusters one call may resize; one unless raised on purpose.</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int MaxClusters { get; set; } = ClusterCircuitBreaker.DefaultMaxClusters;

    /// <summary>Resizes without asking for confirmation; the -MaxClusters limit still holds.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        var targets = ResolveTargets();
        var action = $"scale workers to {WorkerReplicas}";
        CheckClusterLimit(targets, action, MaxClusters);
        var confirmed = Confirm(targets, action, Force);
        if (confirmed.Count == 0) return;
        var service = new ClusterLifecycleService(RunspaceSessions.Current);
        RunLifecycle(cancel => service.ResizeAsync(confirmed, WorkerReplicas, MachineDeployment, FanOutSettings(TimeoutSeconds), cancel));
    }
}
