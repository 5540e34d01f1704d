using System.Text.Json.Nodes;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.Connections;

/// <summary>The connector and the health service against emulated clusters over real HTTPS.</summary>
public class EmulatorLiveTests
{
    private static FleetCluster Cluster(string name) => new() { Name = name, Region = "emu" };

    [Fact]
    public async Task Health_reports_healthy_clusters_and_a_stopped_one_as_unreachable_with_the_reason()
    {
        await using var fleet = await EmulatedFleet.StartAsync(3, "health");
        fleet[0].CreateObject(Node("node-a"));
        fleet[0].CreateObject(Node("node-b"));
        await fleet[1].SetFaultsAsync(new FaultSettings { Stopped = true });
        using var connector = new KubernetesConnector(KubeconfigSource.FromPaths(fleet.KubeconfigPath),
            new ConnectorOptions { Retry = new FleetRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(10) } });

        var results = new List<FleetClusterHealth>();
        await foreach (var health in new ClusterHealthService(connector).TestAsync(fleet.Clusters.Select(c => Cluster(c.Name)), new ClusterHealthOptions { TimeoutSeconds = 20 }))
            results.Add(health);

        results.Should().HaveCount(3);
        var byName = results.ToDictionary(r => r.Cluster);
        var healthy = byName["health-1"];
        healthy.Status.Should().Be(FleetHealthStatus.Healthy, healthy.Reason);
        healthy.Ready.Should().BeTrue();
        healthy.ServerVersion.Should().Be("v1.32.3");
        healthy.NodeCount.Should().Be(2);
        healthy.RoundTripMs.Should().BeGreaterThan(0);
        byName["health-3"].Status.Should().Be(FleetHealthStatus.Healthy, byName["health-3"].Reason);

