namespace MultiCluster;

/// <summary>How one place sees every cluster's metrics: Prometheus federation, or Thanos Query over each cluster's sidecar.</summary>
public enum FleetMonitoringProvider
{
    Prometheus,
    Thanos,
}
