using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.ApiServer.Patching;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Store writes by a simulated controller that leave the managedFields a real one leaves: an
/// Update operation by its manager (kube-controller-manager, kubelet), on the status subresource
/// for status writes. A client's server-side apply of a field a controller owns then conflicts
/// (409 naming the manager) unless forced, as in a real cluster.
/// </summary>
internal static class ControllerWrites
{
    public const string ControllerManager = "kube-controller-manager";
    public const string Kubelet = "kubelet";

    public static JsonObject Create(ClusterContext cluster, ResourceType type, JsonObject obj, string manager)
    {
        ManagedFields.RecordUpdate(null, obj, Options(cluster, type, manager, null));
        return cluster.Store.Create(type, obj);
    }

    /// <summary>
    /// Replaces <paramref name="live"/> with <paramref name="updated"/> (a changed copy of it) unless
    /// nothing changed; null when nothing was written (our own write is a change event too, so an
    /// unconditional write would loop). A stale live object gives a 409, which requeues the key.
    /// </summary>
    public static JsonObject? Update(ClusterContext cluster, ResourceType type, JsonObject live, JsonObject updated, string manager)
    {
        if (JsonNode.DeepEquals(live, updated)) return null;
        ManagedFields.RecordUpdate(live, updated, Options(cluster, type, manager, null));
        return cluster.Store.Update(type, updated);
    }

    /// <summary>Writes <paramref name="status"/> as the status subresource would; null when it is already the live status.</summary>
    public static JsonObject? UpdateStatus(ClusterContext cluster, ResourceType type, JsonObject live, JsonObject status, string manager)
    {
        if (JsonNode.DeepEquals(live["status"], status)) return null;
        var updated = live.DeepClone().AsObject();
        updated["status"] = status.DeepClone();
        ManagedFields.RecordUpdate(live, updated, Options(cluster, type, manager, "status"));
        return cluster.Store.Update(type, updated);
    }

    private static ManagedFieldsOptions Options(ClusterContext cluster, ResourceType type, string manager, string? subresource) => new()
    {
        Manager = manager,
        ApiVersion = type.ApiVersion(type.StorageVersion),
        Group = type.Group,
        Kind = type.Kind,
        Now = cluster.Clock.UtcNow,
        Subresource = subresource,
        HasStatusSubresource = type.HasStatus,
        Schema = type.Schemas.GetValueOrDefault(type.StorageVersion),
    };
}
