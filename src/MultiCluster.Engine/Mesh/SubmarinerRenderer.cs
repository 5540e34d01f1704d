using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// The objects of a Submariner join, as subctl deploy-broker and subctl join make them. On the
/// broker: its namespace, the Broker resource, the client Role every joining cluster is bound to,
/// per member a service account <c>cluster-&lt;id&gt;</c> with its binding and token Secret (filled by
/// the token controller, empty as rendered), and the operator's <c>submariner-globalnet-info</c>
/// ConfigMap with every allocation. On a member: the operator namespace, the Submariner resource
/// (the broker credentials and the IPsec PSK only by reference to the Secrets
/// <c>submariner-broker-secret</c> and <c>submariner-ipsec-psk</c>: never inline), and the gateway
/// node's label when one is to be labelled.
/// </summary>
public static class SubmarinerRenderer
{
    public const string TokenSecretType = "kubernetes.io/service-account-token";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";

    public const string FleetClusterAnnotation = "multicluster.io/fleet-cluster";

    public static string TokenSecretName(string clusterId) => SubmarinerRules.ClusterServiceAccount(clusterId) + "-token";

    /// <summary>Everything the broker cluster holds for this join, namespace first.</summary>
    public static IReadOnlyList<KubeObject> Broker(SubmarinerPlan plan)
    {
        var ns = SubmarinerRules.BrokerNamespace;
        var spec = new JsonObject { ["components"] = Strings(SubmarinerRules.Components), ["globalnetEnabled"] = plan.Globalnet };
        if (plan.Globalnet)
        {
            spec["globalnetCIDRRange"] = plan.GlobalnetRange.ToString();
            spec["defaultGlobalnetClusterSize"] = plan.GlobalnetClusterSize;
        }
        var objects = new List<KubeObject>
        {
            Object("v1", "Namespace", ns, null, []),
            Object("submariner.io/v1alpha1", "Broker", SubmarinerRules.BrokerName, ns, new() { ["spec"] = spec }),
            Object("rbac.authorization.k8s.io/v1", "Role", SubmarinerRules.BrokerClientRole, ns, new()
            {
                ["rules"] = new JsonArray(
                    Rule("submariner.io", ["clusters", "endpoints"]),
                    Rule("multicluster.x-k8s.io", ["*"]),
                    Rule("discovery.k8s.io", ["endpointslices", "endpointslices/restricted"])),
            }),
        };
        foreach (var member in plan.Members)
        {
            var account = SubmarinerRules.ClusterServiceAccount(member.ClusterId.Value);
            var serviceAccount = Object("v1", "ServiceAccount", account, ns, []);
            // Names the fleet cluster, so that Remove-FleetMesh finds its credentials when the member itself is down.
            serviceAccount.Metadata!["annotations"] = new JsonObject { [FleetClusterAnnotation] = member.Name };
            objects.Add(serviceAccount);
            objects.Add(Object("rbac.authorization.k8s.io/v1", "RoleBinding", $"{account}-{SubmarinerRules.BrokerClientRole}", ns, new()
            {
                ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Role", ["name"] = SubmarinerRules.BrokerClientRole },
                ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = account, ["namespace"] = ns }),
            }));
            var token = Object("v1", "Secret", TokenSecretName(member.ClusterId.Value), ns, new() { ["type"] = TokenSecretType });
            token.Metadata!["annotations"] = new JsonObject { [ServiceAccountNameAnnotation] = account };
            objects.Add(token);
        }
        objects.Add(GlobalnetInfo(plan));
        return objects;
    }

    /// <summary>The operator's record of Globalnet on the broker, in its own format (JSON strings inside the ConfigMap's data).</summary>
    public static KubeObject GlobalnetInfo(SubmarinerPlan plan)
    {
        var data = new JsonObject { ["globalnetEnabled"] = plan.Globalnet ? "true" : "false" };
        if (plan.Globalnet)
        {
            data["globalnetCidrRange"] = JsonSerializer.Serialize(plan.GlobalnetRange.ToString());
            data["globalnetClusterSize"] = plan.GlobalnetClusterSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var entries = plan.OtherAllocations.Select(o => (o.ClusterId, o.GlobalCidrs))
            .Concat(plan.Members.Where(m => m.GlobalCidr is not null).Select(m => (m.ClusterId.Value, (IReadOnlyList<string>)[m.GlobalCidr!.Value])));
        data["clusterinfo"] = new JsonArray(entries.Select(e => (JsonNode?)new JsonObject
        {
            ["cluster_id"] = e.Item1,
            ["global_cidr"] = Strings(e.Item2),
        }).ToArray()).ToJsonString();
        var configMap = Object("v1", "ConfigMap", SubmarinerRules.GlobalnetConfigMap, SubmarinerRules.BrokerNamespace, new() { ["data"] = data });
        configMap.SetLabel("component", "submariner-globalnet");
        return configMap;
    }

    /// <summary>What one member holds: the operator namespace, the Submariner resource and, when one is to be labelled, its gateway node.</summary>
    public static IReadOnlyList<KubeObject> Member(SubmarinerPlan plan, SubmarinerMember member)
    {
        var spec = new JsonObject
        {
            ["broker"] = "k8s",
            ["brokerK8sApiServer"] = plan.BrokerUrl,
            ["brokerK8sRemoteNamespace"] = SubmarinerRules.BrokerNamespace,
            ["brokerK8sSecret"] = SubmarinerRules.BrokerSecretName,
            ["brokerK8sInsecure"] = false,
            ["ceIPSecPSKSecret"] = SubmarinerRules.PskSecretName,
            ["ceIPSecNATTPort"] = SubmarinerRules.DefaultNatTraversalPort,
            ["natEnabled"] = true,
            ["debug"] = false,
            ["ceIPSecDebug"] = false,
            ["cableDriver"] = plan.CableDriver,
            ["clusterID"] = member.ClusterId.Value,
            ["namespace"] = SubmarinerRules.OperatorNamespace,
            ["serviceDiscoveryEnabled"] = true,
            ["connectionHealthCheck"] = new JsonObject { ["enabled"] = true, ["intervalSeconds"] = 1, ["maxPacketLossCount"] = 5 },
        };
        // Required by the CRD; empty, as subctl sends them, when unknown: the operator then detects them.
        spec["clusterCIDR"] = member.PodCidr?.Value ?? "";
        spec["serviceCIDR"] = member.ServiceCidr?.Value ?? "";
        if (member.GlobalCidr is { } global) spec["globalCIDR"] = global.Value;
        var objects = new List<KubeObject>
        {
            Object("v1", "Namespace", SubmarinerRules.OperatorNamespace, null, []),
            Object("submariner.io/v1alpha1", "Submariner", SubmarinerRules.SubmarinerName, SubmarinerRules.OperatorNamespace, new() { ["spec"] = spec }),
        };
        if (member.LabelGateway && member.GatewayNode is { } node)
        {
            // Server-side apply of this partial Node adds the label and leaves every other field to its owners.
            var gateway = new KubeObject(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Node",
                ["metadata"] = new JsonObject { ["name"] = node, ["labels"] = new JsonObject { [SubmarinerRules.GatewayLabel] = "true" } },
            });
            objects.Add(gateway);
        }
        return objects;
    }

    /// <summary>
    /// The member's copies of the broker credentials (token, ca.crt, namespace of its broker
    /// service account) and of the IPsec PSK, as subctl join writes them. Applied, never rendered.
    /// </summary>
    public static IReadOnlyList<KubeObject> MemberSecrets(JsonObject brokerToken, JsonObject psk)
    {
        var credentials = new JsonObject();
        foreach (var key in new[] { "token", "ca.crt", "namespace" })
            if (brokerToken[key] is { } value) credentials[key] = value.DeepClone();
        return
        [
            Object("v1", "Secret", SubmarinerRules.BrokerSecretName, SubmarinerRules.OperatorNamespace, new() { ["type"] = "Opaque", ["data"] = credentials }),
            Object("v1", "Secret", SubmarinerRules.PskSecretName, SubmarinerRules.OperatorNamespace, new() { ["type"] = "Opaque", ["data"] = (JsonObject)psk.DeepClone() }),
        ];
    }

    private static KubeObject Object(string apiVersion, string kind, string name, string? ns, JsonObject body)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null) metadata["namespace"] = ns;
        var json = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        foreach (var (key, value) in body) json[key] = value?.DeepClone();
        var obj = new KubeObject(json);
        obj.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        return obj;
    }

    private static JsonObject Rule(string group, string[] resources) => new()
    {
        ["apiGroups"] = Strings([group]),
        ["resources"] = Strings(resources),
        ["verbs"] = Strings(["create", "get", "list", "watch", "patch", "update", "delete"]),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
