using System.Management.Automation;
using MultiCluster.Engine.Connections;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>
/// Checks every selected cluster in parallel: reachable, /readyz, server version, node count and
/// round-trip time. An unreachable cluster is a result with its reason, not an error.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetCluster")]
[OutputType(typeof(FleetClusterHealth))]
public sealed class TestFleetClusterCommand : FanOutCmdlet
{
    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var service = new ClusterHealthService(RunspaceSessions.Current.Connector);
        var options = new ClusterHealthOptions { Throttle = ThrottleLimit, TimeoutSeconds = TimeoutSeconds > 0 ? TimeoutSeconds : 30 };
        RunEngine(async cancel =>
        {
            var done = 0;
            await foreach (var health in service.TestAsync(clusters, options, cancel).ConfigureAwait(false))
            {
                done++;
                Emit(health);
                var percent = done * 100 / clusters.Count;
                var status = $"{done}/{clusters.Count} clusters";
                OnPipeline(() => WriteProgress(new ProgressRecord(1, "Testing fleet clusters", status) { PercentComplete = percent }));
            }
            OnPipeline(() => WriteProgress(new ProgressRecord(1, "Testing fleet clusters", "Done") { RecordType = ProgressRecordType.Completed }));
        });
    }
}
