using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Exports a Service to the fleet's cluster set through the Multi-Cluster Services API: a
/// ServiceExport in each selected cluster, and with -Wait, until every other member of the fleet
/// holds the ServiceImport. Writes one FleetServiceExport per exporting cluster with the
/// clusterset.local name and the conflict the MCS controller reports, if any.
/// </summary>
[Cmdlet(VerbsData.Export, "FleetService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetServiceExport))]
public sealed class ExportFleetServiceCommand : FanOutCmdlet
{
    private const int DefaultWaitSeconds = 300;

    /// <summary>The Service, the same name in every exporting cluster.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The Service's namespace.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "default";

    /// <summary>Waits until every other member of the fleet imports the service; -TimeoutSeconds bounds the wait (300 by default).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var members = RunspaceSessions.Current.Select(new Engine.Inventory.ClusterPlacement()).Clusters;
        var whatIf = IsWhatIf;
        var request = new ServiceExportRequest
        {
            Namespace = Namespace, Name = Name, Exporters = clusters, Members = members, Wait = Wait, WhatIf = whatIf,
            WaitTimeout = TimeSpan.FromSeconds(TimeoutSeconds > 0 ? TimeoutSeconds : DefaultWaitSeconds),
            // The wait has its own bound: the fan-out's would cut it short without saying what is missing.
            FanOut = Wait ? FanOutSettings() with { TimeoutSeconds = null } : FanOutSettings(),
        };
        RunEngineStep(() =>
        {
            McsServiceExports.Validate(request);
            return true;
        });
        var confirmed = whatIf ? clusters : clusters.Where(c => ShouldProcess(
            $"Cluster {c.Name}: export Service {Namespace}/{Name} to the cluster set (ServiceExport multicluster.x-k8s.io/v1alpha1)", "Export-FleetService")).ToList();
        if (confirmed.Count == 0) return;
        var exports = new McsServiceExports(RunspaceSessions.Current.Connector);
        RunEngine(async cancel =>
        {
            await foreach (var export in exports.ExportAsync(request with { Exporters = confirmed }, cancel).ConfigureAwait(false))
            {
                Emit(export);
                if (export.Error is { } error) EmitError(error);
                else if (export.Status == FleetServiceExportStatus.Conflict)
                    OnPipeline(() => WriteWarning($"{export.Cluster}: {export.Message}"));
            }
        });
    }
}
