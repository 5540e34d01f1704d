using System.Net;
using System.Net.Http.Headers;
using System.Text;
using k8s;
using MultiCluster.Engine.Connections;

namespace MultiCluster.Engine.Resources;

/// <summary>An API server's answer: status code and body text.</summary>
internal sealed record KubeApiResponse(HttpStatusCode Status, string Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// Raw HTTP to one API server. Generic kinds need paths KubernetesClient's typed API does not
/// build (any group version's discovery, apply patches with dry run and force), so requests go
/// through the client's own HttpClient (its TLS, handlers and retries) with its credentials.
/// </summary>
internal interface IKubeApi
{
    Task<KubeApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken);
}

internal sealed class KubernetesClientApi(Kubernetes client) : IKubeApi
{
    public async Task<KubeApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken)
    {
        using var request = await ApiServerRequest.CreateAsync(client, method, pathAndQuery, cancellationToken).ConfigureAwait(false);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json") { CharSet = null };
        }
        using var response = await client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new KubeApiResponse(response.StatusCode, text);
    }
}
