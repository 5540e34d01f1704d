using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// The install configuration of one multi-primary member, as Istio's multi-network guide and
/// samples/multicluster make it: the istio-system namespace labelled with the network; the control
/// plane's <c>global.meshID</c>, <c>global.multiCluster.clusterName</c> and <c>global.network</c>
/// (IstioOperator, or istiod Helm values); the east-west gateway (gen-eastwest-gateway.sh's
/// IstioOperator, or the gateway chart's <c>networkGateway</c>); and expose-services.yaml's
/// <c>cross-network-gateway</c> Gateway. A member without a network gets no east-west gateway.
/// </summary>
public static class IstioInstallRenderer
{
    public const string EastWestGatewayName = "istio-eastwestgateway";
    public const string CrossNetworkGatewayName = "cross-network-gateway";

    /// <summary>The Kubernetes objects of the member (namespace, IstioOperators, Gateway).</summary>
    internal static IReadOnlyList<KubeObject> Objects(IstioMember member, string meshId, IstioConfigFormat format)
    {
        var objects = new List<KubeObject> { Namespace(member.Network) };
        if (format == IstioConfigFormat.IstioOperator) objects.Add(ControlPlane(member, meshId));
        if (member.Network is { } network)
        {
            if (format == IstioConfigFormat.IstioOperator) objects.Add(EastWestOperator(network));
            objects.Add(CrossNetworkGateway());
        }
        return objects;
    }

    /// <summary>Helm values files of the member: name (istiod, istio-eastwestgateway) to YAML.</summary>
    public static IReadOnlyList<(string Name, string Yaml)> HelmValues(IstioMember member, string meshId)
    {
        var global = new JsonObject { ["meshID"] = meshId, ["multiCluster"] = new JsonObject { ["clusterName"] = member.Name } };
        if (member.Network is { } network) global["network"] = network;
        var values = new List<(string, string)> { ("istiod", YamlWriter.Write(new JsonObject { ["global"] = global })) };
        if (member.Network is { } gatewayNetwork)
            values.Add((EastWestGatewayName, YamlWriter.Write(new JsonObject { ["name"] = EastWestGatewayName, ["networkGateway"] = gatewayNetwork })));
        return values;
    }

    internal static KubeObject Namespace(string? network)
    {
        var ns = new KubeObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = MeshResourceTypes.IstioNamespace } });
        if (network is not null) ns.SetLabel(MeshResourceTypes.NetworkLabel, network);
        return ns;
    }

    internal static KubeObject ControlPlane(IstioMember member, string meshId)
    {
        var global = new JsonObject { ["meshID"] = meshId, ["multiCluster"] = new JsonObject { ["clusterName"] = member.Name } };
        if (member.Network is { } network) global["network"] = network;
        return new KubeObject(new JsonObject
        {
            ["apiVersion"] = "install.istio.io/v1alpha1",
            ["kind"] = "IstioOperator",
            ["metadata"] = new JsonObject { ["name"] = "istio-controlplane", ["namespace"] = MeshResourceTypes.IstioNamespace },
            ["spec"] = new JsonObject { ["values"] = new JsonObject { ["global"] = global } },
        });
    }

    internal static KubeObject EastWestOperator(string network)
    {
        JsonObject Port(string name, int port) => new() { ["name"] = name, ["port"] = port, ["targetPort"] = port };
        return new KubeObject(new JsonObject
        {
            ["apiVersion"] = "install.istio.io/v1alpha1",
            ["kind"] = "IstioOperator",
            ["metadata"] = new JsonObject { ["name"] = "eastwest", ["namespace"] = MeshResourceTypes.IstioNamespace },
            ["spec"] = new JsonObject
            {
                ["revision"] = "",
                ["profile"] = "empty",
                ["components"] = new JsonObject
                {
                    ["ingressGateways"] = new JsonArray(new JsonObject
                    {
                        ["name"] = EastWestGatewayName,
                        ["label"] = new JsonObject { ["istio"] = "eastwestgateway", ["app"] = EastWestGatewayName, [MeshResourceTypes.NetworkLabel] = network },
                        ["enabled"] = true,
                        ["k8s"] = new JsonObject
                        {
                            ["env"] = new JsonArray(new JsonObject { ["name"] = "ISTIO_META_REQUESTED_NETWORK_VIEW", ["value"] = network }),
                            ["service"] = new JsonObject
                            {
                                ["ports"] = new JsonArray(Port("status-port", 15021), Port("tls", 15443), Port("tls-istiod", 15012), Port("tls-webhook", 15017)),
                            },
                        },
                    }),
                },
                ["values"] = new JsonObject
                {
                    ["gateways"] = new JsonObject { ["istio-ingressgateway"] = new JsonObject { ["injectionTemplate"] = "gateway" } },
                    ["global"] = new JsonObject { ["network"] = network },
                },
            },
        });
    }

    internal static KubeObject CrossNetworkGateway() => new(new JsonObject
    {
        ["apiVersion"] = "networking.istio.io/v1",
        ["kind"] = "Gateway",
        ["metadata"] = new JsonObject { ["name"] = CrossNetworkGatewayName, ["namespace"] = MeshResourceTypes.IstioNamespace },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["istio"] = "eastwestgateway" },
            ["servers"] = new JsonArray(new JsonObject
            {
                ["port"] = new JsonObject { ["number"] = 15443, ["name"] = "tls", ["protocol"] = "TLS" },
                ["tls"] = new JsonObject { ["mode"] = "AUTO_PASSTHROUGH" },
                ["hosts"] = new JsonArray("*.local"),
            }),
        },
    });

    /// <summary>The member's manifests (and Helm values files), written under <paramref name="outputDirectory"/> when given.</summary>
    public static IReadOnlyList<FleetManifest> Render(IstioMember member, string meshId, IstioConfigFormat format, string? outputDirectory)
    {
        var manifests = ManifestWriter.Render(member.Name, Objects(member, meshId, format), outputDirectory).ToList();
        if (format != IstioConfigFormat.Helm) return manifests;
        foreach (var (name, yaml) in HelmValues(member, meshId))
        {
            string? path = null;
            if (outputDirectory is not null)
            {
                path = Path.GetFullPath(Path.Combine(outputDirectory, $"{ManifestWriter.SafeFileName(member.Name)}.{name}-values.yaml"));
                File.WriteAllText(path, yaml);
            }
            manifests.Add(new FleetManifest { Cluster = member.Name, Kind = "HelmValues", Name = name, Path = path, Yaml = yaml });
        }
        return manifests;
    }
}
