namespace MultiCluster.Engine.Resources;

/// <summary>
/// Scope guesses for describing objects before discovery has run (ShouldProcess texts): the
/// built-in cluster-scoped kinds, and CRDs in the same batch that declare <c>scope: Cluster</c>.
/// Applying always uses discovery.
/// </summary>
internal static class ObjectScope
{
    private static readonly HashSet<string> ClusterScopedKinds = new(StringComparer.Ordinal)
    {
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "APIService", "CertificateSigningRequest", "FlowSchema",
        "PriorityLevelConfiguration", "ComponentStatus",
    };

    public static bool IsCrd(KubeObject obj) =>
        obj.Kind == "CustomResourceDefinition" && obj.Group == "apiextensions.k8s.io";

    public static bool IsNamespace(KubeObject obj) => obj.Kind == "Namespace" && obj.ApiVersion == "v1";

    /// <summary>(group, kind) of the custom resources a batch's CRDs define, with their scope.</summary>
    public static IReadOnlyDictionary<(string Group, string Kind), bool> CrdKinds(IEnumerable<KubeObject> objects)
    {
        var kinds = new Dictionary<(string, string), bool>();
        foreach (var crd in objects.Where(IsCrd))
        {
            var spec = crd.Json["spec"];
            var group = spec?["group"]?.GetValue<string>();
            var kind = spec?["names"]?["kind"]?.GetValue<string>();
            if (group is null || kind is null) continue;
            kinds[(group, kind)] = spec?["scope"]?.GetValue<string>() == "Cluster";
        }
        return kinds;
    }

    public static bool LooksClusterScoped(KubeObject obj, IReadOnlyDictionary<(string Group, string Kind), bool> crdKinds) =>
        crdKinds.TryGetValue((obj.Group, obj.Kind), out var clusterScoped)
            ? clusterScoped
            : ClusterScopedKinds.Contains(obj.Kind) && (obj.Group.Length == 0 || obj.Group.EndsWith(".k8s.io", StringComparison.Ordinal));
}
