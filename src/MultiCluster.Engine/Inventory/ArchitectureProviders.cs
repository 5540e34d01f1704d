namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Recognises the product a free-text reference-architecture value names ("Cilium Cluster Mesh",
/// "Dex with OIDC", "Multi-region S3"). The first keyword found wins, so more specific products
/// come before the generic ones they mention (Dex before OIDC).
/// </summary>
public static class ArchitectureProviders
{
    private static readonly (string Keyword, string Provider)[] Known =
    [
        ("active-active", "ActiveActive"), ("active/active", "ActiveActive"), ("multi-master", "ActiveActive"),
        ("active-passive", "ActivePassive"), ("active/passive", "ActivePassive"),
        ("cilium", "Cilium"), ("istio", "Istio"), ("linkerd", "Linkerd"), ("submariner", "Submariner"), ("skupper", "Skupper"),
        ("consul", "Consul"), ("ingress-nginx", "NGINX"), ("nginx", "NGINX"), ("traefik", "Traefik"), ("envoy", "Envoy"),
        ("gateway api", "GatewayApi"), ("global accelerator", "GlobalAccelerator"), ("route 53", "Route53"), ("route53", "Route53"),
        ("nat gateway", "NatGateway"), ("velero", "Velero"), ("kasten", "Kasten"), ("cockroachdb", "CockroachDB"), ("cockroach", "CockroachDB"),
        ("postgresql", "PostgreSQL"), ("postgres", "PostgreSQL"), ("aurora", "Aurora"), ("vitess", "Vitess"), ("cassandra", "Cassandra"), ("yugabyte", "YugabyteDB"),
        ("dex", "Dex"), ("keycloak", "Keycloak"), ("okta", "Okta"), ("entra", "EntraId"), ("azure ad", "EntraId"),
        ("kubefed", "KubeFed"), ("karmada", "Karmada"), ("argo cd", "ArgoCD"), ("argocd", "ArgoCD"), ("s3", "S3"), ("oidc", "OIDC"),
    ];

    /// <summary>The value with the product it names, or null for an absent value.</summary>
    public static FleetArchitectureChoice? Recognise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var lower = text.ToLowerInvariant();
        var provider = Known.FirstOrDefault(k => ContainsWord(lower, k.Keyword)).Provider;
        return new FleetArchitectureChoice { Text = text, Provider = provider };
    }

    // "s3" must not match inside another word; a keyword matches only between non-letters.
    private static bool ContainsWord(string text, string keyword)
    {
        for (var at = text.IndexOf(keyword, StringComparison.Ordinal); at >= 0; at = text.IndexOf(keyword, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsLetter(text[at - 1]);
            var end = at + keyword.Length;
            var after = end == text.Length || !char.IsLetter(text[end]);
            if (before && after) return true;
        }
        return false;
    }

    /// <summary>The mesh provider the networking section names (mesh first, then cross_cluster), or null.</summary>
    public static FleetMeshProvider? MeshProvider(FleetArchitecture? architecture)
    {
        foreach (var choice in new[] { architecture?.Networking.Mesh, architecture?.Networking.CrossCluster })
        {
            if (Enum.TryParse<FleetMeshProvider>(choice?.Provider, out var provider)) return provider;
        }
        return null;
    }
}
