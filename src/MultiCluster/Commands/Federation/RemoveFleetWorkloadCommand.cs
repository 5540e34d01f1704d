using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Federation;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>
/// Deletes a published workload from the selected clusters that carry it. Removing it from more
/// than one cluster (or more than half the fleet) needs a raised -MaxClusters (-Force only silences
/// the prompt), and a cluster that could not be read is reported as failed, never taken for one
/// without the workload.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FleetWorkload", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetResourceResult))]
public sealed class RemoveFleetWorkloadCommand : WorkloadReferenceCmdlet
{
    /// <summary>Deletes without asking. It raises no limit: -MaxClusters and -MaxObjects do.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How many clusters one call may delete from (default 1); given explicitly, it also lifts the half-the-fleet limit.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxClusters { get; set; } = 1;

    /// <summary>How many objects one call may delete from one cluster (default 10); given explicitly, it also allows deleting every object of a kind in a namespace.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxObjects { get; set; } = MultiCluster.Engine.FanOut.DeleteOptions.DefaultMaxObjects;

    protected override void EndProcessing()
    {
        var workload = ResolveWorkload();
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;

        var whatIf = IsWhatIf;
        var service = new WorkloadService(RunspaceSessions.Current.Connector);
        var options = DeleteSettings(whatIf, MaxClusters, MaxObjects);
        RunDelete("delete", whatIf, Force,
            cancel => service.PlanRemoveAsync(workload, clusters, options, cancel),
            (confirmed, cancel) => service.DeleteAsync(confirmed, options, cancel));
    }
}
