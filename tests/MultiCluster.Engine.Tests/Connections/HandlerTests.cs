using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Tests.Connections;

public class HandlerTests
{
    /// <summary>Answers each request with the next scripted outcome and counts the calls.</summary>
    private sealed class ScriptedHandler(params Func<HttpResponseMessage>[] outcomes) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var outcome = outcomes[Math.Min(Calls, outcomes.Length - 1)];
            Calls++;
            return Task.FromResult(outcome());
        }
    }

    private static Func<HttpResponseMessage> Status(HttpStatusCode code, TimeSpan? retryAfter = null) => () =>
    {
        var response = new HttpResponseMessage(code);
        if (retryAfter is { } delay) response.Headers.RetryAfter = new RetryConditionHeaderValue(delay);
        return response;
    };

    private static Func<HttpResponseMessage> Dropped => () => throw new HttpRequestException("connection reset", new SocketException((int)SocketError.ConnectionReset));

    private static readonly FleetRetryOptions Fast = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromSeconds(5), UseJitter = true };

    private static async Task<(HttpResponseMessage Response, int Calls)> Send(HttpRequestMessage request, ScriptedHandler stub, FleetRetryOptions? options = null)
    {
        using var invoker = new HttpMessageInvoker(new RetryHandler("prod-euc1", options ?? Fast) { InnerHandler = stub });
        var response = await invoker.SendAsync(request, CancellationToken.None);
        return (response, stub.Calls);
    }

    private static HttpRequestMessage Get() => new(HttpMethod.Get, "https://10.0.0.1:6443/api/v1/namespaces");

    [Fact]
    public async Task Retries_429_then_succeeds()
    {
        var (response, calls) = await Send(Get(), new ScriptedHandler(Status(HttpStatusCode.TooManyRequests), Status(HttpStatusCode.OK)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        calls.Should().Be(2);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Gives_up_after_four_attempts_on_server_errors(HttpStatusCode code)
    {
        var (response, calls) = await Send(Get(), new ScriptedHandler(Status(code)));

        response.StatusCode.Should().Be(code);
        calls.Should().Be(4);
    }

    [Fact]
    public async Task The_number_of_attempts_is_configurable()
    {
        var (_, calls) = await Send(Get(), new ScriptedHandler(Status(HttpStatusCode.InternalServerError)), new FleetRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) });

        calls.Should().Be(2);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public async Task Never_retries_other_4xx(HttpStatusCode code)
    {
        var (response, calls) = await Send(Get(), new ScriptedHandler(Status(code), Status(HttpStatusCode.OK)));

        response.StatusCode.Should().Be(code);
        calls.Should().Be(1);
    }

    [Fact]
    public async Task Retries_a_dropped_connection()
    {
        var (response, calls) = await Send(Get(), new ScriptedHandler(Dropped, Status(HttpStatusCode.OK)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        calls.Should().Be(2);
    }

    [Fact]
    public async Task Does_not_retry_a_tls_failure()
    {
        var stub = new ScriptedHandler(() => throw new HttpRequestException("ssl", new AuthenticationException("remote certificate rejected")));

        await FluentActions.Awaiting(() => Send(Get(), stub)).Should().ThrowAsync<HttpRequestException>();
        stub.Calls.Should().Be(1);
    }

    [Fact]
    public async Task Does_not_retry_a_POST_but_retries_a_server_side_apply_PATCH()
    {
        var post = new HttpRequestMessage(HttpMethod.Post, "https://h/api/v1/namespaces") { Content = new StringContent("{}") };
        (await Send(post, new ScriptedHandler(Status(HttpStatusCode.ServiceUnavailable), Status(HttpStatusCode.OK)))).Calls.Should().Be(1);

        var mergePatch = new HttpRequestMessage(HttpMethod.Patch, "https://h/api/v1/namespaces/x")
        {
            Content = new StringContent("{}", null, "application/merge-patch+json"),
        };
        (await Send(mergePatch, new ScriptedHandler(Status(HttpStatusCode.ServiceUnavailable), Status(HttpStatusCode.OK)))).Calls.Should().Be(1);

        var apply = new HttpRequestMessage(HttpMethod.Patch, "https://h/api/v1/namespaces/x?fieldManager=multicluster")
        {
            Content = new StringContent("{}", null, "application/apply-patch+yaml"),
        };
        var (response, calls) = await Send(apply, new ScriptedHandler(Status(HttpStatusCode.ServiceUnavailable), Status(HttpStatusCode.OK)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        calls.Should().Be(2);
    }

    [Fact]
    public async Task Honours_Retry_After()
    {
        var reporter = new RecordingReporter();
        using (FleetCallContext.Use(reporter))
            await Send(Get(), new ScriptedHandler(Status(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1)), Status(HttpStatusCode.OK)));

        reporter.VerboseLines.Should().ContainSingle().Which.Should()
            .Be("GET prod-euc1 /api/v1/namespaces: 429; retry 1 of 3 in 1000 ms");
    }

    [Fact]
    public async Task Logs_one_line_per_call_without_query_secrets()
    {
        var reporter = new RecordingReporter();
        using var invoker = new HttpMessageInvoker(new ApiCallLogHandler("prod-euc1") { InnerHandler = new ScriptedHandler(Status(HttpStatusCode.OK)) });

        using (FleetCallContext.Use(reporter))
        {
            await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get,
                "https://h/apis/apps/v1/namespaces/default/deployments/x?token=abc&labelSelector=app%3Dweb&continue=secretish&watch=false"), CancellationToken.None);
        }

        reporter.VerboseLines.Should().ContainSingle().Which.Should()
            .MatchRegex(@"^GET prod-euc1 /apis/apps/v1/namespaces/default/deployments/x\?labelSelector=app%3Dweb -> 200 \(\d+ ms\)$");
    }

    [Fact]
    public async Task Logs_failed_calls_too()
    {
        var reporter = new RecordingReporter();
        using var invoker = new HttpMessageInvoker(new ApiCallLogHandler("c") { InnerHandler = new ScriptedHandler(Dropped) });

        using (FleetCallContext.Use(reporter))
            await FluentActions.Awaiting(() => invoker.SendAsync(Get(), CancellationToken.None)).Should().ThrowAsync<HttpRequestException>();

        reporter.VerboseLines.Should().ContainSingle().Which.Should().MatchRegex(@"^GET c /api/v1/namespaces -> HttpRequestException \(\d+ ms\)$");
    }
}
