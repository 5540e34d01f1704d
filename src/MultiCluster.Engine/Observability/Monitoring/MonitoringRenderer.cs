using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Observability.Monitoring;

/// <summary>
/// The objects of a <see cref="MonitoringPlan"/>, per cluster. Prometheus: on the management
/// cluster, the ConfigMap <c>multicluster-federation</c> whose <c>federation.yml</c> holds the
/// federation scrape job (a file Prometheus 2.43+ reads through <c>scrape_config_files</c>; its
/// <c>scrape_configs</c> list is also what prometheus-operator's additionalScrapeConfigs takes).
/// Thanos: on the management cluster, the ConfigMap <c>thanos-query-endpoints</c> whose
/// <c>endpoints.yaml</c> Thanos Query reads with <c>--endpoint.sd-config-file</c> (reloaded without
/// a restart), beside <c>clusters.yaml</c>, the record of each cluster's address and external labels
/// that Test-FleetMonitoring checks; on each workload cluster, its prometheus-operator
/// <c>Prometheus</c>'s <c>spec.externalLabels</c> and <c>replicaExternalLabelName</c>, applied with
/// server-side apply so only those fields are ours (a cluster without that Prometheus is an error,
/// see <see cref="MissingPrometheus"/>). TLS and credentials are file paths on the
/// scraping side, never their content.
/// </summary>
public static class MonitoringRenderer
{
    public const string FederationConfigMap = "multicluster-federation", FederationKey = "federation.yml";
    public const string EndpointsConfigMap = "thanos-query-endpoints", EndpointsKey = "endpoints.yaml", ClustersKey = "clusters.yaml";

    /// <summary>The objects each cluster gets: the management cluster first, then (Thanos) each workload cluster.</summary>
    public static IReadOnlyList<ClusterObjects> Render(MonitoringPlan plan)
    {
        var settings = plan.Settings;
        if (settings.Provider == FleetMonitoringProvider.Prometheus)
            return [new ClusterObjects(plan.Management, [ConfigMap(settings.Namespace, FederationConfigMap, (FederationKey, FederationConfig(plan)))])];

        var work = new List<ClusterObjects>
        {
            new(plan.Management, [ConfigMap(settings.Namespace, EndpointsConfigMap, (EndpointsKey, EndpointsConfig(plan)), (ClustersKey, ClustersRecord(plan)))]),
        };
        // The management cluster's own Prometheus is not a target here, so it gets no labels from this run.
        work.AddRange(plan.Targets.Select(target => new ClusterObjects(
            target.FleetCluster, [PrometheusLabels(settings, target)])));
        return work;
    }

    /// <summary>The federation scrape job, as <c>federation.yml</c> holds it.</summary>
    public static string FederationConfig(MonitoringPlan plan)
    {
        var settings = plan.Settings;
        var job = new JsonObject
        {
            ["job_name"] = settings.JobName,
            ["honor_labels"] = true,
            ["metrics_path"] = "/federate",
            ["scheme"] = settings.Scheme,
            ["params"] = new JsonObject { ["match[]"] = new JsonArray(settings.Match.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()) },
        };
        if (settings.CaFile is not null) job["tls_config"] = new JsonObject { ["ca_file"] = settings.CaFile };
        if (settings.BearerTokenFile is not null)
            job["authorization"] = new JsonObject { ["type"] = "Bearer", ["credentials_file"] = settings.BearerTokenFile };
        job["static_configs"] = new JsonArray(plan.Targets.Select(t => (JsonNode?)new JsonObject
        {
            ["targets"] = new JsonArray(JsonValue.Create(t.Address)),
            ["labels"] = Map(t.Labels),
        }).ToArray());
        return YamlWriter.Write(new JsonObject { ["scrape_configs"] = new JsonArray(job) });
    }

    /// <summary>Thanos Query's endpoint file: one sidecar StoreAPI address per cluster.</summary>
    public static string EndpointsConfig(MonitoringPlan plan)
    {
        var settings = plan.Settings;
        return YamlWriter.Write(new JsonObject
        {
            ["endpoints"] = new JsonArray(plan.Targets.Select(t =>
            {
                var endpoint = new JsonObject { ["address"] = t.Address };
                if (settings.CaFile is not null)
                    endpoint["grpc_client_config"] = new JsonObject { ["tls_config"] = new JsonObject { ["enabled"] = true, ["ca_file"] = settings.CaFile } };
                return (JsonNode?)endpoint;
            }).ToArray()),
        });
    }

    private static string ClustersRecord(MonitoringPlan plan) => YamlWriter.Write(new JsonObject(plan.Targets.Select(t =>
        new KeyValuePair<string, JsonNode?>(t.Cluster, new JsonObject { ["address"] = t.Address, ["externalLabels"] = Map(t.Labels) }))));

    /// <summary>
    /// For <see cref="ApplyOptions.MissingObjectError"/>: a cluster's Prometheus is the operator's
    /// object, which this only labels; one that is not there is an error for that cluster, never a
    /// new bare Prometheus (server-side apply would create one).
    /// </summary>
    public static FleetException? MissingPrometheus(KubeObject obj, string cluster) =>
        obj is { ApiVersion: PrometheusApiVersion, Kind: PrometheusKind }
            ? new FleetClusterException(MonitoringErrorIds.PrometheusNotFound, FleetErrorCategory.ObjectNotFound, cluster,
                $"Cluster '{cluster}' has no prometheus-operator Prometheus '{obj.Name}' in namespace '{obj.Namespace}' to set the Thanos external labels on; nothing was created there.",
                recommendedAction: "Name that cluster's Prometheus with -PrometheusName (and its namespace with -Namespace), or install it first.",
                objectRef: $"{PrometheusKind} {obj.Namespace}/{obj.Name}")
            : null;

    private const string PrometheusApiVersion = "monitoring.coreos.com/v1", PrometheusKind = "Prometheus";

    private static KubeObject PrometheusLabels(MonitoringSettings settings, MonitoringTarget target) => new(new JsonObject
    {
        ["apiVersion"] = PrometheusApiVersion,
        ["kind"] = PrometheusKind,
        ["metadata"] = new JsonObject { ["name"] = settings.PrometheusName, ["namespace"] = settings.Namespace },
        ["spec"] = new JsonObject { ["externalLabels"] = Map(target.Labels), ["replicaExternalLabelName"] = settings.ReplicaLabel },
    });

    private static KubeObject ConfigMap(string ns, string name, params (string Key, string Value)[] data) => new(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
        },
        ["data"] = new JsonObject(data.Select(d => new KeyValuePair<string, JsonNode?>(d.Key, d.Value))),
    });

    private static JsonObject Map(IReadOnlyDictionary<string, string> values) =>
        new(values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new KeyValuePair<string, JsonNode?>(v.Key, v.Value)));
}
