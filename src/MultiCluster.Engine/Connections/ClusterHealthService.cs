using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using k8s;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Connections;

public sealed class ClusterHealthOptions
{
    /// <summary>Clusters checked at the same time.</summary>
    public int Throttle { get; init; } = 16;

    /// <summary>Time allowed for one cluster's whole check.</summary>
    public int TimeoutSeconds { get; init; } = 30;
}

/// <summary>
/// Checks clusters in parallel (bounded) and streams one <see cref="FleetClusterHealth"/> per
/// cluster as each finishes: <c>/readyz</c> and its round-trip time, server version, node count.
/// Failures become the result's status and reason; nothing is thrown for a cluster.
/// </summary>
public sealed class ClusterHealthService(IClusterConnector connector)
{
    private const int NodePageSize = 500;

    public async IAsyncEnumerable<FleetClusterHealth> TestAsync(IEnumerable<FleetCluster> clusters, ClusterHealthOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ClusterHealthOptions();
        var results = Channel.CreateUnbounded<FleetClusterHealth>(new UnboundedChannelOptions { SingleReader = true });
        // Not disposed: checks still running when the caller stops reading early keep using it.
        var throttle = new SemaphoreSlim(Math.Max(1, options.Throttle));
        var checks = clusters.Select(async cluster =>
        {
            await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await results.Writer.WriteAsync(await CheckAsync(cluster, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }
        }).ToList();
        var all = Task.WhenAll(checks).ContinueWith(t => results.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);

        await foreach (var result in results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            yield return result;
        await all.ConfigureAwait(false);
    }

    /// <summary>One cluster's check; never throws except for the caller's own cancellation.</summary>
    public async Task<FleetClusterHealth> CheckAsync(FleetCluster cluster, ClusterHealthOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)));
        var token = timeout.Token;
        var probe = new Probe(cluster);
        try
        {
            // Connect may run a credential plugin: keep it off the caller's thread.
            var connection = await Task.Run(() => connector.Connect(cluster), token).ConfigureAwait(false);
            var api = new KubernetesClientApi(connection.Client as Kubernetes
                ?? throw new InvalidOperationException("The cluster's client does not expose its HTTP pipeline."));
            // The three calls go out together: one round trip per cluster instead of three.
            var versionTask = ServerVersionAsync(api, cluster.Name, token);
            var nodesTask = CountNodesAsync(api, cluster.Name, token);
            Observe(versionTask);
            Observe(nodesTask);
            await ReadyzAsync(api, connection.Name, probe, token).ConfigureAwait(false);
            if (probe.Status == FleetHealthStatus.Unreachable) return probe.Result();

            probe.ServerVersion = await versionTask.ConfigureAwait(false);
            probe.NodeCount = await nodesTask.ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = KubernetesErrors.Translate(e, cluster.Name, callerToken: cancellationToken);
            probe.Fail(error);
        }
        return probe.Result();
    }

    // A call whose answer is not needed once /readyz failed must not raise an unobserved-task exception.
    private static void Observe(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static async Task ReadyzAsync(IKubeApi api, string cluster, Probe probe, CancellationToken token)
    {
        var stopwatch = Stopwatch.StartNew();
        var response = await api.SendAsync(HttpMethod.Get, "/readyz", null, null, token).ConfigureAwait(false);
        probe.RoundTripMs = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1);
        probe.Reachable = true;
        probe.Ready = response.Status == HttpStatusCode.OK;
        probe.ReadyzResult = OneLine(response.Body, (int)response.Status);
        if (response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            probe.Fail(KubernetesErrors.FromStatus((int)response.Status, null, cluster, null), unusable: true);
        }
        else if (!probe.Ready.Value)
        {
            probe.Fail(new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.ResourceUnavailable, cluster,
                $"Cluster '{cluster}' is not ready: /readyz answered {(int)response.Status} ({probe.ReadyzResult})."));
        }
    }

    // Version and node count are read from the JSON as it comes: the typed API would first build its
    // serializer's metadata for every type a NodeList can hold, a fixed cost in each session.
    private static async Task<string?> ServerVersionAsync(IKubeApi api, string cluster, CancellationToken token)
    {
        using var version = await GetJsonAsync(api, cluster, "/version", token).ConfigureAwait(false);
        return version.RootElement.TryGetProperty("gitVersion", out var gitVersion) ? gitVersion.GetString() : null;
    }

    // Counting needs no node's state: one item and the server's count of the rest (remainingItemCount,
    // as chunked lists give it) instead of every Node object, which runs to megabytes on a large cluster.
    // A server that leaves the count out (older than 1.15) is paged through.
    private static async Task<int> CountNodesAsync(IKubeApi api, string cluster, CancellationToken token)
    {
        var (count, continueToken, remaining) = await NodePageAsync(api, cluster, "?limit=1", token).ConfigureAwait(false);
        if (continueToken is null) return count;
        if (remaining is { } rest) return count + (int)rest;
        while (continueToken is not null)
        {
            var (items, next, _) = await NodePageAsync(api, cluster, $"?limit={NodePageSize}&continue={Uri.EscapeDataString(continueToken)}", token)
                .ConfigureAwait(false);
            count += items;
            continueToken = next;
        }
        return count;
    }

    private static async Task<(int Items, string? Continue, long? Remaining)> NodePageAsync(IKubeApi api, string cluster, string query,
        CancellationToken token)
    {
        using var page = await GetJsonAsync(api, cluster, "/api/v1/nodes" + query, token).ConfigureAwait(false);
        var root = page.RootElement;
        var items = root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        string? next = null;
        long? remaining = null;
        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            if (metadata.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() is { Length: > 0 } text) next = text;
            if (metadata.TryGetProperty("remainingItemCount", out var r) && r.TryGetInt64(out var n)) remaining = n;
        }
        return (items, next, remaining);
    }

    private static async Task<JsonDocument> GetJsonAsync(IKubeApi api, string cluster, string pathAndQuery, CancellationToken token)
    {
        var response = await api.SendAsync(HttpMethod.Get, pathAndQuery, null, null, token).ConfigureAwait(false);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, null);
        return JsonDocument.Parse(response.Utf8Body);
    }

    private static string OneLine(string body, int status)
    {
        var text = body.Replace('\n', ' ').Trim();
        if (text.Length == 0) return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return text.Length > 200 ? text[..200] + "..." : text;
    }

    /// <summary>What is known so far about one cluster.</summary>
    private sealed class Probe(FleetCluster cluster)
    {
        public bool Reachable;
        public bool? Ready;
        public string? ReadyzResult;
        public double? RoundTripMs;
        public string? ServerVersion;
        public int? NodeCount;
        public FleetHealthStatus Status = FleetHealthStatus.Healthy;
        private FleetException? _error;

        public void Fail(FleetException error, bool unusable = false)
        {
            _error ??= error;
            Status = unusable || !Reachable ? FleetHealthStatus.Unreachable : FleetHealthStatus.Degraded;
        }

        public FleetClusterHealth Result() => new()
        {
            Cluster = cluster.Name,
            Region = cluster.Region,
            Status = Status,
            Reachable = Reachable,
            Ready = Ready,
            ReadyzResult = ReadyzResult,
            RoundTripMs = RoundTripMs,
            ServerVersion = ServerVersion,
            NodeCount = NodeCount,
            ErrorId = _error?.ErrorId,
            Reason = _error?.Message,
            CheckedAt = DateTimeOffset.UtcNow,
        };
    }
}
