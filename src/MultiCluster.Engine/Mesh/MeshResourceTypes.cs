using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>The built-in kinds the mesh code reads and writes, and the names Istio and Cilium give their objects.</summary>
internal static class MeshResourceTypes
{
    public static readonly ResourceType Namespace = new("", "v1", "Namespace", "namespaces", false);
    public static readonly ResourceType ConfigMap = new("", "v1", "ConfigMap", "configmaps", true);
    public static readonly ResourceType Secret = new("", "v1", "Secret", "secrets", true);
    public static readonly ResourceType Service = new("", "v1", "Service", "services", true);
    public static readonly ResourceType Node = new("", "v1", "Node", "nodes", false);
    public static readonly ResourceType ServiceAccount = new("", "v1", "ServiceAccount", "serviceaccounts", true);
    public static readonly ResourceType ClusterRole = new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false);
    public static readonly ResourceType ClusterRoleBinding = new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false);

    public const string IstioNamespace = "istio-system";
    public const string NetworkLabel = "topology.istio.io/network";
    public const string CiliumConfig = "cilium-config";
    public const string KubeSystem = "kube-system";
}
