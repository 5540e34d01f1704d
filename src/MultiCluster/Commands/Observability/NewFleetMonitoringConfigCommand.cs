using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Observability.Monitoring;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Observability;

/// <summary>
/// From the fleet, the settings that let one place see every cluster's metrics: Prometheus
/// federation (a /federate scrape job on the management cluster, one target per workload cluster
/// labelled with its cluster and region) or Thanos (Query's endpoint file on the management
/// cluster, and each cluster's Prometheus external labels). Applied with server-side apply,
/// previewed per cluster with -WhatIf, or rendered with -OutputPath (one file per cluster).
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetMonitoringConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class NewFleetMonitoringConfigCommand : FanOutCmdlet
{
    /// <summary>Prometheus (federation) or Thanos (Query over sidecars).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public FleetMonitoringProvider Provider { get; set; }

    /// <summary>The cluster whose Prometheus (or Thanos Query) looks at the others; by default the fleet's cluster with role management.</summary>
    [Parameter]
    [Alias("TargetCluster")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? ManagementCluster { get; set; }

    /// <summary>The namespace of the config on the management cluster, and of each cluster's Prometheus (Thanos).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "monitoring";

    /// <summary>The match[] selectors of the federation (instant-vector selectors).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Match { get; set; } = MonitoringSettings.DefaultMatch.ToArray();

    /// <summary>The federation scrape job's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string JobName { get; set; } = "federate";

    /// <summary>Per cluster name, its Prometheus (or sidecar gRPC) address as host:port or host.</summary>
    [Parameter]
    public Hashtable? Endpoint { get; set; }

    /// <summary>The port of an address given without one (9090 for Prometheus, 10901 for Thanos sidecars).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>How the federation reaches each Prometheus: http or https.</summary>
    [Parameter]
    [ValidateSet("http", "https")]
    public string Scheme { get; set; } = "http";

    /// <summary>The CA file on the scraping side (a path, never the certificate itself).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CaFile { get; set; }

    /// <summary>The bearer token file on the scraping side (a path, never the token itself).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BearerTokenFile { get; set; }

    /// <summary>The external label naming the cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ClusterLabel { get; set; } = "cluster";

    /// <summary>The external label naming the region; '' leaves it out.</summary>
    [Parameter]
    [AllowEmptyString]
    public string RegionLabel { get; set; } = "region";

    /// <summary>More external labels, the same on every cluster.</summary>
    [Parameter]
    public Hashtable? ExternalLabel { get; set; }

    /// <summary>Thanos: the label HA replicas differ by (prometheus-operator's replicaExternalLabelName).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ReplicaLabel { get; set; } = "prometheus_replica";

    /// <summary>Thanos: the name of each cluster's prometheus-operator Prometheus.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string PrometheusName { get; set; } = "k8s";

    /// <summary>Writes one YAML file per cluster to this folder instead of applying.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var session = RunspaceSessions.Current;
        FleetCluster management;
        try
        {
            management = ManagementClusters.Resolve(session.GetFleet().Clusters, ManagementCluster, runs: "the monitoring that sees every cluster");
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        MonitoringPlan plan;
        try
        {
            plan = new MonitoringSettings
            {
                Provider = Provider, Namespace = Namespace, Match = Match, JobName = JobName,
                Endpoints = MonitoringParameters.Strings(Endpoint, nameof(Endpoint), MonitoringParameters.EndpointError),
                Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
                Scheme = Scheme, CaFile = CaFile, BearerTokenFile = BearerTokenFile,
                ClusterLabel = ClusterLabel, RegionLabel = RegionLabel,
                ExternalLabels = MonitoringParameters.Strings(ExternalLabel, nameof(ExternalLabel), MonitoringParameters.LabelError),
                ReplicaLabel = ReplicaLabel, PrometheusName = PrometheusName,
            }.Validate(management, clusters);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        ApplyOrRender(MonitoringRenderer.Render(plan), OutputPath, missingObjectError: MonitoringRenderer.MissingPrometheus);
    }
}
