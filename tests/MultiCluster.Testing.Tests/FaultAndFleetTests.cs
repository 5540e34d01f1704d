using k8s;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using k8s.Autorest;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Tests;

/// <summary>Faults on demand and the fleet's kubeconfig.</summary>
public class FaultAndFleetTests
{
    private static HttpClient RawClient(EmulatedCluster cluster)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
                cert is not null && cert.Issuer == ServerCertificates.CertificateAuthority.Subject,
        };
        var http = new HttpClient(handler) { BaseAddress = cluster.Server, Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        return http;
    }

    [Fact]
    public async Task Fleet_writes_a_kubeconfig_with_one_context_per_instance()
    {
        await using var fleet = await EmulatedFleet.StartAsync(3, "fleet");
        File.Exists(fleet.KubeconfigPath).Should().BeTrue();
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(fleet.KubeconfigPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = k8s.KubernetesClientConfiguration.LoadKubeConfig(fleet.KubeconfigPath);
        config.Contexts.Select(c => c.Name).Should().Equal("fleet-1", "fleet-2", "fleet-3");
        config.Clusters.Should().HaveCount(3).And.OnlyContain(c => !string.IsNullOrEmpty(c.ClusterEndpoint.CertificateAuthorityData));
        fleet.Clusters.Select(c => c.Port).Distinct().Should().HaveCount(3);
        foreach (var context in config.Contexts)
        {
            var clientConfig = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(fleet.KubeconfigPath, context.Name);
            using var client = new k8s.Kubernetes(clientConfig);
            (await client.CoreV1.ListNamespaceAsync()).Items.Should().HaveCount(4);
        }
    }

    [Fact]
    public async Task Failure_rate_answers_429_with_retry_after_or_500()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var http = RawClient(cluster);
        await cluster.SetFaultsAsync(new FaultSettings { FailureRate = 1, FailureStatusCode = 429, RetryAfterSeconds = 3 });
        using (var response = await http.GetAsync("/api/v1/namespaces"))
        {
            response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
            response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(3));
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString().Should().Be("TooManyRequests");
        }
        await cluster.SetFaultsAsync(new FaultSettings { FailureRate = 1 });
        (await http.GetAsync("/api/v1/namespaces")).StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        await cluster.ClearFaultsAsync();
        (await http.GetAsync("/api/v1/namespaces")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_seeded_mix_fails_the_same_requests_with_500_or_429_on_every_run()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var http = RawClient(cluster);
        var mix = new FaultSettings { FailureRate = 0.3, FailureStatusCodes = [500, 429], Seed = 7 };

        async Task<List<int>> Run()
        {
            await cluster.SetFaultsAsync(mix with { }); // new settings: the seeded draw starts again
            var statuses = new List<int>();
            for (var i = 0; i < 60; i++)
            {
                using var response = await http.GetAsync(i % 2 == 0 ? "/api/v1/namespaces" : "/api/v1/configmaps");
                statuses.Add((int)response.StatusCode);
            }
            return statuses;
        }

        var first = await Run();
        first.Should().HaveCount(60).And.OnlyContain(s => s == 200 || s == 500 || s == 429);
        first.Should().Contain(500).And.Contain(429).And.Contain(200);
        first.Count(s => s != 200).Should().BeInRange(6, 36, "about 30 % of 60 fail");
        (await Run()).Should().Equal(first, "the seed decides which request fails, and how");
    }

    [Fact]
    public async Task Stopped_refuses_connections_and_comes_back_on_the_same_port()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        var port = cluster.Port;
        await cluster.SetFaultsAsync(new FaultSettings { Stopped = true });
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var connect = () => socket.ConnectAsync(IPAddress.Loopback, port);
            (await connect.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
        }
        await cluster.ClearFaultsAsync();
        cluster.Port.Should().Be(port);
        using var http = RawClient(cluster);
        (await http.GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Hanging_requests_are_answered_once_the_fault_is_cleared()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var http = RawClient(cluster);
        await cluster.SetFaultsAsync(new FaultSettings { Hanging = true });
        var pending = http.GetAsync("/api/v1/namespaces/default");
        await Task.Delay(500);
        pending.IsCompleted.Should().BeFalse();
        await cluster.ClearFaultsAsync();
        (await pending).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Latency_delays_answers()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var http = RawClient(cluster);
        await http.GetAsync("/version");
        await cluster.SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromMilliseconds(300) });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await http.GetAsync("/version");
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task Admin_paths_set_faults_advance_the_clock_and_report_state()
    {
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "admin" });
        using var http = RawClient(cluster);
        var before = cluster.Clock.UtcNow;
        using (var clock = await http.PostAsync("/_emulator/clock", new StringContent("{\"advanceSeconds\":3600}", Encoding.UTF8, "application/json")))
            clock.StatusCode.Should().Be(HttpStatusCode.OK);
        (cluster.Clock.UtcNow - before).Should().BeGreaterThanOrEqualTo(TimeSpan.FromHours(1));

        using (var faults = await http.PostAsync("/_emulator/faults", new StringContent("{\"failureRate\":1,\"failureStatusCode\":429}", Encoding.UTF8, "application/json")))
            faults.StatusCode.Should().Be(HttpStatusCode.OK);
        cluster.Faults.FailureStatusCode.Should().Be(429);
        (await http.GetAsync("/api")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        var state = JsonDocument.Parse(await http.GetStringAsync("/_emulator/state")).RootElement;
        state.GetProperty("name").GetString().Should().Be("admin");
        state.GetProperty("faults").GetProperty("failureRate").GetDouble().Should().Be(1);
        state.GetProperty("objects").GetProperty("namespaces").GetInt32().Should().Be(4);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        (await http.GetAsync("/_emulator/state")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_stop_for_a_while_refuses_connections_then_listens_again()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using (var http = RawClient(cluster))
        using (var stop = await http.PostAsync("/_emulator/faults", new StringContent("{\"stopped\":true,\"stoppedForSeconds\":1.5}", Encoding.UTF8, "application/json")))
            stop.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Task.Delay(400);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var connect = () => socket.ConnectAsync(IPAddress.Loopback, cluster.Port);
            await connect.Should().ThrowAsync<SocketException>();
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!cluster.IsListening && DateTime.UtcNow < deadline) await Task.Delay(100);
        using var again = RawClient(cluster);
        (await again.GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_kubernetes_client_sees_the_injected_status()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var client = TestSupport.ClientFor(cluster);
        await cluster.SetFaultsAsync(new FaultSettings { FailureRate = 1 });
        var e = await FluentActions.Awaiting(() => client.CoreV1.ListNamespaceAsync()).Should().ThrowAsync<HttpOperationException>();
        e.Which.Response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
    }
}
