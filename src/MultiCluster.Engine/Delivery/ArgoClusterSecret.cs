using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Delivery;

/// <summary>What a cluster Secret hands Argo CD: where the cluster is, its CA (base64 PEM) and the argocd-manager token.</summary>
internal sealed record ArgoCredentials(string Server, string CaData, string BearerToken);

/// <summary>
/// The declarative Argo CD cluster Secret: label <c>argocd.argoproj.io/secret-type: cluster</c>,
/// the name the Argo CD API gives it (<c>cluster-HOST-FNV32A</c>), data <c>name</c>,
/// <c>server</c> and <c>config</c> (JSON as Argo CD serialises it: bearerToken, tlsClientConfig
/// with insecure and caData), <c>namespaces</c> and <c>clusterResources</c> for a namespaced
/// registration, and the fleet's region, role and labels as Secret labels, which Argo CD hands
/// ApplicationSet cluster generators as the cluster's labels.
/// </summary>
internal static class ArgoClusterSecret
{
    public const string SecretTypeLabel = "argocd.argoproj.io/secret-type";
    public const string SecretTypeCluster = "cluster";
    public const string RegionLabel = "multicluster.io/region";
    public const string RoleLabel = "multicluster.io/role";

    /// <summary>Argo CD's URIToSecretName("cluster", server): lower-case host without port and the FNV-1a 32 hash of the whole URL.</summary>
    public static string SecretName(string server)
    {
        var host = new Uri(server).Host.ToLowerInvariant().Trim('[', ']');
        return $"cluster-{host}-{Fnv32a(server)}";
    }

    /// <summary>The labels a fleet cluster carries in Argo CD: its own labels, then region and role.</summary>
    public static IReadOnlyDictionary<string, string> FleetLabels(FleetCluster cluster)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in cluster.Labels) labels[key] = value;
        if (!string.IsNullOrEmpty(cluster.Region)) labels[RegionLabel] = cluster.Region;
        labels[RoleLabel] = cluster.Role.ToString().ToLowerInvariant();
        return labels;
    }

    /// <summary>The config JSON in Argo CD's field order (ClusterConfig, TLSClientConfig); insecure is always written.</summary>
    public static string Config(ArgoCredentials credentials) =>
        new JsonObject
        {
            ["bearerToken"] = credentials.BearerToken,
            ["tlsClientConfig"] = new JsonObject { ["insecure"] = false, ["caData"] = credentials.CaData },
        }.ToJsonString();

    public static KubeObject Render(FleetCluster cluster, ArgoCredentials credentials, string argoNamespace, IReadOnlyList<string> namespaces)
    {
        var labels = new JsonObject { [SecretTypeLabel] = SecretTypeCluster, [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue };
        foreach (var (key, value) in FleetLabels(cluster)) labels[key] = value;
        var data = new JsonObject
        {
            ["name"] = cluster.Name,
            ["server"] = credentials.Server,
            ["config"] = Config(credentials),
        };
        if (namespaces.Count > 0)
        {
            data["namespaces"] = string.Join(",", namespaces);
            data["clusterResources"] = "false";
        }
        return new KubeObject(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = SecretName(credentials.Server), ["namespace"] = argoNamespace, ["labels"] = labels },
            ["type"] = "Opaque",
            ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Base64(d.Value!.ToString())))),
        });
    }

    /// <summary>Whether the live Secret holds exactly what <paramref name="desired"/> says (data, type and labels).</summary>
    public static bool Matches(KubeObject live, KubeObject desired)
    {
        var liveData = live.Json["data"] as JsonObject ?? [];
        var desiredData = (JsonObject)desired.Json["data"]!;
        if (liveData.Count != desiredData.Count || desiredData.Any(d => liveData[d.Key]?.ToString() != d.Value?.ToString())) return false;
        var liveLabels = live.Labels;
        return desired.Labels.Count == liveLabels.Count && desired.Labels.All(l => liveLabels.GetValueOrDefault(l.Key) == l.Value);
    }

    /// <summary>The decoded data value <paramref name="key"/> of a Secret, or null.</summary>
    public static string? Data(KubeObject secret, string key) =>
        secret.Json["data"]?[key]?.ToString() is { Length: > 0 } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static uint Fnv32a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash;
    }
}
