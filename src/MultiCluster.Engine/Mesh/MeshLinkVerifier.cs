using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>What checking one link's token against its peer found.</summary>
internal sealed record LinkVerdict(FleetMeshLinkStatus Status, string Message, DateTimeOffset? Expires);

/// <summary>
/// Checks a remote secret's kubeconfig with real requests to the peer it points at, as istiod
/// would use it: the token must authenticate, list what istiod reads, and be refused every write
/// the reader role does not grant (asked with SelfSubjectAccessReviews, so nothing is changed).
/// </summary>
internal static class MeshLinkVerifier
{
    /// <summary>Reads istiod must be able to do (group, resource).</summary>
    private static readonly (string Group, string Resource)[] MustList =
        [("", "pods"), ("", "services"), ("", "endpoints"), ("", "namespaces"), ("", "secrets"), ("discovery.k8s.io", "endpointslices")];

    /// <summary>Writes the reader must not be able to do (verb, group, resource).</summary>
    private static readonly (string Verb, string Group, string Resource)[] MustNot =
    [
        ("create", "", "secrets"), ("delete", "", "secrets"), ("create", "", "pods"), ("delete", "", "pods"), ("update", "", "services"),
        ("create", "", "namespaces"), ("delete", "", "namespaces"), ("create", "", "configmaps"), ("create", "rbac.authorization.k8s.io", "clusterrolebindings"),
        ("delete", "networking.istio.io", "virtualservices"), ("create", "apps", "deployments"),
    ];

    public static async Task<LinkVerdict> VerifyAsync(string peer, string kubeconfig, CancellationToken cancellationToken)
    {
        var credentials = IstioRemoteSecret.Parse(kubeconfig);
        if (credentials is null) return new(FleetMeshLinkStatus.Broken, "The remote secret's kubeconfig has no server or token.", null);
        var expires = TokenExpiry(credentials.Token);
        if (expires is { } expiry && expiry <= DateTimeOffset.UtcNow)
            return new(FleetMeshLinkStatus.Broken, $"The token expired at {expiry:u}.", expires);

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
        var api = new KubernetesClientApi(client);
        try
        {
            // A real read first: it proves the token authenticates (SelfSubjectAccessReviews below are open to any authenticated user).
            var list = await api.SendAsync(HttpMethod.Get, "/api/v1/services?limit=1", null, null, cancellationToken).ConfigureAwait(false);
            if (list.Status == HttpStatusCode.Unauthorized)
                return new(FleetMeshLinkStatus.Broken, $"{peer} rejects the token (401): it was revoked or belongs to another cluster.", expires);
            if (list.Status == HttpStatusCode.Forbidden)
                return new(FleetMeshLinkStatus.Broken, $"The token cannot list services on {peer} (403): the reader's ClusterRoleBinding is missing or changed.", expires);
            if (!list.IsSuccess) throw ResourceErrors.FromResponse(list, peer, "services");
            foreach (var (group, resource) in MustList)
            {
                if (!await AllowedAsync(api, "list", group, resource, cancellationToken).ConfigureAwait(false))
                    return new(FleetMeshLinkStatus.Broken, $"The token cannot list {Qualified(group, resource)} on {peer}, which istiod reads.", expires);
            }
            foreach (var (verb, group, resource) in MustNot)
            {
                if (await AllowedAsync(api, verb, group, resource, cancellationToken).ConfigureAwait(false))
                    return new(FleetMeshLinkStatus.Broken, $"The token may {verb} {Qualified(group, resource)} on {peer}: more than istiod's reader role grants.", expires);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = ex as FleetException ?? KubernetesErrors.Translate(ex, peer, null, cancellationToken);
            return new(FleetMeshLinkStatus.Unknown, $"{peer} could not be reached with the remote secret's kubeconfig: {error.Message}", expires);
        }
        return new(FleetMeshLinkStatus.Healthy,
            $"The token authenticates against {peer}, lists what istiod reads and may not write" + (expires is null ? "; it does not expire." : $"; it expires {expires:u}."),
            expires);
    }

    private static async Task<bool> AllowedAsync(IKubeApi api, string verb, string group, string resource, CancellationToken cancellationToken)
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject { ["resourceAttributes"] = new JsonObject { ["verb"] = verb, ["group"] = group, ["resource"] = resource } },
        };
        var response = await api.SendAsync(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.ToJsonString(), "application/json",
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, "peer", "SelfSubjectAccessReview");
        return JsonNode.Parse(response.Utf8Body.Span)?["status"]?["allowed"]?.GetValue<bool>() == true;
    }

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    /// <summary>The <c>exp</c> claim of a JWT token; null for a token that is no JWT or has no expiry.</summary>
    internal static DateTimeOffset? TokenExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
            return document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
