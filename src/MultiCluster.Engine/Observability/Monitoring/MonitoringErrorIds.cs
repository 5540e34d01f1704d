namespace MultiCluster.Engine.Observability.Monitoring;

/// <summary>Stable error ids of New-FleetMonitoringConfig and Test-FleetMonitoring, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class MonitoringErrorIds
{
    /// <summary>A -Match value that is not a PromQL instant-vector selector /federate accepts.</summary>
    public const string MatchSelectorInvalid = nameof(MatchSelectorInvalid);

    /// <summary>A cluster has no region while its region label is asked for.</summary>
    public const string ClusterRegionMissing = nameof(ClusterRegionMissing);

    /// <summary>External labels that would not tell clusters apart (an -ExternalLabel overriding the cluster or region label, a label name twice).</summary>
    public const string ExternalLabelsNotUnique = nameof(ExternalLabelsNotUnique);

    /// <summary>A label name Prometheus refuses, or an -ExternalLabel value that is not a string.</summary>
    public const string ExternalLabelInvalid = nameof(ExternalLabelInvalid);

    /// <summary>An -Endpoint entry naming no selected cluster, or an address that is not host:port.</summary>
    public const string EndpointInvalid = nameof(EndpointInvalid);

    /// <summary>Thanos: a cluster has no prometheus-operator Prometheus of -PrometheusName in -Namespace to set external labels on.</summary>
    public const string PrometheusNotFound = nameof(PrometheusNotFound);

    /// <summary>The monitoring config (on the management cluster or in -Path) is not there or cannot be read.</summary>
    public const string MonitoringConfigNotFound = nameof(MonitoringConfigNotFound);
}
