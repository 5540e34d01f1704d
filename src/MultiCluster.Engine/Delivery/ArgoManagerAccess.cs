using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Delivery;

/// <summary>
/// What <c>argocd cluster add</c> creates in the cluster it registers (Argo CD 3.1 and later):
/// the <c>argocd-manager</c> service account in kube-system; cluster-wide the ClusterRole
/// <c>argocd-manager-role</c> (every verb on every resource and non-resource URL) and its
/// ClusterRoleBinding, or per namespace a Role and RoleBinding of the same names with the first
/// rule only; and the long-lived token Secret <c>argocd-manager-long-lived-token</c>.
/// </summary>
internal static class ArgoManagerAccess
{
    public const string ServiceAccountName = "argocd-manager";
    public const string RoleName = "argocd-manager-role";
    public const string BindingName = "argocd-manager-role-binding";
    public const string TokenSecretName = "argocd-manager-long-lived-token";
    public const string TokenSecretType = "kubernetes.io/service-account-token";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";

    public static KubeObject ServiceAccount(string systemNamespace) =>
        Object("v1", "ServiceAccount", ServiceAccountName, systemNamespace, new JsonObject());

    /// <summary>The role and binding: cluster-wide with no namespaces, else a Role and RoleBinding in each.</summary>
    public static IReadOnlyList<(ResourceType Type, KubeObject Object)> Roles(string systemNamespace, IReadOnlyList<string> namespaces)
    {
        var subject = new JsonObject { ["kind"] = "ServiceAccount", ["name"] = ServiceAccountName, ["namespace"] = systemNamespace };
        if (namespaces.Count == 0)
        {
            return
            [
                (DeliveryResourceTypes.ClusterRole, Object("rbac.authorization.k8s.io/v1", "ClusterRole", RoleName, null, new JsonObject
                {
                    ["rules"] = new JsonArray(AllResources(), new JsonObject { ["nonResourceURLs"] = new JsonArray("*"), ["verbs"] = new JsonArray("*") }),
                })),
                (DeliveryResourceTypes.ClusterRoleBinding, Object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", BindingName, null, new JsonObject
                {
                    ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = RoleName },
                    ["subjects"] = new JsonArray(subject),
                })),
            ];
        }
        return namespaces.SelectMany(ns => new[]
        {
            (DeliveryResourceTypes.Role, Object("rbac.authorization.k8s.io/v1", "Role", RoleName, ns, new JsonObject { ["rules"] = new JsonArray(AllResources()) })),
            (DeliveryResourceTypes.RoleBinding, Object("rbac.authorization.k8s.io/v1", "RoleBinding", BindingName, ns, new JsonObject
            {
                ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Role", ["name"] = RoleName },
                ["subjects"] = new JsonArray(subject.DeepClone()),
            })),
        }).ToList();
    }

    /// <summary>The long-lived token Secret, which the token controller fills with token and ca.crt.</summary>
    public static KubeObject TokenSecret(string systemNamespace)
    {
        var secret = Object("v1", "Secret", TokenSecretName, systemNamespace, new JsonObject { ["type"] = TokenSecretType });
        secret.Metadata!["annotations"] = new JsonObject { [ServiceAccountNameAnnotation] = ServiceAccountName };
        return secret;
    }

    private static JsonObject AllResources() => new()
    {
        ["apiGroups"] = new JsonArray("*"),
        ["resources"] = new JsonArray("*"),
        ["verbs"] = new JsonArray("*"),
    };

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
}
