using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>A value with where it came from ("fleet file", "kube-system/kubeadm-config" ...).</summary>
internal sealed record Sourced<T>(T Value, string Source);

/// <summary>
/// What the network checks know of one cluster: the fleet file's values, and where the fleet file
/// is silent, what the cluster itself says. <see cref="Error"/> is set when the cluster could not
/// be read; the fleet file's values are still there then.
/// </summary>
internal sealed record ClusterNetworkFacts
{
    public required FleetCluster Cluster { get; init; }
    public Uri? Server { get; init; }
    public string? ServerVersion { get; init; }
    public FleetException? Error { get; init; }
    public Sourced<IReadOnlyList<Cidr>>? PodRanges { get; init; }
    public Sourced<IReadOnlyList<Cidr>>? ServiceRanges { get; init; }

    /// <summary>The raw id text, so that a value the cluster holds that is no number is reported as it is.</summary>
    public Sourced<string>? ClusterId { get; init; }
    public required Sourced<string> CiliumClusterName { get; init; }
    public Sourced<string>? MeshNetwork { get; init; }
    public Sourced<string>? RootFingerprint { get; init; }
    public Sourced<string>? TrustDomain { get; init; }

    public string Name => Cluster.Name;
}

/// <summary>Reads <see cref="ClusterNetworkFacts"/> from the fleet file and, where it is silent, from the cluster.</summary>
internal static class ClusterNetworkReader
{
    public const string FleetFile = "fleet file";
    public const string IstioDefaultTrustDomain = "cluster.local";

    /// <summary>The facts the fleet file alone gives (for a cluster that cannot be read).</summary>
    public static ClusterNetworkFacts FromFleetFile(FleetCluster cluster, FleetException? error = null) => new()
    {
        Cluster = cluster,
        Error = error,
        PodRanges = Ranges(cluster.Network.PodCidr, FleetFile),
        ServiceRanges = Ranges(cluster.Network.ServiceCidr, FleetFile),
        ClusterId = cluster.Network.ClusterId is { } id ? new(id.ToString(System.Globalization.CultureInfo.InvariantCulture), FleetFile) : null,
        CiliumClusterName = new(cluster.Name, "fleet cluster name"),
        MeshNetwork = string.IsNullOrEmpty(cluster.Network.MeshNetwork) ? null : new(cluster.Network.MeshNetwork, FleetFile),
    };

    public static async Task<ClusterNetworkFacts> ReadAsync(FleetCluster cluster, Uri server, IKubeApi api, ResourceClient client,
        CancellationToken cancellationToken)
    {
        var facts = FromFleetFile(cluster) with { Server = server };
        var version = await api.SendAsync(HttpMethod.Get, "/version", null, null, cancellationToken).ConfigureAwait(false);
        if (!version.IsSuccess) throw ResourceErrors.FromResponse(version, cluster.Name, "/version");
        facts = facts with { ServerVersion = JsonNode.Parse(version.Utf8Body.Span)?["gitVersion"]?.ToString() };

        if (facts.PodRanges is null || facts.ServiceRanges is null)
        {
            var kubeadm = await KubeadmNetworkingAsync(client, cancellationToken).ConfigureAwait(false);
            const string kubeadmSource = "kube-system/kubeadm-config";
            facts = facts with
            {
                PodRanges = facts.PodRanges ?? Ranges(kubeadm?["podSubnet"]?.ToString(), kubeadmSource)
                    ?? await NodeRangesAsync(client, cancellationToken).ConfigureAwait(false),
                ServiceRanges = facts.ServiceRanges ?? Ranges(kubeadm?["serviceSubnet"]?.ToString(), kubeadmSource)
                    ?? await KubernetesServiceAddressAsync(client, cancellationToken).ConfigureAwait(false),
            };
        }

        var cilium = await client.GetAsync(MeshResourceTypes.ConfigMap, MeshResourceTypes.KubeSystem, MeshResourceTypes.CiliumConfig, cancellationToken)
            .ConfigureAwait(false);
        const string ciliumSource = "kube-system/cilium-config";
        if (facts.ClusterId is null && cilium?.Json["data"]?["cluster-id"]?.ToString() is { Length: > 0 } installedId)
            facts = facts with { ClusterId = new(installedId, ciliumSource) };
        if (cilium?.Json["data"]?["cluster-name"]?.ToString() is { Length: > 0 } installedName)
            facts = facts with { CiliumClusterName = new(installedName, ciliumSource) };

        if (facts.MeshNetwork is null)
        {
            var istioNamespace = await client.GetAsync(MeshResourceTypes.Namespace, null, MeshResourceTypes.IstioNamespace, cancellationToken).ConfigureAwait(false);
            if (istioNamespace?.Labels.GetValueOrDefault(MeshResourceTypes.NetworkLabel) is { Length: > 0 } network)
                facts = facts with { MeshNetwork = new(network, $"namespace {MeshResourceTypes.IstioNamespace} label {MeshResourceTypes.NetworkLabel}") };
        }

        var cacerts = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, "cacerts", cancellationToken).ConfigureAwait(false);
        if (cacerts is not null) facts = facts with { RootFingerprint = RootFingerprint(cacerts, cluster.Name) };

