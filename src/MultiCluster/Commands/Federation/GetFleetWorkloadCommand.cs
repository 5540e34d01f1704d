using System.Management.Automation;
using MultiCluster.Engine.Federation;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>Reports a published workload on each selected cluster: present, generation, replicas ready.</summary>
[Cmdlet(VerbsCommon.Get, "FleetWorkload")]
[OutputType(typeof(FleetWorkloadStatus))]
public sealed class GetFleetWorkloadCommand : FanOutCmdlet
{
    /// <summary>The workload's name (the name of its template object).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The kind of the template object.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Kind { get; set; } = "Deployment";

    /// <summary>The apiVersion; known for the built-in workload kinds.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiVersion { get; set; }

    /// <summary>The namespace; the context's namespace when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        WorkloadReference workload;
        try { workload = WorkloadReference.Named(ApiVersion, Kind, Namespace, Name); }
        catch (Exception ex) { Terminate(ex); return; }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var service = new WorkloadService(Sessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            await foreach (var status in service.GetStatusAsync(workload, clusters, options, cancel).ConfigureAwait(false))
            {
                Emit(status);
                if (status.Error is { } error) EmitError(error);
            }
        });
    }
}
