using System.Net;
using System.Net.Http.Headers;
using MultiCluster.Engine.Connections;

namespace MultiCluster.Engine.Tests.Connections;

public class CredentialRefreshHandlerTests
{
    private sealed class RotatingSource(params string[] tokens) : ICredentialSource
    {
        private int _index;
        public int Invalidations;

        public Task<ExecCredential> GetAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new ExecCredential(tokens[Math.Min(_index, tokens.Length - 1)], null, null, null));

        public void Invalidate()
        {
            Invalidations++;
            _index++;
        }
    }

    private sealed class AcceptsOnly(string token) : HttpMessageHandler
    {
        public List<string?> Seen { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request.Headers.Authorization?.Parameter);
            return Task.FromResult(new HttpResponseMessage(request.Headers.Authorization?.Parameter == token ? HttpStatusCode.OK : HttpStatusCode.Unauthorized));
        }
    }

    private static async Task<HttpStatusCode> Send(ICredentialSource source, AcceptsOnly server, string token)
    {
        using var invoker = new HttpMessageInvoker(new CredentialRefreshHandler(source) { InnerHandler = server });
        var request = new HttpRequestMessage(HttpMethod.Get, "https://h/api");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await invoker.SendAsync(request, CancellationToken.None)).StatusCode;
    }

    [Fact]
    public async Task A_refused_token_is_replaced_once_and_the_request_repeated()
    {
        var source = new RotatingSource("old", "new");
        var server = new AcceptsOnly("new");

        (await Send(source, server, "old")).Should().Be(HttpStatusCode.OK);

        server.Seen.Should().Equal("old", "new");
        source.Invalidations.Should().Be(1);
    }

    [Fact]
    public async Task The_same_token_again_is_not_resent()
    {
        var source = new RotatingSource("same");
        var server = new AcceptsOnly("other");

        (await Send(source, server, "same")).Should().Be(HttpStatusCode.Unauthorized);

        server.Seen.Should().Equal("same");
    }
}
