namespace MultiCluster.Testing.ApiServer;

/// <summary>The built-in kinds every instance serves, with kube-apiserver 1.32's discovery details.</summary>
public static class BuiltinResources
{
    private static readonly string[] CreateOnly = ["create"];

    public static IEnumerable<ResourceType> All()
    {
        string[] v1 = ["v1"];
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "Namespace", Plural = "namespaces", Singular = "namespace", Namespaced = false,
            ShortNames = ["ns"], Subresources = ["status", "finalize"], NameRule = NameRule.Label,
            Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
        };
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true,
        };
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap", Namespaced = true,
            ShortNames = ["cm"],
        };
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "ServiceAccount", Plural = "serviceaccounts", Singular = "serviceaccount",
            Namespaced = true, ShortNames = ["sa"], Subresources = ["token"],
        };
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "Service", Plural = "services", Singular = "service", Namespaced = true,
            ShortNames = ["svc"], Categories = ["all"], Subresources = ["status"], NameRule = NameRule.Dns1035Label,
            Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        };
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "Endpoints", Plural = "endpoints", Singular = "endpoints", Namespaced = true,
            ShortNames = ["ep"],
        };
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "Node", Plural = "nodes", Singular = "node", Namespaced = false,
            ShortNames = ["no"], Subresources = ["status"],
        };
        var coreEvent = new ResourceType
        {
            Group = "", Versions = v1, Kind = "Event", Plural = "events", Singular = "event", Namespaced = true,
            ShortNames = ["ev"],
        };
        yield return coreEvent;
        yield return EventConversion.EventsV1(coreEvent);
        yield return new ResourceType
        {
            Group = "apps", Versions = v1, Kind = "Deployment", Plural = "deployments", Singular = "deployment",
            Namespaced = true, ShortNames = ["deploy"], Categories = ["all"], Subresources = ["status", "scale"],
            Scale = new ScaleSpec(".spec.replicas", ".status.replicas", null), TracksGeneration = true,
        };
        // The workload kinds kube-controller-manager and the kubelet drive (Controllers/DeploymentController).
        yield return new ResourceType
        {
            Group = "", Versions = v1, Kind = "Pod", Plural = "pods", Singular = "pod", Namespaced = true,
            ShortNames = ["po"], Categories = ["all"], Subresources = ["status"],
        };
        yield return new ResourceType
        {
            Group = "apps", Versions = v1, Kind = "ReplicaSet", Plural = "replicasets", Singular = "replicaset",
            Namespaced = true, ShortNames = ["rs"], Categories = ["all"], Subresources = ["status", "scale"],
            Scale = new ScaleSpec(".spec.replicas", ".status.replicas", null), TracksGeneration = true,
        };
        yield return new ResourceType
        {
            Group = "apps", Versions = v1, Kind = "StatefulSet", Plural = "statefulsets", Singular = "statefulset",
            Namespaced = true, ShortNames = ["sts"], Categories = ["all"], Subresources = ["status", "scale"],
            Scale = new ScaleSpec(".spec.replicas", ".status.replicas", null), TracksGeneration = true,
        };
        yield return new ResourceType
        {
            Group = "apps", Versions = v1, Kind = "DaemonSet", Plural = "daemonsets", Singular = "daemonset",
            Namespaced = true, ShortNames = ["ds"], Categories = ["all"], Subresources = ["status"], TracksGeneration = true,
        };
        yield return new ResourceType
        {
            Group = "batch", Versions = v1, Kind = "Job", Plural = "jobs", Singular = "job",
            Namespaced = true, Categories = ["all"], Subresources = ["status"], TracksGeneration = true,
        };
        yield return new ResourceType
        {
            Group = "networking.k8s.io", Versions = v1, Kind = "Ingress", Plural = "ingresses", Singular = "ingress",
            Namespaced = true, ShortNames = ["ing"], Subresources = ["status"],
        };
        foreach (var (kind, plural, namespaced) in new[]
                 {
                     ("ClusterRole", "clusterroles", false), ("ClusterRoleBinding", "clusterrolebindings", false),
                     ("Role", "roles", true), ("RoleBinding", "rolebindings", true),
                 })
        {
            yield return new ResourceType
            {
                Group = "rbac.authorization.k8s.io", Versions = v1, Kind = kind, Plural = plural,
                Singular = kind.ToLowerInvariant(), Namespaced = namespaced,
            };
        }
        yield return new ResourceType
        {
            Group = "apiextensions.k8s.io", Versions = v1, Kind = "CustomResourceDefinition",
            Plural = "customresourcedefinitions", Singular = "customresourcedefinition", Namespaced = false,
            ShortNames = ["crd", "crds"], Categories = ["api-extensions"], Subresources = ["status"], TracksGeneration = true,
        };
        yield return new ResourceType
        {
            Group = "authorization.k8s.io", Versions = v1, Kind = "SelfSubjectAccessReview",
            Plural = "selfsubjectaccessreviews", Singular = "selfsubjectaccessreview", Namespaced = false, Verbs = CreateOnly,
        };
        yield return new ResourceType
        {
            Group = "authorization.k8s.io", Versions = v1, Kind = "SubjectAccessReview",
            Plural = "subjectaccessreviews", Singular = "subjectaccessreview", Namespaced = false, Verbs = CreateOnly,
        };
        yield return new ResourceType
        {
            Group = "authorization.k8s.io", Versions = v1, Kind = "LocalSubjectAccessReview",
            Plural = "localsubjectaccessreviews", Singular = "localsubjectaccessreview", Namespaced = true, Verbs = CreateOnly,
        };
    }

    /// <summary>Kind and group-version a subresource answers with, for discovery.</summary>
    public static (string Group, string Version, string Kind, string[] Verbs) SubresourceShape(ResourceType type, string subresource) =>
        subresource switch
        {
            "scale" => ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
            "token" => ("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
            "finalize" => (type.Group, type.StorageVersion, type.Kind, ["update"]),
            _ => (type.Group, type.StorageVersion, type.Kind, ["get", "patch", "update"]),
        };

    /// <summary>Namespaces that exist when an instance starts.</summary>
    public static readonly string[] InitialNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"];
}
