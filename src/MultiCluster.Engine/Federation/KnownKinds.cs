namespace MultiCluster.Engine.Federation;

/// <summary>
/// The apiVersion of the kinds KubeFed federates out of the box (its <c>kubefedctl enable</c>
/// defaults and the RBAC kinds), for KubeFed templates that leave apiVersion out, and which of
/// them are cluster-scoped.
/// </summary>
public static class KnownKinds
{
    private static readonly Dictionary<string, (string ApiVersion, bool ClusterScoped)> Kinds = new(StringComparer.Ordinal)
    {
        ["ConfigMap"] = ("v1", false),
        ["Secret"] = ("v1", false),
        ["Service"] = ("v1", false),
        ["ServiceAccount"] = ("v1", false),
        ["Namespace"] = ("v1", true),
        ["Deployment"] = ("apps/v1", false),
        ["ReplicaSet"] = ("apps/v1", false),
        ["StatefulSet"] = ("apps/v1", false),
        ["DaemonSet"] = ("apps/v1", false),
        ["Job"] = ("batch/v1", false),
        ["CronJob"] = ("batch/v1", false),
        ["Ingress"] = ("networking.k8s.io/v1", false),
        ["ClusterRole"] = ("rbac.authorization.k8s.io/v1", true),
        ["ClusterRoleBinding"] = ("rbac.authorization.k8s.io/v1", true),
        ["Role"] = ("rbac.authorization.k8s.io/v1", false),
        ["RoleBinding"] = ("rbac.authorization.k8s.io/v1", false),
    };

    public static string? ApiVersionOf(string kind) => Kinds.TryGetValue(kind, out var known) ? known.ApiVersion : null;

    public static bool IsClusterScoped(string kind) => Kinds.TryGetValue(kind, out var known) && known.ClusterScoped;

    public static IEnumerable<string> Names => Kinds.Keys.Order(StringComparer.Ordinal);
}
