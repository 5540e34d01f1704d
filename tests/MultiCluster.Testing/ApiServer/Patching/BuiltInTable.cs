using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>
/// The patch strategies and list keys of the built-in kinds the emulator serves, taken from the
/// Kubernetes API types, for machines without shared/crds/kubernetes-openapi-v3. Rules match the
/// end of a field path (list items do not add a segment); the longest matching rule wins.
/// </summary>
internal static class BuiltInTable
{
    private sealed record Rule(string? Strategy, string? MergeKey, string? ListType, string[] MapKeys, string? MapType = null, bool IsMap = false, string? Default = null);

    private static readonly string[] Name = ["name"];

    private static readonly Dictionary<string, Rule> Rules = new()
    {
        ["labels"] = new(null, null, null, [], IsMap: true),
        ["annotations"] = new(null, null, null, [], IsMap: true),
        ["data"] = new(null, null, null, [], IsMap: true),
        ["stringData"] = new(null, null, null, [], IsMap: true),
        ["binaryData"] = new(null, null, null, [], IsMap: true),
        ["nodeSelector"] = new(null, null, null, [], "atomic", IsMap: true),
        ["ports.protocol"] = new(null, null, null, [], Default: "TCP"),
        ["metadata.finalizers"] = new("merge", null, "set", []),
        ["metadata.ownerReferences"] = new("merge", "uid", "map", ["uid"]),
        ["metadata.managedFields"] = new(null, null, "atomic", []),
        ["containers"] = new("merge", "name", "map", Name),
        ["initContainers"] = new("merge", "name", "map", Name),
        ["ephemeralContainers"] = new("merge", "name", "map", Name),
        ["containers.ports"] = new("merge", "containerPort", "map", ["containerPort", "protocol"]),
        ["initContainers.ports"] = new("merge", "containerPort", "map", ["containerPort", "protocol"]),
        ["env"] = new("merge", "name", "map", Name),
        ["envFrom"] = new(null, null, "atomic", []),
        ["volumeMounts"] = new("merge", "mountPath", "map", ["mountPath"]),
        ["volumeDevices"] = new("merge", "devicePath", "map", ["devicePath"]),
        ["volumes"] = new("merge,retainKeys", "name", "map", Name),
        ["imagePullSecrets"] = new("merge", "name", "map", Name),
        ["tolerations"] = new(null, null, "atomic", []),
        ["hostAliases"] = new("merge", "ip", "map", ["ip"]),
        ["topologySpreadConstraints"] = new("merge", "topologyKey", "map", ["topologyKey", "whenUnsatisfiable"]),
        ["readinessGates"] = new(null, null, "atomic", []),
        ["conditions"] = new("merge", "type", "map", ["type"]),
        ["spec.strategy"] = new("retainKeys", null, null, []),
        ["spec.updateStrategy"] = new("retainKeys", null, null, []),
        ["selector"] = new(null, null, null, [], "atomic"),
        ["spec.ports"] = new("merge", "port", "map", ["port", "protocol"]),
        ["serviceAccount.secrets"] = new("merge", "name", null, []),
        ["subjects"] = new(null, null, "atomic", []),
        ["rules"] = new(null, null, "atomic", []),
        ["roleRef"] = new(null, null, null, [], "atomic"),
    };

    private static readonly HashSet<string> Kinds =
    [
        "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "/Pod", "/PodTemplate", "/Service",
        "/ConfigMap", "/Secret", "/ServiceAccount", "/Namespace",
        "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole",
        "rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding",
    ];

    public static PatchSchema? ForKind(string group, string kind)
    {
        if (!Kinds.Contains($"{group}/{kind}")) return null;
        // ServiceAccount.secrets is the only "secrets" list with a merge key; give it a distinct root name.
        return At(kind == "ServiceAccount" ? ["serviceAccount"] : []);
    }

    private static PatchSchema At(IReadOnlyList<string> path)
    {
        var rule = Match(path);
        return PatchSchema.Create(rule?.Strategy, rule?.MergeKey, rule?.ListType, rule?.MapKeys ?? [], rule?.MapType,
            name => At([.. path, name]),
            () => Item(path),
            rule?.IsMap ?? false,
            rule?.Default is { } value ? JsonValue.Create(value) : null);
    }

    // A list item carries no rule of its own; its fields continue the list's path.
    private static PatchSchema Item(IReadOnlyList<string> path) =>
        PatchSchema.Create(null, null, null, [], null, name => At([.. path, name]), () => Item(path));

    private static Rule? Match(IReadOnlyList<string> path)
    {
        for (var start = 0; start < path.Count; start++)
            if (Rules.TryGetValue(string.Join('.', path.Skip(start)), out var rule))
                return rule;
        return null;
    }
}
