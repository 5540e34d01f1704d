using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Delivery;

/// <summary>The kinds the delivery code reads and writes, and the names Argo CD gives its objects.</summary>
internal static class DeliveryResourceTypes
{
    public static readonly ResourceType Namespace = new("", "v1", "Namespace", "namespaces", false);
    public static readonly ResourceType Secret = new("", "v1", "Secret", "secrets", true);
    public static readonly ResourceType ServiceAccount = new("", "v1", "ServiceAccount", "serviceaccounts", true);
    public static readonly ResourceType ClusterRole = new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false);
    public static readonly ResourceType ClusterRoleBinding = new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false);
    public static readonly ResourceType Role = new("rbac.authorization.k8s.io", "v1", "Role", "roles", true);
    public static readonly ResourceType RoleBinding = new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true);
    public static readonly ResourceType Application = new("argoproj.io", "v1alpha1", "Application", "applications", true);
    public static readonly ResourceType ApplicationSet = new("argoproj.io", "v1alpha1", "ApplicationSet", "applicationsets", true);

    /// <summary>Where Argo CD runs unless -ArgoNamespace says otherwise.</summary>
    public const string ArgoNamespace = "argocd";

    /// <summary>Where <c>argocd cluster add</c> puts its service account (<c>--system-namespace</c>).</summary>
    public const string SystemNamespace = "kube-system";
}
