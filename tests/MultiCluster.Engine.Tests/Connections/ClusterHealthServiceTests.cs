using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Tests.Connections;

public class ClusterHealthServiceTests
{
    /// <summary>Answers like an API server without any network: /readyz, /version and paged node lists.</summary>
    private sealed class FakeApiServer : DelegatingHandler
    {
        public int Nodes { get; init; } = 3;
        public HttpStatusCode Readyz { get; init; } = HttpStatusCode.OK;
        public bool Down { get; init; }
        public TimeSpan Delay { get; init; }
        public HttpStatusCode NodesStatus { get; init; } = HttpStatusCode.OK;

        /// <summary>Whether a page says how many items follow it (servers since 1.15 do, without selectors).</summary>
        public bool CountsRemaining { get; init; }
        public List<string> NodeQueries { get; } = [];
        public int Concurrent;
        public int MaxConcurrent;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref Concurrent);
            lock (this) MaxConcurrent = Math.Max(MaxConcurrent, now);
            try
            {
                await Task.Delay(Delay, cancellationToken);
                if (Down) throw new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused));
                var path = request.RequestUri!.AbsolutePath.TrimEnd('/');
                var response = path switch
                {
                    "/readyz" => Text(Readyz, Readyz == HttpStatusCode.OK ? "ok" : "[-]etcd failed: reason withheld\nreadyz check failed"),
                    "/version" => Json(HttpStatusCode.OK, """{"major":"1","minor":"32","gitVersion":"v1.32.1","platform":"linux/amd64"}"""),
                    "/api/v1/nodes" when NodesStatus != HttpStatusCode.OK => Json(NodesStatus, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"nodes is forbidden","code":403}"""),
                    "/api/v1/nodes" => NodePage(request.RequestUri.Query),
                    _ => Json(HttpStatusCode.NotFound, "{}"),
                };
                response.RequestMessage = request;
                return response;
            }
            finally
            {
                Interlocked.Decrement(ref Concurrent);
            }
        }

        private HttpResponseMessage NodePage(string query)
        {
            lock (NodeQueries) NodeQueries.Add(query);
            var offset = query.Contains("continue=") ? int.Parse(query.Split("continue=")[1].Split('&')[0]) : 0;
            var limit = int.Parse(query.Split("limit=")[1].Split('&')[0]);
            var count = Math.Min(limit, Nodes - offset);
            var next = offset + count < Nodes ? (offset + count).ToString() : "";
            var items = string.Join(",", Enumerable.Range(offset, count).Select(i => "{\"metadata\":{\"name\":\"n" + i + "\"}}"));
            var remaining = CountsRemaining && next.Length > 0 ? $",\"remainingItemCount\":{Nodes - offset - count}" : "";
            return Json(HttpStatusCode.OK, $$"""{"kind":"NodeList","apiVersion":"v1","metadata":{"continue":"{{next}}"{{remaining}}},"items":[{{items}}]}""");
        }

        private static HttpResponseMessage Text(HttpStatusCode code, string body) => new(code) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
        private static HttpResponseMessage Json(HttpStatusCode code, string body) => new(code) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    private sealed class FakeConnector(Dictionary<string, FakeApiServer> servers) : IClusterConnector
    {
        public ClusterConnection Connect(FleetCluster cluster)
        {
            if (!servers.TryGetValue(cluster.Name, out var server))
                throw new FleetClusterException(FleetErrorIds.ClusterContextNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name, $"no context '{cluster.Name}'");
            var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"http://{cluster.Name}.test", AccessToken = "t" }, server);
            return new ClusterConnection { Cluster = cluster, Client = client, DefaultNamespace = "default", Server = client.BaseUri };
        }
    }

    private static async Task<List<FleetClusterHealth>> Run(Dictionary<string, FakeApiServer> servers, IEnumerable<string> names, ClusterHealthOptions? options = null)
    {
        var service = new ClusterHealthService(new FakeConnector(servers));
        var results = new List<FleetClusterHealth>();
        await foreach (var health in service.TestAsync(names.Select(n => new FleetCluster { Name = n, Region = "r1" }), options))
            results.Add(health);
        return results;
    }

    [Fact]
    public async Task Nodes_are_counted_from_one_item_and_the_servers_count_of_the_rest()
    {
        var server = new FakeApiServer { Nodes = 1234, CountsRemaining = true };

        var health = (await Run(new() { ["a"] = server }, new[] { "a" })).Should().ContainSingle().Which;

        health.NodeCount.Should().Be(1234);
        server.NodeQueries.Should().ContainSingle("no Node object beyond the first is fetched")
            .Which.Should().Contain("limit=1").And.NotContain("continue=");
    }

    [Fact]
    public async Task Nodes_are_paged_through_when_the_server_does_not_count_them()
    {
        var server = new FakeApiServer { Nodes = 1234 };

        var health = (await Run(new() { ["a"] = server }, new[] { "a" })).Should().ContainSingle().Which;

        health.NodeCount.Should().Be(1234);
        server.NodeQueries.Should().HaveCount(4, "one item, then pages of 500 from where it stopped");
        server.NodeQueries[1].Should().Contain("limit=500").And.Contain("continue=1");
    }

    [Fact]
    public async Task A_healthy_cluster_reports_readyz_version_nodes_and_round_trip()
    {
        var results = await Run(new() { ["a"] = new FakeApiServer { Nodes = 1234 } }, new[] { "a" });

        var health = results.Should().ContainSingle().Which;
        health.Cluster.Should().Be("a");
        health.Region.Should().Be("r1");
        health.Status.Should().Be(FleetHealthStatus.Healthy, health.Reason);
        health.Reachable.Should().BeTrue();
        health.Ready.Should().BeTrue();
        health.ReadyzResult.Should().Be("ok");
        health.ServerVersion.Should().Be("v1.32.1");
        health.NodeCount.Should().Be(1234, "every page of nodes is counted when the server does not count them");
        health.RoundTripMs.Should().BeGreaterThanOrEqualTo(0);
        health.Reason.Should().BeNull(health.Reason);
        health.ErrorId.Should().BeNull();
        health.Reason.Should().BeNull();
    }

    [Fact]
    public async Task Failures_become_results_and_the_other_clusters_are_still_reported()
    {
        var results = await Run(new()
        {
            ["up"] = new FakeApiServer(),
            ["down"] = new FakeApiServer { Down = true },
            ["sick"] = new FakeApiServer { Readyz = HttpStatusCode.InternalServerError },
            ["no-rbac"] = new FakeApiServer { NodesStatus = HttpStatusCode.Forbidden },
        }, new[] { "up", "down", "sick", "no-rbac", "unknown" });

        results.Should().HaveCount(5);
        var byName = results.ToDictionary(r => r.Cluster);
        byName["up"].Status.Should().Be(FleetHealthStatus.Healthy);

        byName["down"].Status.Should().Be(FleetHealthStatus.Unreachable);
        byName["down"].Reachable.Should().BeFalse();
        byName["down"].ErrorId.Should().Be(FleetErrorIds.ClusterUnreachable);
        byName["down"].Reason.Should().Be("Cannot reach cluster 'down': connection refused.");

        byName["sick"].Status.Should().Be(FleetHealthStatus.Degraded);
        byName["sick"].Ready.Should().BeFalse();
        byName["sick"].ErrorId.Should().Be(FleetErrorIds.ClusterNotReady);
        byName["sick"].ReadyzResult.Should().Contain("etcd failed");

        byName["no-rbac"].Status.Should().Be(FleetHealthStatus.Degraded);
        byName["no-rbac"].ErrorId.Should().Be(FleetErrorIds.ClusterAccessDenied);
        byName["no-rbac"].ServerVersion.Should().Be("v1.32.1");

        byName["unknown"].Status.Should().Be(FleetHealthStatus.Unreachable);
        byName["unknown"].ErrorId.Should().Be(FleetErrorIds.ClusterContextNotFound);
    }

    [Fact]
    public async Task A_cluster_that_hangs_times_out_while_the_fast_ones_stream_first()
    {
        var results = await Run(new()
        {
            ["slow"] = new FakeApiServer { Delay = TimeSpan.FromSeconds(30) },
            ["fast"] = new FakeApiServer(),
        }, new[] { "slow", "fast" }, new ClusterHealthOptions { TimeoutSeconds = 1 });

        results.Select(r => r.Cluster).Should().Equal("fast", "slow");
        results[1].Status.Should().Be(FleetHealthStatus.Unreachable);
        results[1].ErrorId.Should().Be(FleetErrorIds.ClusterTimeout);
    }

    [Fact]
    public async Task The_throttle_bounds_parallel_checks()
    {
        var shared = new FakeApiServer { Delay = TimeSpan.FromMilliseconds(50) };
        var names = Enumerable.Range(0, 8).Select(i => $"c{i}").ToList();
        var servers = names.ToDictionary(n => n, _ => shared);

        var results = await Run(servers, names, new ClusterHealthOptions { Throttle = 2 });

        results.Should().HaveCount(8).And.OnlyContain(r => r.Status == FleetHealthStatus.Healthy);
        // Each check sends its three calls (readyz, version, nodes) together: two clusters at once is at most six requests.
        shared.MaxConcurrent.Should().BeInRange(3, 2 * 3);
    }

    [Fact]
    public async Task Cancelling_stops_the_enumeration()
    {
        var service = new ClusterHealthService(new FakeConnector(new() { ["slow"] = new FakeApiServer { Delay = TimeSpan.FromSeconds(30) } }));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var act = async () =>
        {
            await foreach (var _ in service.TestAsync(new[] { new FleetCluster { Name = "slow" } }, cancellationToken: cancel.Token)) { }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
    }
}
