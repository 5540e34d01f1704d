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
        var waiter = new ClusterWaiter(new ManagedClusterClient(RunspaceSessions.Current.Connector)) { PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds) };
        var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
        RunPerCluster(targets, async (target, cancel) =>
        {
            var state = await waiter.WaitUntilReadyAsync(target.Management, target.Namespace, target.Name, timeout, cancel).ConfigureAwait(false);
            Emit(state.ToFleetCluster(target.Known, target.Management.Name));
        });
    }
}