        var stopped = byName["health-2"];
        stopped.Status.Should().Be(FleetHealthStatus.Unreachable);
        stopped.Reachable.Should().BeFalse();
        stopped.ErrorId.Should().Be(FleetErrorIds.ClusterUnreachable);
        stopped.Reason.Should().Be("Cannot reach cluster 'health-2': connection refused.");
    }

    [Fact]
    public async Task A_health_check_an_api_call_and_an_event_watch_share_the_clusters_one_http2_connection()
    {
        // A request sent as HTTP/1.1 beside KubernetesClient's HTTP/2 calls opens a second TLS
        // connection to the same server: twice the handshakes and the memory across a fleet.
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "one-conn" });
        cluster.CreateObject(Node("node-a"));
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(cluster.Kubeconfig()));
        var member = Cluster("one-conn");

        var health = await new ClusterHealthService(connector).TestAsync(new[] { member }, new ClusterHealthOptions { TimeoutSeconds = 20 }).ToListAsync();
        var client = (Kubernetes)connector.Connect(member).Client;
        var namespaces = await new MultiCluster.Engine.Resources.KubernetesClientApi(client).SendAsync(HttpMethod.Get, "/api/v1/namespaces", null, null, CancellationToken.None);
        var watcher = new MultiCluster.Engine.Observability.Events.FleetEventWatcher(connector,
            new MultiCluster.Engine.Observability.Events.EventWatchOptions { Duration = TimeSpan.FromSeconds(1) });
        var changes = await watcher.WatchAsync(new[] { member }, MultiCluster.Engine.Observability.Events.EventQuery.Create()).ToListAsync();

        health.Should().ContainSingle().Which.Status.Should().Be(FleetHealthStatus.Healthy);
        namespaces.IsSuccess.Should().BeTrue();
        changes.Should().BeEmpty();
        // The server logs the watch once it sees the client go, a moment after the watcher returns.
        for (var waited = 0; waited < 100 && !cluster.RequestLog.Requests.Any(r => r.Query.Contains("watch=true")); waited++)
            await Task.Delay(100);
        var requests = cluster.RequestLog.Requests;
        requests.Select(r => r.Path).Should().Contain(["/version", "/readyz", "/api/v1/nodes", "/api/v1/namespaces", "/apis/events.k8s.io/v1/events"]);
        requests.Should().Contain(r => r.Query.Contains("watch=true"), "the watch itself is one of the requests");
        requests.Should().OnlyContain(r => r.Protocol == "HTTP/2", "every request goes as HTTP/2");
        requests.Select(r => r.ConnectionId).Distinct().Should().ContainSingle("all of them share one connection");
    }

    [Fact]
    public async Task A_hanging_cluster_times_out_as_unreachable()
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "hung" });
        await cluster.SetFaultsAsync(new FaultSettings { Hanging = true });
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(cluster.Kubeconfig()));

        var results = new List<FleetClusterHealth>();
        await foreach (var health in new ClusterHealthService(connector).TestAsync(new[] { Cluster("hung") }, new ClusterHealthOptions { TimeoutSeconds = 1 }))
            results.Add(health);

        var result = results.Should().ContainSingle().Which;
        result.Status.Should().Be(FleetHealthStatus.Unreachable);
        result.ErrorId.Should().Be(FleetErrorIds.ClusterTimeout);
        await cluster.ClearFaultsAsync();
    }

    [Fact]
    public async Task The_connector_talks_tls_with_the_kubeconfigs_ca_and_logs_each_call()
    {
        await using var fleet = await EmulatedFleet.StartAsync(1, "tls");
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(fleet.Kubeconfig));
        var reporter = new RecordingReporter();

        var connection = connector.Connect(Cluster("tls-1"));
        using (FleetCallContext.Use(reporter))
        {
            var namespaces = await connection.Client.CoreV1.ListNamespaceAsync();
            namespaces.Items.Should().Contain(n => n.Metadata.Name == connection.DefaultNamespace);
        }

        connection.Server.Should().Be(fleet[0].Server);
        reporter.VerboseLines.Should().ContainSingle().Which.Should().MatchRegex(@"^GET tls-1 /api/v1/namespaces -> 200 \(\d+ ms\)$");
    }

    [Fact]
    public async Task A_wrong_ca_is_ClusterCertificateInvalid()
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "wrong-ca" });
        var kubeconfig = cluster.Kubeconfig().Replace(
            Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(EmulatedCluster.CertificateAuthorityPem)), TestKubeconfig.CaData);
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(kubeconfig));
        var connection = connector.Connect(Cluster("wrong-ca"));

        var error = KubernetesErrors.Translate(await CaptureAsync(() => connection.Client.CoreV1.ListNamespaceAsync()), "wrong-ca");

        error.ErrorId.Should().Be(FleetErrorIds.ClusterCertificateInvalid);
        error.Message.Should().NotContain(cluster.AdminToken);
    }

    [Fact]
    public async Task A_bad_token_is_ClusterAuthenticationFailed_and_never_shown()
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "bad-token" });
        var kubeconfig = cluster.Kubeconfig().Replace(cluster.AdminToken, "not-the-right-token-42");
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(kubeconfig));
        var connection = connector.Connect(Cluster("bad-token"));

        var error = KubernetesErrors.Translate(await CaptureAsync(() => connection.Client.CoreV1.ListNamespaceAsync()), "bad-token");

        error.ErrorId.Should().Be(FleetErrorIds.ClusterAuthenticationFailed);
        error.Category.Should().Be(FleetErrorCategory.AuthenticationError);
        error.Message.Should().NotContain("not-the-right-token-42");
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_the_limit_then_reported()
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "flaky" });
        await cluster.SetFaultsAsync(new FaultSettings { FailureRate = 1.0, FailureStatusCode = 500 });
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(cluster.Kubeconfig()),
            new ConnectorOptions { Retry = new FleetRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(5) } });
        var reporter = new RecordingReporter();
        var connection = connector.Connect(Cluster("flaky"));

        Exception failure;
        using (FleetCallContext.Use(reporter))
            failure = await CaptureAsync(() => connection.Client.CoreV1.ListNamespaceAsync());

        KubernetesErrors.Translate(failure, "flaky").ErrorId.Should().Be(FleetErrorIds.ServerError);
        reporter.VerboseLines.Count(l => l.StartsWith("GET flaky /api/v1/namespaces -> 500", StringComparison.Ordinal)).Should().Be(4);
    }

    [UnixFact]
    public async Task An_exec_plugin_supplies_the_token()
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "exec" });
        using var dir = new TempDirectory();
        var plugin = dir.Write("plugin.sh", "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + cluster.AdminToken + "\"}}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var kubeconfig = cluster.Kubeconfig().Replace($"    token: {cluster.AdminToken}\n",
            $"    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {plugin}\n");
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(kubeconfig));

        var version = await connector.Connect(Cluster("exec")).Client.CoreV1.ListNamespaceAsync();

        version.Items.Should().NotBeEmpty();
    }

    private static JsonObject Node(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name },
    };

    private static async Task<Exception> CaptureAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("the call was expected to fail");
    }
}
