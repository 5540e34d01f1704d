using System.Management.Automation;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Observability.Monitoring;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Observability;

/// <summary>
/// Checks the fleet's monitoring wiring: reads the config New-FleetMonitoringConfig applied (from
/// the management cluster, or the file -Path names) and reports per workload cluster whether it is
/// a target (Missing; a target of no fleet cluster is Extra), whether its external labels are its
/// own (Duplicate), and whether its endpoint answers GET /-/ready. Pass, Warn or Fail with what to do. Only reads.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetMonitoring", DefaultParameterSetName = ClusterSet)]
[OutputType(typeof(FleetMonitoringCheck))]
public sealed class TestFleetMonitoringCommand : FanOutCmdlet
{
    private const string ClusterSet = "FromCluster", PathSet = "FromPath";

    /// <summary>Prometheus (federation) or Thanos (Query over sidecars).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public FleetMonitoringProvider Provider { get; set; }

    /// <summary>The cluster holding the config; by default the fleet's cluster with role management.</summary>
    [Parameter]
    [Alias("TargetCluster")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? ManagementCluster { get; set; }

    /// <summary>The namespace of the config on the management cluster.</summary>
    [Parameter(ParameterSetName = ClusterSet)]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "monitoring";

    /// <summary>A config file to check instead (what -OutputPath wrote for the management cluster, or a federation.yml).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The external label naming the cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ClusterLabel { get; set; } = "cluster";

    /// <summary>The port probed over HTTP instead of the target's (Thanos: 10902, the sidecar's HTTP port).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int ProbePort { get; set; }

    /// <summary>How long each endpoint may take to answer.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int ProbeTimeoutSeconds { get; set; } = 3;

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var session = RunspaceSessions.Current;
        var fleet = session.GetFleet().Clusters;
        FleetCluster? management = null;
        try
        {
            // A file needs no management cluster; one the fleet names is still no target of its own config.
            if (Path is null || ManagementCluster is not null || fleet.Count(c => c.Role == FleetClusterRole.Management) == 1)
                management = ManagementClusters.Resolve(fleet, ManagementCluster, runs: "the monitoring that sees every cluster");
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var workloads = clusters.Where(c => !string.Equals(c.Name, management?.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        var options = new MonitoringProbeOptions
        {
            Provider = Provider, ClusterLabel = ClusterLabel, Timeout = TimeSpan.FromSeconds(ProbeTimeoutSeconds), Throttle = ThrottleLimit,
            ProbePort = MyInvocation.BoundParameters.ContainsKey(nameof(ProbePort)) ? ProbePort : null,
        };
        var path = Path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var fanOut = FanOutSettings();
        RunEngine(async cancel =>
        {
            var targets = path is not null
                ? MonitoringConfigReader.ReadFile(path, Provider, ClusterLabel)
                : await MonitoringConfigReader.ReadAsync(session.Connector, management!, Provider, Namespace, ClusterLabel, fanOut, cancel).ConfigureAwait(false);
            foreach (var check in await MonitoringCheckService.CheckAsync(workloads, fleet, targets, options, cancellationToken: cancel).ConfigureAwait(false))
                Emit(check);
        });
    }
}
