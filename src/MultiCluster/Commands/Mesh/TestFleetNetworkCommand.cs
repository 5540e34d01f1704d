using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Checks the selected clusters before they join one network: pod and service ranges (from the
/// fleet file, or read from the cluster) overlapping between every pair, Cilium cluster ids and
/// names, Istio network names, root CA and trust domain, and API server reachability. One
/// FleetNetworkCheck per check; changes nothing.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetNetwork")]
[OutputType(typeof(FleetNetworkCheck))]
public sealed class TestFleetNetworkCommand : FanOutCmdlet
{
    /// <summary>Only the checks this provider needs (all when omitted).</summary>
    [Parameter]
    public FleetMeshProvider? Provider { get; set; }

    /// <summary>Allows Cilium cluster ids up to 511 (clustermesh.maxConnectedClusters: 511).</summary>
    [Parameter]
    public SwitchParameter ExtendedClusterId { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var preflight = new NetworkPreflight(RunspaceSessions.Current.Connector);
        var options = new NetworkPreflightOptions { Provider = Provider, ExtendedClusterIds = ExtendedClusterId, FanOut = FanOutSettings() };
        RunEngine(async cancel =>
        {
            foreach (var check in await preflight.TestAsync(clusters, options, cancel).ConfigureAwait(false))
            {
                Emit(check);
                if (check.Error is { } error) EmitError(error);
            }
        });
    }
}
