using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// A Velero BackupStorageLocation (and, with a snapshot provider, a VolumeSnapshotLocation) of one
/// region. Credentials are only ever a reference to a Secret that already exists in the cluster.
/// </summary>
public sealed record BackupLocationDefinition
{
    public required string Name { get; init; }
    public required string Provider { get; init; }
    public required string Bucket { get; init; }
    public string? Prefix { get; init; }
    public string? Region { get; init; }
    public string Namespace { get; init; } = VeleroKinds.DefaultNamespace;

    /// <summary>ReadWrite, or ReadOnly for a standby that restores but must never write.</summary>
    public string AccessMode { get; init; } = "ReadWrite";

    public bool Default { get; init; }

    /// <summary>The Secret holding the credentials, and its key; null uses Velero's own credentials.</summary>
    public string? CredentialSecret { get; init; }
    public string CredentialKey { get; init; } = "cloud";

    /// <summary>The volume snapshot provider; null renders no VolumeSnapshotLocation.</summary>
    public string? SnapshotProvider { get; init; }

    /// <summary>How often the cluster syncs backups from storage; null keeps Velero's default (1m).</summary>
    public TimeSpan? BackupSyncPeriod { get; init; }

    /// <summary>Refuses what Velero would reject later, before anything is sent.</summary>
    public BackupLocationDefinition Validate()
    {
        string? problem = null;
        if (Resources.KubernetesNames.DnsSubdomainProblem(Name) is { } nameProblem)
            problem = $"the name {nameProblem}, so the API server would refuse it";
        else if (Bucket.Contains('/', StringComparison.Ordinal))
            problem = $"the bucket '{Bucket}' contains '/'; put the path in -Prefix instead";
        else if (AccessMode is not ("ReadWrite" or "ReadOnly"))
            problem = $"the access mode '{AccessMode}' is neither ReadWrite nor ReadOnly";
        else if (Default && AccessMode == "ReadOnly")
            problem = "a ReadOnly location cannot be the default one: scheduled backups would fail on it";
        else if (BackupSyncPeriod < TimeSpan.Zero)
            problem = $"the backup sync period {BackupSyncPeriod} is negative; give a duration such as 00:01:00, or 0 to turn syncing off";
        if (problem is not null)
        {
            throw new FleetInputException(RecoveryErrorIds.BackupLocationInvalid, FleetErrorCategory.InvalidArgument, Name,
                $"Backup location '{Name}': {problem}.");
        }
        return this;
    }

    /// <summary>The BackupStorageLocation, then the VolumeSnapshotLocation when one is wanted.</summary>
    public IReadOnlyList<KubeObject> Render()
    {
        var objectStorage = new JsonObject { ["bucket"] = Bucket };
        if (!string.IsNullOrEmpty(Prefix)) objectStorage["prefix"] = Prefix.Trim('/');
        var spec = new JsonObject
        {
            ["provider"] = Provider,
            ["objectStorage"] = objectStorage,
        };
        if (Region is not null) spec["config"] = new JsonObject { ["region"] = Region };
        if (CredentialSecret is not null) spec["credential"] = new JsonObject { ["name"] = CredentialSecret, ["key"] = CredentialKey };
        if (Default) spec["default"] = true;
        spec["accessMode"] = AccessMode;
        if (BackupSyncPeriod is { } period) spec["backupSyncPeriod"] = VeleroDuration.Format(period);
        var objects = new List<KubeObject> { Object("BackupStorageLocation", spec) };
        if (SnapshotProvider is not null)
        {
            var snapshotSpec = new JsonObject { ["provider"] = SnapshotProvider };
            if (Region is not null) snapshotSpec["config"] = new JsonObject { ["region"] = Region };
            if (CredentialSecret is not null) snapshotSpec["credential"] = new JsonObject { ["name"] = CredentialSecret, ["key"] = CredentialKey };
            objects.Add(Object("VolumeSnapshotLocation", snapshotSpec));
        }
        return objects;
    }

    private KubeObject Object(string kind, JsonObject spec) => new(new JsonObject
    {
        ["apiVersion"] = VeleroKinds.ApiVersion,
        ["kind"] = kind,
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
        },
        ["spec"] = spec,
    });
}
