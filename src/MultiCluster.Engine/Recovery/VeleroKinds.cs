using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>The Velero kinds (velero.io/v1) the module reads and writes, and Velero's well-known names.</summary>
internal static class VeleroKinds
{
    public const string ApiVersion = "velero.io/v1";

    /// <summary>The namespace Velero installs into by default.</summary>
    public const string DefaultNamespace = "velero";

    public const string ScheduleNameLabel = "velero.io/schedule-name";
    public const string StorageLocationLabel = "velero.io/storage-location";
    public const string BackupNameLabel = "velero.io/backup-name";
    public const string RestoreNameLabel = "velero.io/restore-name";

    public static readonly ResourceType Backup = new("velero.io", "v1", "Backup", "backups", true);
    public static readonly ResourceType Restore = new("velero.io", "v1", "Restore", "restores", true);
    public static readonly ResourceType Schedule = new("velero.io", "v1", "Schedule", "schedules", true);
    public static readonly ResourceType BackupStorageLocation = new("velero.io", "v1", "BackupStorageLocation", "backupstoragelocations", true);
    public static readonly ResourceType VolumeSnapshotLocation = new("velero.io", "v1", "VolumeSnapshotLocation", "volumesnapshotlocations", true);
    public static readonly ResourceType DownloadRequest = new("velero.io", "v1", "DownloadRequest", "downloadrequests", true);

    /// <summary>The resources every schedule leaves out unless told otherwise: events are noise and expire anyway.</summary>
    public static readonly IReadOnlyList<string> DefaultExcludedResources = ["events", "events.events.k8s.io"];
}
