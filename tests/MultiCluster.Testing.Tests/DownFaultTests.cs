using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Tests;

/// <summary>
/// "Stopped" means down: no request is served once the fault is in force, on pooled (open)
/// HTTP/2 connections as well as new ones, as with a real API server that went away.
/// </summary>
public class DownFaultTests
{
    private const int Rounds = 20;

    private static HttpClient Http2Client(EmulatedCluster cluster)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == ServerCertificates.CertificateAuthority.Subject },
        };
        var http = new HttpClient(handler)
        {
            BaseAddress = cluster.Server,
            Timeout = TimeSpan.FromSeconds(20),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        return http;
    }

    [Fact]
    public async Task A_stopped_instance_fails_the_next_request_on_an_open_connection()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var http = Http2Client(cluster);
        for (var round = 0; round < Rounds; round++)
        {
            using (var up = await http.GetAsync("/api/v1/namespaces")) // opens (or reuses) the pooled connection
                up.StatusCode.Should().Be(HttpStatusCode.OK, $"round {round}: the instance is up");

            await cluster.SetFaultsAsync(new FaultSettings { Stopped = true });

            await FluentActions.Awaiting(() => http.GetAsync("/api/v1/namespaces"))
                .Should().ThrowAsync<HttpRequestException>($"round {round}: the instance is down");
            cluster.IsListening.Should().BeFalse();
            await cluster.ClearFaultsAsync();
        }
    }

    [Fact]
    public async Task Stopping_through_the_admin_route_fails_the_very_next_request_on_the_same_connection()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var http = Http2Client(cluster);
        for (var round = 0; round < Rounds; round++)
        {
            using (var up = await http.GetAsync("/api/v1/namespaces"))
                up.StatusCode.Should().Be(HttpStatusCode.OK, $"round {round}: the instance is up");

            using (var stop = await http.PostAsync("/_emulator/faults", new StringContent("""{"stopped":true}""", Encoding.UTF8, "application/json")))
                stop.StatusCode.Should().Be(HttpStatusCode.Accepted);

            // No pause: the 202 came back on this connection, and the next request on it must already fail.
            await FluentActions.Awaiting(() => http.GetAsync("/api/v1/namespaces"))
                .Should().ThrowAsync<HttpRequestException>($"round {round}: the instance is down");
            cluster.Faults.Stopped.Should().BeTrue();
            await cluster.ClearFaultsAsync(); // waits for the listener to close, then listens again
            cluster.IsListening.Should().BeTrue();
        }
    }
}
