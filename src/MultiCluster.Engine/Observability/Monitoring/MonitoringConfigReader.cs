using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Observability.Monitoring;

/// <summary>One target the monitoring config names: the cluster it says it is (its cluster label), its address and labels.</summary>
public sealed record ConfiguredTarget(string Cluster, string Address, IReadOnlyDictionary<string, string> Labels, string Scheme);

/// <summary>
/// Reads back what New-FleetMonitoringConfig wrote: the ConfigMap on the management cluster, or a
/// file (the rendered ConfigMap of -OutputPath, or the bare federation.yml). A target's cluster is
/// its cluster label (Prometheus) or its entry in clusters.yaml (Thanos); an address no entry
/// names stands for itself.
/// </summary>
public static class MonitoringConfigReader
{
    /// <summary>
    /// The targets of the ConfigMap on <paramref name="management"/>, read within <paramref name="options"/>' timeout
    /// (ClusterTimeout past it); throws MonitoringConfigNotFound when it is not there.
    /// </summary>
    public static Task<IReadOnlyList<ConfiguredTarget>> ReadAsync(IClusterConnector connector, FleetCluster management,
        FleetMonitoringProvider provider, string ns, string clusterLabel, FanOutOptions? options = null, CancellationToken cancellationToken = default) =>
        FleetRunner.RunOneAsync(management, (options ?? new FanOutOptions()) with { Activity = "Reading the monitoring config" },
            token => ReadOnceAsync(connector, management, provider, ns, clusterLabel, token), cancellationToken);

    private static async Task<IReadOnlyList<ConfiguredTarget>> ReadOnceAsync(IClusterConnector connector, FleetCluster management,
        FleetMonitoringProvider provider, string ns, string clusterLabel, CancellationToken cancellationToken)
    {
        var name = provider == FleetMonitoringProvider.Prometheus ? MonitoringRenderer.FederationConfigMap : MonitoringRenderer.EndpointsConfigMap;
        KubeObject? configMap;
        try
        {
            var resources = ClusterResources.For(connector.Connect(management), null);
            var type = await resources.Discovery.ResolveAsync("v1", "ConfigMap", cancellationToken).ConfigureAwait(false);
            configMap = await resources.Client.GetAsync(type, ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FleetException && !cancellationToken.IsCancellationRequested)
        {
            throw KubernetesErrors.Translate(ex, management.Name, $"v1 ConfigMap {ns}/{name}", cancellationToken);
        }
        if (configMap is null)
            throw new FleetClusterException(MonitoringErrorIds.MonitoringConfigNotFound, FleetErrorCategory.ObjectNotFound, management.Name,
                $"Cluster '{management.Name}' has no ConfigMap {ns}/{name}, so there is no {provider} monitoring config to check.",
                recommendedAction: $"Run New-FleetMonitoringConfig -Provider {provider}, or check -Namespace and -ManagementCluster.",
                objectRef: $"v1 ConfigMap {ns}/{name}");
        return FromConfigMap(configMap.Json, provider, clusterLabel, $"ConfigMap {ns}/{name} on cluster '{management.Name}'");
    }

    /// <summary>The targets of a file: a rendered manifest holding the ConfigMap, or a bare federation.yml.</summary>
    public static IReadOnlyList<ConfiguredTarget> ReadFile(string path, FleetMonitoringProvider provider, string clusterLabel)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(MonitoringErrorIds.MonitoringConfigNotFound, FleetErrorCategory.ObjectNotFound, path,
                $"Cannot read the monitoring config {path}: {ex.Message}");
        }
        var key = provider == FleetMonitoringProvider.Prometheus ? MonitoringRenderer.FederationKey : MonitoringRenderer.EndpointsKey;
        foreach (var document in YamlReader.ReadDocuments(text, path).Where(d => d.Root is JsonObject).Select(d => (JsonObject)d.Root!))
        {
            if (document["kind"]?.GetValue<string>() == "ConfigMap" && document["data"]?[key] is not null)
                return FromConfigMap(document, provider, clusterLabel, path);
            if (provider == FleetMonitoringProvider.Prometheus && document["scrape_configs"] is not null)
                return FederationTargets(document, clusterLabel);
        }
        throw new FleetInputException(MonitoringErrorIds.MonitoringConfigNotFound, FleetErrorCategory.InvalidData, path,
            $"{path} holds no {provider} monitoring config (a ConfigMap with '{key}'{(provider == FleetMonitoringProvider.Prometheus ? " or a scrape_configs list" : "")}).",
            recommendedAction: $"Give the file New-FleetMonitoringConfig -Provider {provider} -OutputPath wrote for the management cluster.");
    }

    private static IReadOnlyList<ConfiguredTarget> FromConfigMap(JsonObject configMap, FleetMonitoringProvider provider, string clusterLabel, string source)
    {
        string? Data(string key) => configMap["data"]?[key]?.GetValue<string>();
        if (provider == FleetMonitoringProvider.Prometheus)
            return FederationTargets(Parse(Data(MonitoringRenderer.FederationKey), source), clusterLabel);

        var clusters = Parse(Data(MonitoringRenderer.ClustersKey), source);
        var byAddress = clusters.Where(c => c.Value is JsonObject).ToDictionary(
            c => c.Value!["address"]?.GetValue<string>() ?? "", c => (Cluster: c.Key, Labels: StringMap(c.Value!["externalLabels"])), StringComparer.Ordinal);
        return (Parse(Data(MonitoringRenderer.EndpointsKey), source)["endpoints"] as JsonArray ?? [])
            .Select(e => e?["address"]?.GetValue<string>()).OfType<string>()
            .Select(address => byAddress.TryGetValue(address, out var known)
                ? new ConfiguredTarget(known.Cluster, address, known.Labels, "grpc")
                : new ConfiguredTarget(address, address, new Dictionary<string, string>(), "grpc"))
            .ToList();
    }

    private static IReadOnlyList<ConfiguredTarget> FederationTargets(JsonObject config, string clusterLabel) =>
        (config["scrape_configs"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(job => job["metrics_path"]?.GetValue<string>() == "/federate")
            .SelectMany(job => (job["static_configs"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(group =>
            {
                var labels = StringMap(group["labels"]);
                return (group["targets"] as JsonArray ?? []).Select(t => t?.GetValue<string>()).OfType<string>()
                    .Select(address => new ConfiguredTarget(labels.GetValueOrDefault(clusterLabel) ?? address, address, labels,
                        job["scheme"]?.GetValue<string>() ?? "http"));
            }))
            .ToList();

    private static JsonObject Parse(string? yaml, string source) =>
        yaml is null ? new JsonObject() : YamlReader.ReadDocuments(yaml, source).FirstOrDefault()?.Root as JsonObject ?? new JsonObject();

    private static IReadOnlyDictionary<string, string> StringMap(JsonNode? node) =>
        node is JsonObject map
            ? map.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