        var meshConfig = await client.GetAsync(MeshResourceTypes.ConfigMap, MeshResourceTypes.IstioNamespace, "istio", cancellationToken).ConfigureAwait(false);
        var trustDomain = TrustDomain(meshConfig, cluster.Name);
        return facts with { TrustDomain = trustDomain };
    }

    /// <summary>The SHA-256 fingerprint of the first certificate of <c>root-cert.pem</c>, as openssl prints it.</summary>
    internal static Sourced<string> RootFingerprint(KubeObject cacerts, string cluster)
    {
        const string source = "istio-system/cacerts root-cert.pem";
        var encoded = cacerts.Json["data"]?["root-cert.pem"]?.ToString();
        if (string.IsNullOrEmpty(encoded)) return new("(no root-cert.pem)", source);
        try
        {
            var pem = Encoding.ASCII.GetString(Convert.FromBase64String(encoded));
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return new(Fingerprint(certificate.RawData), source);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            return new("(unreadable root-cert.pem)", source);
        }
    }

    internal static string Fingerprint(byte[] der) => string.Join(":", SHA256.HashData(der).Select(b => b.ToString("X2")));

    private static Sourced<string> TrustDomain(KubeObject? meshConfig, string cluster)
    {
        const string source = "istio-system/istio mesh config";
        var mesh = meshConfig?.Json["data"]?["mesh"]?.ToString();
        if (string.IsNullOrWhiteSpace(mesh)) return new(IstioDefaultTrustDomain, "Istio default");
        var documents = YamlReader.ReadDocuments(mesh, $"{cluster} {source}");
        return documents.FirstOrDefault()?.Root?["trustDomain"]?.ToString() is { Length: > 0 } domain
            ? new(domain, source)
            : new(IstioDefaultTrustDomain, "Istio default");
    }

    private static async Task<JsonNode?> KubeadmNetworkingAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        var config = await client.GetAsync(MeshResourceTypes.ConfigMap, MeshResourceTypes.KubeSystem, "kubeadm-config", cancellationToken).ConfigureAwait(false);
        var text = config?.Json["data"]?["ClusterConfiguration"]?.ToString();
        if (string.IsNullOrWhiteSpace(text)) return null;
        return YamlReader.ReadDocuments(text, $"{client.Cluster} kube-system/kubeadm-config").FirstOrDefault()?.Root?["networking"];
    }

    private static async Task<Sourced<IReadOnlyList<Cidr>>?> NodeRangesAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        var nodes = await client.ListAsync(MeshResourceTypes.Node, null, null, cancellationToken).ConfigureAwait(false);
        var ranges = nodes
            .SelectMany(n => (n.Json["spec"]?["podCIDRs"] as JsonArray)?.Select(c => c?.ToString()) ?? [n.Json["spec"]?["podCIDR"]?.ToString()])
            .Select(text => text is not null && Cidrs.TryParse(text, out var cidr) ? cidr : (Cidr?)null)
            .OfType<Cidr>().Distinct().ToList();
        return ranges.Count == 0 ? null : new(ranges, "Node podCIDRs");
    }

    // The kubernetes Service holds the first address of the service range; the prefix is not visible, so the range is that one address.
    private static async Task<Sourced<IReadOnlyList<Cidr>>?> KubernetesServiceAddressAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        var service = await client.GetAsync(MeshResourceTypes.Service, "default", "kubernetes", cancellationToken).ConfigureAwait(false);
        if (service?.Json["spec"]?["clusterIP"]?.ToString() is not { } address || !System.Net.IPAddress.TryParse(address, out var ip)) return null;
        var bits = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        return new([new Cidr(ip, bits)], "default/kubernetes Service ClusterIP (the range's first address only)");
    }

    private static Sourced<IReadOnlyList<Cidr>>? Ranges(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var ranges = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => Cidrs.TryParse(t, out var cidr) ? cidr : (Cidr?)null).OfType<Cidr>().ToList();
        return ranges.Count == 0 ? null : new(ranges, source);
    }
}
