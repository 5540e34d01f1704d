using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Controllers.Velero;

/// <summary>One backup as Velero keeps it in object storage: the Backup object and the items it holds.</summary>
/// <param name="Name">The Backup's name.</param>
/// <param name="Backup">The Backup object (metadata labels, spec, status) as uploaded when it finished.</param>
/// <param name="Items">Every object backed up, with the (group, plural) it was read as.</param>
public sealed record VeleroStoredBackup(string Name, JsonObject Backup, IReadOnlyList<VeleroStoredItem> Items);

/// <summary>One object inside a stored backup.</summary>
public sealed record VeleroStoredItem(string Group, string Resource, bool Namespaced, JsonObject Object);

/// <summary>
/// The object store (S3 buckets) that the simulated Velero servers of several emulated clusters
/// share: a backup uploaded by one cluster is seen by every cluster whose BackupStorageLocation
/// names the same provider, bucket and prefix. <see cref="Shared"/> is the process-wide one (the
/// emulator console and docs use it); tests that must not see each other make their own.
/// </summary>
public sealed class VeleroObjectStorage
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Provider, string Bucket, string Prefix), Dictionary<string, VeleroStoredBackup>> _locations = [];

    /// <summary>The storage of the whole process.</summary>
    public static VeleroObjectStorage Shared { get; } = new();

    /// <summary>Raised after a backup is uploaded or deleted, with the location it changed.</summary>
    public event Action<(string Provider, string Bucket, string Prefix)>? Changed;

    public void Upload((string Provider, string Bucket, string Prefix) location, VeleroStoredBackup backup)
    {
        lock (_gate)
        {
            if (!_locations.TryGetValue(location, out var backups))
                _locations[location] = backups = new Dictionary<string, VeleroStoredBackup>(StringComparer.Ordinal);
            backups[backup.Name] = backup with { Backup = backup.Backup.DeepClone().AsObject() };
        }
        Changed?.Invoke(location);
    }

    public bool Delete((string Provider, string Bucket, string Prefix) location, string name)
    {
        bool removed;
        lock (_gate)
            removed = _locations.TryGetValue(location, out var backups) && backups.Remove(name);
        if (removed) Changed?.Invoke(location);
        return removed;
    }

    /// <summary>The backups under a location, by name.</summary>
    public IReadOnlyList<VeleroStoredBackup> List((string Provider, string Bucket, string Prefix) location)
    {
        lock (_gate)
            return _locations.TryGetValue(location, out var backups) ? backups.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToList() : [];
    }

    public VeleroStoredBackup? Find((string Provider, string Bucket, string Prefix) location, string name)
    {
        lock (_gate)
            return _locations.TryGetValue(location, out var backups) ? backups.GetValueOrDefault(name) : null;
    }
}
