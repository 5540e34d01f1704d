using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>
/// A RoleBinding's or ClusterRoleBinding's roleRef, which the API server never changes in place
/// (422 "cannot change roleRef"): a binding that must point at another role is deleted and created
/// again, as kubectl's own reconcile does.
/// </summary>
internal static class BindingRoleRef
{
    public static bool IsBinding(ResourceType type) =>
        type.Group == "rbac.authorization.k8s.io" && type.Kind is "RoleBinding" or "ClusterRoleBinding";

    /// <summary>"ClusterRole view to ClusterRole edit" when <paramref name="desired"/> points elsewhere than <paramref name="live"/>; null when it names the same role or none.</summary>
    public static string? Change(KubeObject live, KubeObject desired)
    {
        if (desired.Json["roleRef"] is not JsonObject wanted) return null;
        var had = live.Json["roleRef"] as JsonObject;
        var same = Text(had, "kind") == Text(wanted, "kind") && Text(had, "name") == Text(wanted, "name")
                   && (Text(wanted, "apiGroup") is null || Text(had, "apiGroup") == Text(wanted, "apiGroup"));
        return same ? null : $"{Text(had, "kind")} {Text(had, "name")} to {Text(wanted, "kind")} {Text(wanted, "name")}";
    }

    private static string? Text(JsonObject? roleRef, string field) => roleRef?[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
