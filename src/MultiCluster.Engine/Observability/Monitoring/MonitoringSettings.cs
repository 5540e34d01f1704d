using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Observability.Monitoring;

/// <summary>
/// What New-FleetMonitoringConfig is asked for. <see cref="Validate"/> checks it against the
/// selected clusters (before anything is sent) and gives the plan: one target per workload
/// cluster with its address and external labels.
/// </summary>
public sealed partial record MonitoringSettings
{
    /// <summary>Prometheus' default port; Thanos sidecar's gRPC StoreAPI port.</summary>
    public const int PrometheusPort = 9090, SidecarGrpcPort = 10901;

    /// <summary>The fleet label whose value is a cluster's Prometheus (or sidecar) host name.</summary>
    public const string EndpointLabel = "monitoring.multicluster.io/endpoint";

    /// <summary>The selectors the Prometheus docs' federation example uses: the Prometheus job's own series and job-level recording rules.</summary>
    public static readonly IReadOnlyList<string> DefaultMatch = ["{job=\"prometheus\"}", "{__name__=~\"job:.*\"}"];

    public FleetMonitoringProvider Provider { get; init; } = FleetMonitoringProvider.Prometheus;

    /// <summary>The namespace of the objects on the management cluster (and of each cluster's Prometheus for Thanos).</summary>
    public string Namespace { get; init; } = "monitoring";

    /// <summary>Federation: the match[] selectors.</summary>
    public IReadOnlyList<string> Match { get; init; } = DefaultMatch;

    /// <summary>Federation: the scrape job's name.</summary>
    public string JobName { get; init; } = "federate";

    /// <summary>Cluster name to host:port (or host); beats the fleet label and the default.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; init; } = new Dictionary<string, string>();

    /// <summary>The port of an address given without one.</summary>
    public int? Port { get; init; }

    /// <summary>Federation: http or https.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>Federation: CA file on the scraping Prometheus (a path, never the certificate).</summary>
    public string? CaFile { get; init; }

    /// <summary>Federation: bearer token file on the scraping Prometheus (a path, never the token).</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>The external label naming the cluster.</summary>
    public string ClusterLabel { get; init; } = "cluster";

    /// <summary>The external label naming the region; empty for none.</summary>
    public string RegionLabel { get; init; } = "region";

    /// <summary>More external labels, the same on every cluster.</summary>
    public IReadOnlyDictionary<string, string> ExternalLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Thanos: the label telling HA replicas apart (prometheus-operator's replicaExternalLabelName).</summary>
    public string ReplicaLabel { get; init; } = "prometheus_replica";

    /// <summary>Thanos: the name of each cluster's prometheus-operator Prometheus.</summary>
    public string PrometheusName { get; init; } = "k8s";

    public int DefaultPort => Port ?? (Provider == FleetMonitoringProvider.Thanos ? SidecarGrpcPort : PrometheusPort);

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)(:(\d{1,5}))?$")]
    private static partial Regex HostPort();

