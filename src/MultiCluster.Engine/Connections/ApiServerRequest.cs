using System.Net;
using System.Net.Http.Headers;
using k8s;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// A request to a cluster's API server sent through its KubernetesClient pipeline (TLS, handlers,
/// retries) for paths the typed API does not build, with the client's credentials applied.
/// </summary>
internal static class ApiServerRequest
{
    public static async Task<HttpRequestMessage> CreateAsync(Kubernetes client, HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(client.BaseUri.AbsoluteUri.TrimEnd('/') + pathAndQuery))
        {
            // HTTP/2 where the server offers it, as KubernetesClient's own calls: all of a cluster's
            // requests then share one TLS connection. An HTTP/1.1 request would open a second one.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            if (client.Credentials is { } credentials)
                await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }
}
