using System.Management.Automation;
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

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        var confirmed = ResolveTargets()
            .Where(t => ShouldProcess($"Cluster {t.Namespace}/{t.Name} on management cluster '{t.Management.Name}'", $"scale workers to {WorkerReplicas}"))
            .ToList();
        var operations = new ManagedClusterClient(RunspaceSessions.Current.Connector);
        RunPerCluster(confirmed, async (target, cancel) =>
        {
            var scaled = await operations.ScaleWorkersAsync(target.Management, target.Namespace, target.Name, WorkerReplicas, MachineDeployment, cancel)
                .ConfigureAwait(false);
            WriteVerboseLine($"Cluster '{target.Name}': machine deployment {scaled} scaled to {WorkerReplicas}.");
            var state = await operations.GetStateAsync(target.Management, target.Namespace, target.Name, cancel).ConfigureAwait(false);
            if (state is not null) Emit(state.ToFleetCluster(target.Known, target.Management.Name));
        });
    }

    private void WriteVerboseLine(string message) => OnPipeline(() => WriteVerbose(message));
}
