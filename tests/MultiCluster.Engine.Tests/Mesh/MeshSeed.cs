using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>Puts what a cluster's network setup leaves behind into an emulated cluster, through its API.</summary>
internal static class MeshSeed
{
    public static void Namespace(EmulatedCluster cluster, string name, IDictionary<string, string>? labels = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null) metadata["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = metadata });
    }

    public static void ConfigMap(EmulatedCluster cluster, string ns, string name, IDictionary<string, string> data) =>
        cluster.CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
        });

    public static void KubeadmConfig(EmulatedCluster cluster, string podSubnet, string serviceSubnet) =>
        ConfigMap(cluster, "kube-system", "kubeadm-config", new Dictionary<string, string>
        {
            ["ClusterConfiguration"] = $"apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: {podSubnet}\n  serviceSubnet: {serviceSubnet}\n",
        });

    public static void CiliumConfig(EmulatedCluster cluster, string clusterId, string clusterName) =>
        ConfigMap(cluster, "kube-system", "cilium-config", new Dictionary<string, string> { ["cluster-id"] = clusterId, ["cluster-name"] = clusterName });

    public static void Node(EmulatedCluster cluster, string name, params string[] podCidrs) =>
        cluster.CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["podCIDR"] = podCidrs[0], ["podCIDRs"] = new JsonArray(podCidrs.Select(c => (JsonNode?)c).ToArray()) },
        });

    public static void KubernetesService(EmulatedCluster cluster, string clusterIp) =>
        cluster.CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["namespace"] = "default" },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = clusterIp,
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        });

    /// <summary>istio-system/cacerts holding <paramref name="rootPem"/> as root-cert.pem (creates istio-system when needed).</summary>
    public static void IstioCaCerts(EmulatedCluster cluster, string rootPem)
    {
        if (cluster.Store.Get(cluster.Registry.Find("", "namespaces")!, null, "istio-system") is null) Namespace(cluster, "istio-system");
        cluster.CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "cacerts", ["namespace"] = "istio-system" },
            ["data"] = new JsonObject
            {
                ["root-cert.pem"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(rootPem)),
                ["ca-key.pem"] = Convert.ToBase64String(Encoding.ASCII.GetBytes("not a real key")),
            },
        });
    }

    /// <summary>A new self-signed root CA certificate as PEM, and its SHA-256 fingerprint as openssl prints it.</summary>
    public static (string Pem, string Fingerprint) NewRoot(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Istio", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return (certificate.ExportCertificatePem(), string.Join(":", SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2"))));
    }
}
