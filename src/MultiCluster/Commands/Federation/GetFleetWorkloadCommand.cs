using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Federation;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>
/// Reports a published workload on each selected cluster: present, generation, replicas ready;
/// with -Wait, once it is ready on all of them or -TimeoutSeconds has passed.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetWorkload")]
[OutputType(typeof(FleetWorkloadStatus))]
public sealed class GetFleetWorkloadCommand : WorkloadReferenceCmdlet
{
    /// <summary>Polls until the workload is ready on every selected cluster; -TimeoutSeconds bounds the whole wait.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void EndProcessing()
    {
        var workload = ResolveWorkload();
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var service = new WorkloadService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        if (Wait)
        {
            WaitUntilReady(service, workload, clusters, options);
            return;
        }
        RunEngine(async cancel =>
        {
            await foreach (var status in service.GetStatusAsync(workload, clusters, options, cancel).ConfigureAwait(false))
            {
                Emit(status);
                if (status.Error is { } error) EmitError(error);
            }
        });
    }

    // One status per cluster once all are ready or time is up, and one error per cluster still not ready.
    private void WaitUntilReady(WorkloadService service, WorkloadReference workload, IReadOnlyList<FleetCluster> clusters, FanOutOptions options)
    {
        var wait = new ReadinessWait
        {
            Timeout = TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : null,
            FanOut = options,
            Activity = $"Waiting for {workload.Kind} {workload.Name} to be ready",
        };
        RunEngine(async cancel =>
        {
            var statuses = await service.WaitUntilReadyAsync([new WorkloadOnClusters(workload, clusters)], wait, cancel).ConfigureAwait(false);
            foreach (var status in statuses)
            {
                Emit(status);
                // Only a wait with a timeout ends with clusters not ready.
                if (!status.Ready) EmitError(WorkloadReadiness.NotReady(status, wait.Timeout!.Value));
            }
        });
    }
}
