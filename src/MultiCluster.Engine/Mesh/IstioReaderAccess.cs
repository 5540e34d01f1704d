using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// What istioctl creates in a cluster before exporting it (<c>--create-service-account</c>): the
/// <c>istio-reader-service-account</c>, the istio-discovery chart's reader ClusterRole and its
/// binding (<c>istio-reader-clusterrole-istio-system</c>), and the legacy token Secret whose token
/// the remote secrets carry. The rules are the chart's: read what istiod watches, nothing more
/// (plus what the chart itself grants: ServiceExport create/delete, token and access reviews).
/// </summary>
internal static class IstioReaderAccess
{
    public const string ServiceAccountName = "istio-reader-service-account";
    public const string ClusterRoleName = "istio-reader-clusterrole-" + MeshResourceTypes.IstioNamespace;
    public const string TokenSecretName = ServiceAccountName + "-istio-remote-secret-token";
    public const string TokenSecretType = "kubernetes.io/service-account-token";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";

    private static readonly string[] Read = ["get", "list", "watch"];

    public static IReadOnlyList<KubeObject> Render(string istioNamespace = MeshResourceTypes.IstioNamespace) =>
    [
        Object("v1", "ServiceAccount", ServiceAccountName, istioNamespace, new JsonObject()),
        Object("rbac.authorization.k8s.io/v1", "ClusterRole", ClusterRoleName, null, new JsonObject
        {
            ["rules"] = new JsonArray(
                Rule(["config.istio.io", "security.istio.io", "networking.istio.io", "authentication.istio.io", "rbac.istio.io", "telemetry.istio.io", "extensions.istio.io"], ["*"], Read),
                Rule([""], ["endpoints", "pods", "services", "nodes", "replicationcontrollers", "namespaces", "secrets", "configmaps"], Read),
                Rule(["networking.istio.io"], ["workloadentries"], Read),
                Rule(["networking.x-k8s.io", "gateway.networking.k8s.io"], ["gateways"], Read),
                Rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], Read),
                Rule(["discovery.k8s.io"], ["endpointslices"], Read),
                Rule(["multicluster.x-k8s.io"], ["serviceexports"], ["get", "list", "watch", "create", "delete"]),
                Rule(["multicluster.x-k8s.io"], ["serviceimports"], Read),
                Rule(["apps"], ["replicasets"], Read),
                Rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                Rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])),
        }),
        Object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", ClusterRoleName, null, new JsonObject
        {
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = ClusterRoleName },
            ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = ServiceAccountName, ["namespace"] = istioNamespace }),
        }),
    ];

    /// <summary>A legacy service-account token Secret for the reader, which the token controller fills with token and ca.crt.</summary>
    public static KubeObject TokenSecret(string name, string istioNamespace = MeshResourceTypes.IstioNamespace) =>
        new(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = istioNamespace,
                ["annotations"] = new JsonObject { [ServiceAccountNameAnnotation] = ServiceAccountName },
            },
            ["type"] = TokenSecretType,
        });

    public static bool IsReaderToken(KubeObject secret) =>
        secret.Json["type"]?.ToString() == TokenSecretType && secret.Annotations.GetValueOrDefault(ServiceAccountNameAnnotation) == ServiceAccountName;

    private static KubeObject Object(string apiVersion, string kind, string name, string? ns, JsonObject body)
    {
        var metadata = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "istio-reader", ["app.kubernetes.io/name"] = "istio-reader" } };
        if (ns is not null) metadata["namespace"] = ns;
        var json = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        foreach (var (key, value) in body) json[key] = value?.DeepClone();
        var obj = new KubeObject(json);
        obj.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        return obj;
    }

    private static JsonObject Rule(string[] groups, string[] resources, string[] verbs) => new()
    {
        ["apiGroups"] = new JsonArray(groups.Select(g => (JsonNode?)g).ToArray()),
        ["resources"] = new JsonArray(resources.Select(r => (JsonNode?)r).ToArray()),
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode?)v).ToArray()),
    };
}
