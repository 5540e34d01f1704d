using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// The storage classes a restore needs: those of the PersistentVolumeClaims in the source's
/// namespaces, less what Velero's change-storage-class ConfigMap maps to another class. A class
/// the target lacks leaves the restored claims Pending, so it is refused before the restore.
/// </summary>
internal static class StorageClassCheck
{
    /// <summary>Velero's RestoreItemAction plugin reads the ConfigMap in its namespace carrying this label (value RestoreItemAction): data old -> new class.</summary>
    public const string ChangeStorageClassLabel = "velero.io/change-storage-class";

    private static readonly ResourceType Claim = new("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true);
    private static readonly ResourceType StorageClass = new("storage.k8s.io", "v1", "StorageClass", "storageclasses", false);
    private static readonly ResourceType ConfigMap = new("", "v1", "ConfigMap", "configmaps", true);

    /// <summary>Each storage class the source's claims use (in <paramref name="namespaces"/>; a null one means every namespace) that the target lacks, with the claims that use it.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> MissingAsync(ResourceClient source, ResourceClient target,
        IReadOnlyList<string?> namespaces, string veleroNamespace, CancellationToken cancellationToken)
    {
        var needed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var ns in namespaces)
            foreach (var claim in await ListOrNoneAsync(source, Claim, ns, null, cancellationToken).ConfigureAwait(false))
                if ((string?)claim.Json["spec"]?["storageClassName"] is { Length: > 0 } cls)
                    (needed.TryGetValue(cls, out var claims) ? claims : needed[cls] = []).Add($"{claim.Namespace}/{claim.Name}");
        if (needed.Count == 0) return new Dictionary<string, IReadOnlyList<string>>();

        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var map in await ListOrNoneAsync(target, ConfigMap, veleroNamespace, $"{ChangeStorageClassLabel}=RestoreItemAction", cancellationToken).ConfigureAwait(false))
            if (map.Json["data"] is System.Text.Json.Nodes.JsonObject data)
                foreach (var (from, to) in data)
                    if ((string?)to is { Length: > 0 } mapped) mapping[from] = mapped;
        var present = (await ListOrNoneAsync(target, StorageClass, null, null, cancellationToken).ConfigureAwait(false)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return needed.Where(n => !present.Contains(mapping.GetValueOrDefault(n.Key, n.Key)))
            .OrderBy(n => n.Key, StringComparer.Ordinal)
            .ToDictionary(n => n.Key, n => (IReadOnlyList<string>)n.Value, StringComparer.Ordinal);
    }

    /// <summary>Throws before any change when the target lacks a class the source's claims use.</summary>
    public static async Task EnsureAsync(ResourceClient source, ResourceClient target, IReadOnlyList<string> namespaces, string veleroNamespace,
        CancellationToken cancellationToken)
    {
        var missing = await MissingAsync(source, target, namespaces, veleroNamespace, cancellationToken).ConfigureAwait(false);
        if (missing.Count == 0) return;
        throw new FleetInputException(RecoveryErrorIds.StandbyStorageClassMissing, FleetErrorCategory.NotInstalled, target.Cluster,
            $"Cluster '{target.Cluster}' has no storage class {Describe(missing)}: the restored claims would stay Pending.",
            recommendedAction: $"Create the storage classes on {target.Cluster}, or map them to ones it has with Velero's change-storage-class ConfigMap in its Velero namespace.");
    }

    public static string Describe(IReadOnlyDictionary<string, IReadOnlyList<string>> missing) =>
        string.Join(", ", missing.Select(m => $"'{m.Key}' (used by {string.Join(", ", m.Value)})"));

    /// <summary>A kind the cluster does not serve has no objects.</summary>
    internal static async Task<IReadOnlyList<KubeObject>> ListOrNoneAsync(ResourceClient client, ResourceType type, string? ns, string? selector,
        CancellationToken cancellationToken)
    {
        try
        {
            return await client.ListAsync(type, ns, selector, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetClusterException e) when (e.ErrorId is FleetErrorIds.ResourceNotFound or FleetErrorIds.ResourceKindUnknown)
        {
            return [];
        }
    }
}
