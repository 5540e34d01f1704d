using System.Diagnostics;
using System.Net;

namespace MultiCluster.Engine.Observability.Monitoring;

/// <summary>How Test-FleetMonitoring probes each cluster's endpoint.</summary>
public sealed record MonitoringProbeOptions
{
    public FleetMonitoringProvider Provider { get; init; } = FleetMonitoringProvider.Prometheus;

    /// <summary>The external label naming the cluster.</summary>
    public string ClusterLabel { get; init; } = "cluster";

    /// <summary>The port probed over HTTP instead of the target's; Thanos sidecars answer HTTP on 10902 beside gRPC on 10901.</summary>
    public int? ProbePort { get; init; }

    /// <summary>How long one endpoint may take to answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Endpoints probed at the same time (-ThrottleLimit).</summary>
    public int Throttle { get; init; } = FanOut.FanOutOptions.DefaultThrottleLimit;

    public const int SidecarHttpPort = 10902;
}

/// <summary>
/// Test-FleetMonitoring's checks: every workload cluster is a target of the config (Missing), the
/// config names no cluster the fleet lacks (Extra), each cluster's external labels are its own
/// (Duplicate), and each endpoint answers <c>GET /-/ready</c> (Prometheus and the Thanos sidecar
/// both serve it) within the timeout, at most <see cref="MonitoringProbeOptions.Throttle"/> at a time. Sends no credentials.
/// </summary>
public static class MonitoringCheckService
{
    /// <summary>
    /// The checks of <paramref name="workloads"/> (the selected clusters but the management cluster) against
    /// <paramref name="targets"/>; a target naming no cluster of <paramref name="fleet"/> is Extra.
    /// </summary>
    public static async Task<IReadOnlyList<FleetMonitoringCheck>> CheckAsync(IReadOnlyList<FleetCluster> workloads, IReadOnlyList<FleetCluster> fleet,
        IReadOnlyList<ConfiguredTarget> targets, MonitoringProbeOptions options, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false }, disposeHandler: handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        var byCluster = targets.ToLookup(t => t.Cluster, StringComparer.OrdinalIgnoreCase);
        var labelSets = targets.GroupBy(t => MonitoringSettings.LabelKey(t.Labels), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList());
        using var throttle = new SemaphoreSlim(Math.Max(1, options.Throttle));