    /// <summary>
    /// The plan for <paramref name="clusters"/> (the management cluster among them is skipped: it
    /// is the one that looks). Throws <see cref="FleetInputException"/> for a bad selector, label,
    /// endpoint, or a cluster without a region when the region label is asked for.
    /// </summary>
    public MonitoringPlan Validate(FleetCluster management, IReadOnlyList<FleetCluster> clusters)
    {
        if (Provider == FleetMonitoringProvider.Prometheus && Match.Count == 0)
            throw Invalid(MonitoringErrorIds.MatchSelectorInvalid, "-Match", "Give at least one -Match selector: /federate needs a match[] parameter.");
        // Checked for Thanos too: a selector that cannot parse is a mistake whichever provider ignores it.
        foreach (var selector in Match)
        {
            if (InstantVectorSelector.Problem(selector) is { } problem)
                throw Invalid(MonitoringErrorIds.MatchSelectorInvalid, selector,
                    $"-Match '{selector}' is not an instant-vector selector: {problem}. Nothing was changed.");
        }
        CheckLabels();
        var workloads = clusters.Where(c => !string.Equals(c.Name, management.Name, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var name in Endpoints.Keys.Where(k => !clusters.Any(c => string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase))))
            throw Invalid(MonitoringErrorIds.EndpointInvalid, name, $"-Endpoint names '{name}', which is not a selected cluster. Nothing was changed.");
        // Every given endpoint, the management cluster's too, which no target uses.
        foreach (var (name, given) in Endpoints)
            EndpointAddress(name, given);
        var targets = workloads.Select(cluster => new MonitoringTarget(cluster, Address(cluster), LabelsOf(cluster))).ToList();
        var duplicate = targets.GroupBy(t => LabelKey(t.Labels), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw Invalid(MonitoringErrorIds.ExternalLabelsNotUnique, duplicate.First().Cluster,
                $"Clusters {string.Join(" and ", duplicate.Select(t => $"'{t.Cluster}'"))} would carry the same external labels ({duplicate.Key}), so their series could not be told apart. Nothing was changed.");
        return new MonitoringPlan(this, management, targets);
    }

    private void CheckLabels()
    {
        foreach (var (what, name) in new[] { ("-ClusterLabel", ClusterLabel), ("-ReplicaLabel", ReplicaLabel) }.Concat(
                     RegionLabel.Length > 0 ? [("-RegionLabel", RegionLabel)] : []).Concat(ExternalLabels.Keys.Select(k => ("-ExternalLabel", k))))
        {
            if (!LabelName().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))
                throw Invalid(MonitoringErrorIds.ExternalLabelInvalid, name,
                    $"{what} '{name}' is not a Prometheus label name (letters, digits and '_', not starting with a digit or '__'). Nothing was changed.");
        }
        var perCluster = new[] { ClusterLabel, RegionLabel, Provider == FleetMonitoringProvider.Thanos ? ReplicaLabel : "" }.Where(l => l.Length > 0).ToList();
        if (perCluster.Distinct(StringComparer.Ordinal).Count() != perCluster.Count)
            throw Invalid(MonitoringErrorIds.ExternalLabelsNotUnique, ClusterLabel,
                $"-ClusterLabel, -RegionLabel and -ReplicaLabel must be different label names ({string.Join(", ", perCluster)}). Nothing was changed.");
        foreach (var key in ExternalLabels.Keys.Where(perCluster.Contains))
            throw Invalid(MonitoringErrorIds.ExternalLabelsNotUnique, key,
                $"-ExternalLabel '{key}' would give every cluster the same '{key}', which must tell clusters (or replicas) apart. Nothing was changed.");
    }

    private IReadOnlyDictionary<string, string> LabelsOf(FleetCluster cluster)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ClusterLabel] = cluster.Name };
        if (RegionLabel.Length > 0)
        {
            labels[RegionLabel] = cluster.Region ?? throw new FleetInputException(MonitoringErrorIds.ClusterRegionMissing, FleetErrorCategory.InvalidData, cluster.Name,
                $"Cluster '{cluster.Name}' has no region in the fleet file, so its '{RegionLabel}' label cannot be set. Nothing was changed.",
                recommendedAction: "Give the cluster a region in the fleet file, or leave the region label out with -RegionLabel ''.");
        }
        foreach (var (key, value) in ExternalLabels) labels[key] = value;
        return labels;
    }

    // -Endpoint, then the fleet label, then the documented default: prometheus.<cluster> (thanos-sidecar.<cluster> for Thanos).
    private string Address(FleetCluster cluster)
    {
        var given = Endpoints.FirstOrDefault(e => string.Equals(e.Key, cluster.Name, StringComparison.OrdinalIgnoreCase)).Value
                    ?? cluster.Labels.GetValueOrDefault(EndpointLabel)
                    ?? (Provider == FleetMonitoringProvider.Thanos ? "thanos-sidecar." : "prometheus.") + cluster.Name;
        return EndpointAddress(cluster.Name, given);
    }

    private string EndpointAddress(string cluster, string given)
    {
        var match = HostPort().Match(given.Trim());
        if (!match.Success || (match.Groups[4].Success && int.Parse(match.Groups[4].Value) is < 1 or > 65535))
            throw Invalid(MonitoringErrorIds.EndpointInvalid, cluster,
                $"The endpoint '{given}' of cluster '{cluster}' is not host:port (a URL's scheme and path go in -Scheme, not here). Nothing was changed.");
        return match.Groups[4].Success ? given.Trim() : $"{given.Trim()}:{DefaultPort}";
    }

    internal static string LabelKey(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\""));

    private static FleetInputException Invalid(string id, string target, string message) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message);
}

/// <summary>One workload cluster as the management cluster's config names it.</summary>
public sealed record MonitoringTarget(FleetCluster FleetCluster, string Address, IReadOnlyDictionary<string, string> Labels)
{
    public string Cluster => FleetCluster.Name;
}

/// <summary>The validated settings, the management cluster and one target per workload cluster, in fleet order.</summary>
public sealed record MonitoringPlan(MonitoringSettings Settings, FleetCluster Management, IReadOnlyList<MonitoringTarget> Targets);
