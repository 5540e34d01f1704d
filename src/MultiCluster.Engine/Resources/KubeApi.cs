using System.Net;
using System.Net.Http.Headers;
using System.Text;
using k8s;
using MultiCluster.Engine.Connections;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// An API server's answer: status code and body. The body stays the UTF-8 it came as, which the JSON
/// readers take directly; the text is decoded only when asked for (error messages, /readyz). A list
/// of 2,000 objects is megabytes, and a string of it was twice that again.
/// </summary>
internal sealed class KubeApiResponse
{
    private readonly byte[] _utf8Body;
    private string? _body;

    public KubeApiResponse(HttpStatusCode status, byte[] utf8Body)
    {
        Status = status;
        _utf8Body = utf8Body;
    }

    public KubeApiResponse(HttpStatusCode status, string body) : this(status, Encoding.UTF8.GetBytes(body)) => _body = body;

    public HttpStatusCode Status { get; }
    public bool IsSuccess => (int)Status is >= 200 and < 300;
    public ReadOnlyMemory<byte> Utf8Body => _utf8Body;
    public string Body => _body ??= Encoding.UTF8.GetString(_utf8Body);
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
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new KubeApiResponse(response.StatusCode, answer);
    }
}