        var perCluster = workloads.Select(async cluster =>
        {
            var found = byCluster[cluster.Name].ToList();
            if (found.Count == 0)
            {
                return (IReadOnlyList<FleetMonitoringCheck>)[Check(cluster.Name, "Target", "Fail", "Missing", null,
                    $"The {options.Provider} config has no target for cluster '{cluster.Name}'.",
                    $"Run New-FleetMonitoringConfig -Provider {options.Provider} so the config lists every cluster of the fleet.")];
            }
            var target = found[0];
            var checks = new List<FleetMonitoringCheck>
            {
                found.Count == 1
                    ? Check(cluster.Name, "Target", "Pass", "", target.Address, $"Target {target.Address}.", "")
                    : Check(cluster.Name, "Target", "Fail", "Duplicate", target.Address,
                        $"The config names cluster '{cluster.Name}' {found.Count} times ({string.Join(", ", found.Select(f => f.Address))}).",
                        "Run New-FleetMonitoringConfig to write one target per cluster."),
                LabelCheck(cluster.Name, target, labelSets, options),
            };
            await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                checks.Add(await ProbeAsync(http, cluster.Name, target, options, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                throttle.Release();
            }
            return (IReadOnlyList<FleetMonitoringCheck>)checks;
        });
        var results = (await Task.WhenAll(perCluster).ConfigureAwait(false)).SelectMany(c => c).ToList();

        var names = fleet.SelectMany(c => c.Aliases.Prepend(c.Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        results.AddRange(targets.Where(t => !names.Contains(t.Cluster)).Select(t => Check(t.Cluster, "Target", "Warn", "Extra", t.Address,
            $"The config has a target for '{t.Cluster}', which is no cluster of the fleet.",
            "Run New-FleetMonitoringConfig over the fleet to remove it.")));
        return results;
    }

    private static FleetMonitoringCheck LabelCheck(string cluster, ConfiguredTarget target, Dictionary<string, List<ConfiguredTarget>> labelSets,
        MonitoringProbeOptions options)
    {
        var shown = MonitoringSettings.LabelKey(target.Labels);
        var sharing = labelSets[shown].Where(t => !ReferenceEquals(t, target)).Select(t => t.Cluster).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (sharing.Count > 0)
            return Check(cluster, "Labels", "Fail", "Duplicate", target.Address,
                $"Its external labels {{{shown}}} are also those of {string.Join(", ", sharing)}: their series cannot be told apart.",
                "Give every cluster its own cluster label (New-FleetMonitoringConfig sets it to the cluster name).");
        if (!string.Equals(target.Labels.GetValueOrDefault(options.ClusterLabel), cluster, StringComparison.Ordinal))
            return Check(cluster, "Labels", "Warn", "Duplicate", target.Address,
                $"Its '{options.ClusterLabel}' label is '{target.Labels.GetValueOrDefault(options.ClusterLabel)}', not the cluster's name.",
                "Run New-FleetMonitoringConfig so the cluster label names the cluster.");
        return Check(cluster, "Labels", "Pass", "", target.Address, $"{{{shown}}}", "");
    }

    private static async Task<FleetMonitoringCheck> ProbeAsync(HttpClient http, string cluster, ConfiguredTarget target, MonitoringProbeOptions options,
        CancellationToken cancellationToken)
    {
        var url = ProbeUrl(target, options);
        if (url is null)
            return Check(cluster, "Endpoint", "Fail", "Unreachable", target.Address, $"'{target.Address}' is not host:port.", "Run New-FleetMonitoringConfig with a valid -Endpoint.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                return Check(cluster, "Endpoint", "Pass", "", target.Address, $"{url} answered {status} in {stopwatch.ElapsedMilliseconds} ms.", "");
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                return Check(cluster, "Endpoint", "Warn", "", target.Address, $"{url} answered {status}: it is up but asks for credentials.",
                    "Check that the scraping side has the credentials file the config names.");
            return Check(cluster, "Endpoint", "Fail", "Unreachable", target.Address, $"{url} answered {status} {response.ReasonPhrase}: not ready.",
                "Check the Prometheus (or sidecar) of this cluster: its /-/ready is not OK.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Check(cluster, "Endpoint", "Fail", "Unreachable", target.Address, $"{url} did not answer within {options.Timeout.TotalSeconds:0.#} s.",
                "Check that the endpoint is exposed to the management cluster (Service, Ingress, firewall).");
        }
        catch (HttpRequestException ex)
        {
            return Check(cluster, "Endpoint", "Fail", "Unreachable", target.Address, $"{url} cannot be reached: {ex.InnerException?.Message ?? ex.Message}",
                "Check the address in the config and that the endpoint is exposed to the management cluster.");
        }
    }

    private static Uri? ProbeUrl(ConfiguredTarget target, MonitoringProbeOptions options)
    {
        var scheme = options.Provider == FleetMonitoringProvider.Thanos || target.Scheme is not "https" ? "http" : "https";
        if (!Uri.TryCreate($"{scheme}://{target.Address}/-/ready", UriKind.Absolute, out var uri)) return null;
        var port = options.ProbePort ?? (options.Provider == FleetMonitoringProvider.Thanos ? MonitoringProbeOptions.SidecarHttpPort : (int?)null);
        return port is { } p ? new UriBuilder(uri) { Port = p }.Uri : uri;
    }

    private static FleetMonitoringCheck Check(string cluster, string check, string status, string problem, string? endpoint, string detail, string action) => new()
    {
        Cluster = cluster, Check = check, Status = status, Problem = problem, Endpoint = endpoint, Detail = detail, Action = action,
    };
}
