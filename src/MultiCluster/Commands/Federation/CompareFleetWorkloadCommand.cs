using System.Management.Automation;
using MultiCluster.Engine.Federation;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>
/// Reports where the clusters differ from what Publish-FleetWorkload would make them: fields
/// changed by hand, the workload missing, or present on a cluster it is not placed on. Changes nothing.
/// </summary>
[Cmdlet(VerbsData.Compare, "FleetWorkload", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FleetDrift))]
public sealed class CompareFleetWorkloadCommand : WorkloadTemplateCmdlet
{
    protected override void EndProcessing()
    {
        var plans = PlanWorkloads();
        var service = new WorkloadService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            foreach (var plan in plans)
            {
                await foreach (var drift in service.CompareAsync(plan, options, cancel).ConfigureAwait(false))
                {
                    Emit(drift);
                    if (drift.Error is { } error) EmitError(error);
                }
            }
        });
    }
}
