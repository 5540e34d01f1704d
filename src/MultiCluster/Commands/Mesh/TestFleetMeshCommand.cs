using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Checks every link of the selected clusters' Istio mesh: the remote secret is there and its
/// token authenticates against the peer with a real request, can list what istiod reads and
/// cannot write. One FleetMeshLink per ordered pair; changes nothing.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetMesh")]
[OutputType(typeof(FleetMeshLink))]
public sealed class TestFleetMeshCommand : FanOutCmdlet
{
    /// <summary>The mesh to check. Istio only for now.</summary>
    [Parameter]
    [ValidateSet(nameof(FleetMeshProvider.Istio))]
    public FleetMeshProvider Provider { get; set; } = FleetMeshProvider.Istio;

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var service = new IstioMeshService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        RunEngine(async cancel =>
        {
            await foreach (var link in service.TestAsync(clusters, options, cancel).ConfigureAwait(false))
            {
                Emit(link);
                // A cluster that cannot be read fails all its links; one error for it.
                if (link.Error is { } error && failed.Add(link.Cluster)) EmitError(error);
            }
        });
    }
}
