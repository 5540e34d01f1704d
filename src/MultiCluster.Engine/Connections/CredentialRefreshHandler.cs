using System.Net;
using System.Net.Http.Headers;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// When the API server answers 401 to a token from an exec plugin or an EKS token, fetches a new
/// credential once and repeats the request with it, as kubectl does when a cached token was
/// revoked or expired early.
/// </summary>
internal sealed class CredentialRefreshHandler(ICredentialSource source) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Headers.Authorization?.Scheme != "Bearer")
            return response;

        var refused = request.Headers.Authorization.Parameter;
        source.Invalidate();
        var fresh = await source.GetAsync(cancellationToken).ConfigureAwait(false);
        if (fresh.Token is null || fresh.Token == refused) return response;

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.Token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
