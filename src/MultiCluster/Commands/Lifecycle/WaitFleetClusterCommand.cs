using System.Management.Automation;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Waits, with progress, until each cluster is Provisioned with its control plane ready and the
/// wanted number of machines, as Cluster API's status reports them; emits the cluster in its new
/// phase. A cluster that fails or is not ready in time is an error naming its phase and failing
/// condition, and the others go on.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "FleetCluster", DefaultParameterSetName = InputSet)]
[OutputType(typeof(FleetCluster))]
public sealed class WaitFleetClusterCommand : LifecycleCmdlet
{
    /// <summary>How long to wait for each cluster.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 1800;

    /// <summary>How often to read each cluster's status.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int PollIntervalSeconds { get; set; } = 5;

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        var targets = ResolveTargets();
        if (targets.Count == 0) return;
        var service = new ClusterLifecycleService(RunspaceSessions.Current);
        var wait = new ClusterWaitOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds), PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds) };
        RunLifecycle(cancel => service.WaitAsync(targets, wait, FanOutSettings(null), cancel));
    }
}
