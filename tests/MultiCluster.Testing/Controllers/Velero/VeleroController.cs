using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cronos;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers.Velero;

/// <summary>
/// Stands in for a Velero server (1.18) once the Velero CRDs are installed; without them it does
/// nothing, as a cluster without Velero. Simulated:
/// <list type="bullet">
/// <item>BackupStorageLocation: Available (ReadOnly ones too), and backup sync: every backup in
/// its bucket/prefix that the cluster lacks appears in the location's namespace with
/// <c>spec.storageLocation</c> = the local name and label <c>velero.io/storage-location</c>;
/// Completed/PartiallyFailed backups of that location missing from storage are deleted. Sync runs
/// when the location changes, when its storage changes, and every <c>backupSyncPeriod</c> (1m).</item>
/// <item>Backup: New -> InProgress (startTimestamp, expiration = start + ttl, default 720h) ->
/// after <see cref="BackupDuration"/> Completed (or <see cref="BackupOutcome"/>, or the
/// <see cref="OutcomeAnnotation"/> of the Backup), items counted, uploaded to storage. A location
/// that is missing or ReadOnly gives FailedValidation.</item>
/// <item>Schedule: Enabled or FailedValidation (a cron Cronos cannot read); a Backup
/// <c>&lt;schedule&gt;-&lt;yyyyMMddHHmmss&gt;</c> at once unless skipImmediately, then on the cron,
/// on the instance's clock; paused schedules make none.</item>
/// <item>Restore: the backup's items recreated in the target cluster in Velero's resource priority
/// order, namespaceMapping applied, labels velero.io/backup-name and velero.io/restore-name,
/// status, uid and resourceVersion dropped, a Service's clusterIP cleared; an existing object is
/// kept (a warning when it differs), or with existingResourcePolicy update overwritten; a kind the cluster does not serve is an error
/// (PartiallyFailed). <see cref="RestoreOutcome"/> or the annotation forces the outcome; a forced
/// PartiallyFailed gives each restored namespace an error and a warning worded as Velero's. The
/// warnings and errors are stored as Velero's results file beside the backup.</item>
/// <item>DownloadRequest (when its CRD is installed, see <see cref="VeleroDownloadRequestCrd"/>): a
/// RestoreResults target becomes Processed with a pre-signed <c>downloadURL</c> of the results file
/// (expiring after 10 minutes, as Velero's default signed-URL TTL) and is deleted once expired.
/// Other targets are left New, as are targets whose restore is missing.</item>
/// </list>
/// Left out: volume snapshots and data movement, hooks, resource policies, cluster-scoped
/// resources other than Namespaces, label selectors beyond matchLabels, item operations.
/// </summary>
public sealed class VeleroController(VeleroObjectStorage storage, TimeSpan backupDuration, TimeSpan restoreDuration) : StoreController
{
    public const string ControllerName = "velero";
    public const string Group = "velero.io";

    /// <summary>An annotation on a Backup or Restore forcing its final phase (PartiallyFailed or Failed).</summary>
    public const string OutcomeAnnotation = "emulator.multicluster.io/velero-outcome";

    /// <summary>Velero 1.18's restore priorities: these first, in this order; then the rest; then the low ones.</summary>
    public static readonly IReadOnlyList<string> HighPriorities =
    [
        "customresourcedefinitions", "namespaces", "storageclasses", "volumesnapshotclass.snapshot.storage.k8s.io",
        "volumesnapshotcontents.snapshot.storage.k8s.io", "volumesnapshots.snapshot.storage.k8s.io", "datauploads.velero.io",
        "persistentvolumes", "persistentvolumeclaims", "clusterroles", "roles", "serviceaccounts", "clusterrolebindings",
        "rolebindings", "secrets", "configmaps", "limitranges", "priorityclasses", "pods", "replicasets.apps",
        "clusterclasses.cluster.x-k8s.io", "endpoints", "services",
    ];

    public static readonly IReadOnlyList<string> LowPriorities =
    [
        "clusterbootstraps.run.tanzu.vmware.com", "clusters.cluster.x-k8s.io", "clusterresourcesets.addons.cluster.x-k8s.io",
        "apps.kappctrl.k14s.io", "packageinstalls.packaging.carvel.dev",
    ];

    /// <summary>What Velero never restores.</summary>
    public static readonly IReadOnlySet<string> NeverRestored = new HashSet<string>(StringComparer.Ordinal)
    {
        "nodes", "events", "events.events.k8s.io", "backups.velero.io", "restores.velero.io", "resticrepositories.velero.io",
        "backuprepositories.velero.io", "csinodes.storage.k8s.io", "volumeattachments.storage.k8s.io",
    };

    private static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(720);
    private static readonly TimeSpan DefaultSyncPeriod = TimeSpan.FromMinutes(1);

    private readonly Dictionary<ObjectKey, DateTimeOffset> _due = [];

    public VeleroController() : this(VeleroObjectStorage.Shared, TimeSpan.Zero, TimeSpan.Zero)
    {
    }

    public override string Name => ControllerName;

    public VeleroObjectStorage Storage { get; } = storage;

    /// <summary>How long a Backup stays InProgress, on the instance's clock.</summary>
    public TimeSpan BackupDuration { get; } = backupDuration;

    /// <summary>How long a Restore stays InProgress, on the instance's clock.</summary>
    public TimeSpan RestoreDuration { get; } = restoreDuration;

    /// <summary>When set (PartiallyFailed or Failed), the final phase of every Backup from now on.</summary>
    public string? BackupOutcome { get; set; }

    /// <summary>When set (PartiallyFailed or Failed), the final phase of every Restore from now on.</summary>
    public string? RestoreOutcome { get; set; }

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } =
        [(Group, "backupstoragelocations"), (Group, "backups"), (Group, "restores"), (Group, "schedules"), (Group, "downloadrequests")];

    protected override void OnStart() => Storage.Changed += OnStorageChanged;

    protected override void OnStop() => Storage.Changed -= OnStorageChanged;

    private void OnStorageChanged((string Provider, string Bucket, string Prefix) location)
    {
        if (Type("backupstoragelocations") is not { } type) return;
        foreach (var bsl in Cluster.Store.List(type, null).Items)
            if (LocationOf(bsl) == location)
                Enqueue(ObjectKey.For(type, Namespace(bsl), NameOf(bsl)));
    }

    protected override void Reconcile(ObjectKey key)
    {
        switch (key.Resource)
        {
            case "backupstoragelocations": ReconcileLocation(key); break;
            case "backups": ReconcileBackup(key); break;
            case "restores": ReconcileRestore(key); break;
            case "schedules": ReconcileSchedule(key); break;
            case "downloadrequests": ReconcileDownloadRequest(key); break;
        }
    }

    // ---- BackupStorageLocation and backup sync ----

    private void ReconcileLocation(ObjectKey key)
    {
        var type = Type("backupstoragelocations")!;
        var bsl = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (bsl is null) return;
        var now = Cluster.Clock.UtcNow;
        Sync(bsl);
        bsl["status"] = new JsonObject
        {
            ["phase"] = "Available",
            ["lastSyncedTime"] = Timestamp(now),
            ["lastValidationTime"] = Timestamp(now),
        };
        Cluster.Store.Update(type, bsl);
        var period = GoDuration.TryParse((string?)bsl["spec"]?["backupSyncPeriod"], out var p) ? p : DefaultSyncPeriod;
        if (period > TimeSpan.Zero) RequeueAt(key, now + period);
    }

    private void Sync(JsonObject bsl)
    {
        var backupType = Type("backups")!;
        var ns = Namespace(bsl);
        var name = NameOf(bsl);
        var stored = Storage.List(LocationOf(bsl));
        var local = Cluster.Store.List(backupType, ns).Items.ToDictionary(NameOf, StringComparer.Ordinal);
        foreach (var backup in stored.Where(b => !local.ContainsKey(b.Name)))
        {
            var labels = (backup.Backup["metadata"]?["labels"] as JsonObject)?.DeepClone().AsObject() ?? [];
            labels["velero.io/storage-location"] = name;
            var spec = backup.Backup["spec"]?.DeepClone().AsObject() ?? [];
            spec["storageLocation"] = name;
            Cluster.Store.Create(backupType, new JsonObject
            {
                ["apiVersion"] = "velero.io/v1",
                ["kind"] = "Backup",
                ["metadata"] = new JsonObject { ["name"] = backup.Name, ["namespace"] = ns, ["labels"] = labels },
                ["spec"] = spec,
                ["status"] = backup.Backup["status"]?.DeepClone(),
            });
        }
        var storedNames = stored.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (backupName, backup) in local)
        {
            var phase = (string?)backup["status"]?["phase"];
            if ((string?)backup["metadata"]?["labels"]?["velero.io/storage-location"] == name && phase is "Completed" or "PartiallyFailed"
                && !storedNames.Contains(backupName))
                Cluster.Store.Delete(backupType, ns, backupName);
        }
    }

    // ---- Backup ----

    private void ReconcileBackup(ObjectKey key)
    {
        var type = Type("backups")!;
        var backup = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (backup is null) return;
        var phase = (string?)backup["status"]?["phase"] ?? "";
        var now = Cluster.Clock.UtcNow;
        if (phase is "" or "New")
        {
            var bsl = FindLocation(key.Namespace, (string?)backup["spec"]?["storageLocation"]);
            var problem = bsl is null
                ? $"an existing backup storage location wasn't specified at backup creation time and the server default couldn't be found"
                : (string?)bsl["spec"]?["accessMode"] == "ReadOnly"
                    ? $"backup can't be created because backup storage location {NameOf(bsl)} is currently in read-only mode"
                    : null;
            if (problem is not null)
            {
                backup["status"] = new JsonObject { ["phase"] = "FailedValidation", ["validationErrors"] = new JsonArray(problem) };
                Cluster.Store.Update(type, backup);
                return;
            }
            var ttl = GoDuration.TryParse((string?)backup["spec"]?["ttl"], out var t) && t > TimeSpan.Zero ? t : DefaultTtl;
            var labels = backup["metadata"]!["labels"] as JsonObject ?? [];
            labels["velero.io/storage-location"] = NameOf(bsl!);
            backup["metadata"]!["labels"] = labels;
            backup["spec"]!["storageLocation"] = NameOf(bsl!);
            backup["status"] = new JsonObject
            {
                ["version"] = 1,
                ["formatVersion"] = "1.1.0",
                ["expiration"] = Timestamp(now + ttl),
                ["phase"] = "InProgress",
                ["startTimestamp"] = Timestamp(now),
            };
            Cluster.Store.Update(type, backup);
            _due[key] = now + BackupDuration;
        }
        else if (phase != "InProgress")
        {
            return;
        }
        if (StillRunning(key, now)) return;
        var items = Snapshot(backup["spec"] as JsonObject ?? []);
        var outcome = OutcomeOf(backup, BackupOutcome);
        var status = backup["status"]!.AsObject();
        status["phase"] = outcome;
        status["completionTimestamp"] = Timestamp(now);
        status["progress"] = new JsonObject { ["totalItems"] = items.Count, ["itemsBackedUp"] = outcome == "Failed" ? 0 : items.Count };
        if (outcome == "PartiallyFailed") status["errors"] = 1;
        if (outcome == "Failed") status["failureReason"] = "simulated failure";
        Cluster.Store.Update(type, backup);
        if (outcome != "Failed" && FindLocation(key.Namespace, (string?)backup["spec"]?["storageLocation"]) is { } location)
            Storage.Upload(LocationOf(location), new VeleroStoredBackup(key.Name, backup, items));
    }

    private List<VeleroStoredItem> Snapshot(JsonObject spec)
    {
        var included = Strings(spec["includedNamespaces"]);
        var excluded = Strings(spec["excludedNamespaces"]);
        var includedResources = Strings(spec["includedResources"]);
        var excludedResources = Strings(spec["excludedResources"]);
        var matchLabels = spec["labelSelector"]?["matchLabels"] as JsonObject;
        bool NamespaceWanted(string ns) =>
            (included.Count == 0 || included.Contains("*") || included.Contains(ns)) && !excluded.Contains(ns);
        bool ResourceWanted(ResourceType type) =>
            (includedResources.Count == 0 || includedResources.Contains("*") || Names(type).Any(includedResources.Contains))
            && !Names(type).Any(excludedResources.Contains);

        var items = new List<VeleroStoredItem>();
        var namespaces = Cluster.Registry.Find("", "namespaces")!;
        foreach (var ns in Cluster.Store.List(namespaces, null).Items.Where(n => NamespaceWanted(NameOf(n))))
            items.Add(new VeleroStoredItem("", "namespaces", false, ns));
        foreach (var type in Cluster.Registry.All.Where(t => t.Namespaced && t.Group != Group && ResourceWanted(t))
                     .OrderBy(t => t.QualifiedResource, StringComparer.Ordinal))
        {
            foreach (var obj in Cluster.Store.List(type, null).Items)
            {
                if (!NamespaceWanted(Namespace(obj))) continue;
                if (matchLabels is not null && matchLabels.Any(l => (string?)obj["metadata"]?["labels"]?[l.Key] != (string?)l.Value)) continue;
                items.Add(new VeleroStoredItem(type.Group, type.Plural, true, obj));
            }
        }
        return items;
    }

    // ---- Schedule ----

    /// <summary>
    /// True while the backup or restore started for <paramref name="key"/> has time left (it is
    /// requeued for then); false once it is due, when its end time is forgotten.
    /// </summary>
    private bool StillRunning(ObjectKey key, DateTimeOffset now)
    {
        var due = _due.TryGetValue(key, out var d) ? d : now;
        if (now < due)
        {
            RequeueAt(key, due);
            return true;
        }
        _due.Remove(key);
        return false;
    }

    private void ReconcileSchedule(ObjectKey key)
    {
        var type = Type("schedules")!;
        var schedule = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (schedule is null) return;
        var text = (string?)schedule["spec"]?["schedule"] ?? "";
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(text);
        }
        catch (CronFormatException e)
        {
            var failed = new JsonObject { ["phase"] = "FailedValidation", ["validationErrors"] = new JsonArray($"invalid schedule: {e.Message}") };
            if (!JsonNode.DeepEquals(schedule["status"], failed))
            {
                schedule["status"] = failed;
                Cluster.Store.Update(type, schedule);
            }
            return;
        }
        var status = schedule["status"] as JsonObject ?? [];
        var changed = (string?)status["phase"] != "Enabled";
        status["phase"] = "Enabled";
        status.Remove("validationErrors");
        var now = Cluster.Clock.UtcNow;
        var paused = (bool?)schedule["spec"]?["paused"] == true;
        var last = DateTimeOffset.TryParse((string?)status["lastBackup"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var l) ? l : (DateTimeOffset?)null;
        var created = DateTimeOffset.Parse((string)schedule["metadata"]!["creationTimestamp"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        DateTimeOffset? due = last is null && (bool?)schedule["spec"]?["skipImmediately"] != true
            ? now
            : cron.GetNextOccurrence(last ?? created, TimeZoneInfo.Utc);
        if (!paused && due is { } at && at <= now)
        {
            CreateScheduledBackup(schedule, now);
            status["lastBackup"] = Timestamp(now);
            changed = true;
            due = cron.GetNextOccurrence(now, TimeZoneInfo.Utc);
        }
        if (changed)
        {
            schedule["status"] = status;
            Cluster.Store.Update(type, schedule);
        }
        if (!paused && due is { } next) RequeueAt(key, next);
    }

    private void CreateScheduledBackup(JsonObject schedule, DateTimeOffset now)
    {
        var name = NameOf(schedule);
        var template = schedule["spec"]?["template"]?.DeepClone().AsObject() ?? [];
        var labels = (template["metadata"]?["labels"] ?? schedule["metadata"]?["labels"])?.DeepClone().AsObject() ?? [];
        template.Remove("metadata");
        labels["velero.io/schedule-name"] = name;
        var metadata = new JsonObject
        {
            ["name"] = $"{name}-{now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}",
            ["namespace"] = Namespace(schedule),
            ["labels"] = labels,
        };
        if (schedule["metadata"]?["annotations"] is JsonObject annotations) metadata["annotations"] = annotations.DeepClone();
        Cluster.Store.Create(Type("backups")!, new JsonObject
        {
            ["apiVersion"] = "velero.io/v1",
            ["kind"] = "Backup",
            ["metadata"] = metadata,
            ["spec"] = template,
        });
    }

    // ---- Restore ----

    private void ReconcileRestore(ObjectKey key)
    {
        var type = Type("restores")!;
        var restore = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (restore is null) return;
        var phase = (string?)restore["status"]?["phase"] ?? "";
        var now = Cluster.Clock.UtcNow;
        if (phase is "" or "New")
        {
            var backup = SourceBackup(restore, key.Namespace, out var problem);
            if (backup is null)
            {
                restore["status"] = new JsonObject { ["phase"] = "FailedValidation", ["validationErrors"] = new JsonArray(problem) };
                Cluster.Store.Update(type, restore);
                return;
            }
            restore["spec"]!["backupName"] = NameOf(backup);
            restore["status"] = new JsonObject { ["phase"] = "InProgress", ["startTimestamp"] = Timestamp(now) };
            Cluster.Store.Update(type, restore);
            _due[key] = now + RestoreDuration;
        }
        else if (phase != "InProgress")
        {
            return;
        }
        if (StillRunning(key, now)) return;
        var status = restore["status"]!.AsObject();
        var backupName = (string)restore["spec"]!["backupName"]!;
        var stored = Cluster.Store.Get(Type("backups")!, key.Namespace, backupName) is { } b
                     && FindLocation(key.Namespace, (string?)b["spec"]?["storageLocation"]) is { } location
            ? Storage.Find(LocationOf(location), backupName)
            : null;
        if (stored is null)
        {
            status["phase"] = "Failed";
            status["failureReason"] = $"error downloading backup {backupName} from its storage location";
            status["completionTimestamp"] = Timestamp(now);
            Cluster.Store.Update(type, restore);
            return;
        }
        var warnings = new VeleroResult();
        var errors = new VeleroResult();
        var (restored, total, restoredNamespaces) = RestoreItems(restore, stored, warnings, errors);
        var outcome = OutcomeOf(restore, RestoreOutcome);
        if (outcome == "Completed" && errors.Count > 0) outcome = "PartiallyFailed";
        if (outcome == "PartiallyFailed" && errors.Count == 0)
        {
            // Forced: what a webhook timing out and a namespace's own root CA ConfigMap make Velero say.
            foreach (var (ns, item) in restoredNamespaces)
            {
                errors.Add(ns, $"error restoring {item}: Timeout: request did not complete within requested timeout - context deadline exceeded");
                warnings.Add(ns, "could not restore, configmaps \"kube-root-ca.crt\" already exists. Warning: the in-cluster version is different than the backed-up version.");
            }
            if (errors.Count == 0) errors.Velero.Add("simulated failure");
        }
        status["phase"] = outcome;
        status["completionTimestamp"] = Timestamp(now);
        status["progress"] = new JsonObject { ["totalItems"] = total, ["itemsRestored"] = restored };
        if (warnings.Count > 0) status["warnings"] = warnings.Count;
        if (errors.Count > 0 && outcome != "Failed") status["errors"] = errors.Count;
        if (outcome == "Failed") status["failureReason"] = "simulated failure";
        Cluster.Store.Update(type, restore);
        // Velero's putResults: {"warnings": Result, "errors": Result}, JSON, gzip, at restores/<name>/restore-<name>-results.gz.
        if (FindLocation(key.Namespace, (string?)Cluster.Store.Get(Type("backups")!, key.Namespace, backupName)?["spec"]?["storageLocation"]) is { } resultsLocation)
        {
            var results = new JsonObject { ["warnings"] = warnings.ToJson(), ["errors"] = errors.ToJson() };
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                gzip.Write(System.Text.Encoding.UTF8.GetBytes(results.ToJsonString() + "\n"));
            Storage.PutFile(LocationOf(resultsLocation), RestoreResultsKey(key.Name), buffer.ToArray());
        }
    }

    /// <summary>Where Velero keeps a restore's results, under the location's prefix.</summary>
    public static string RestoreResultsKey(string restore) => $"restores/{restore}/restore-{restore}-results.gz";

    // ---- DownloadRequest ----

    private static readonly TimeSpan SignedUrlTtl = TimeSpan.FromMinutes(10);

    private void ReconcileDownloadRequest(ObjectKey key)
    {
        var type = Type("downloadrequests")!;
        var request = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (request is null) return;
        var now = Cluster.Clock.UtcNow;
        if ((string?)request["status"]?["phase"] == "Processed")
        {
            var expires = DateTimeOffset.TryParse((string?)request["status"]?["expiration"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e : now;
            if (expires <= now) Cluster.Store.Delete(type, key.Namespace, key.Name);
            else RequeueAt(key, expires);
            return;
        }
        if ((string?)request["spec"]?["target"]?["kind"] != "RestoreResults") return;
        var restore = Cluster.Store.Get(Type("restores")!, key.Namespace, (string?)request["spec"]?["target"]?["name"] ?? "");
        var backupName = (string?)restore?["spec"]?["backupName"];
        var backup = backupName is null ? null : Cluster.Store.Get(Type("backups")!, key.Namespace, backupName);
        if (restore is null || backup is null || FindLocation(key.Namespace, (string?)backup["spec"]?["storageLocation"]) is not { } location) return;
        request["status"] = new JsonObject
        {
            ["phase"] = "Processed",
            ["downloadURL"] = Storage.Presign(LocationOf(location), RestoreResultsKey(NameOf(restore)), SignedUrlTtl).ToString(),
            ["expiration"] = Timestamp(now + SignedUrlTtl),
        };
        Cluster.Store.Update(type, request);
        RequeueAt(key, now + SignedUrlTtl);
    }

    /// <summary>Velero's results.Result: messages of Velero itself, of cluster-scoped items, and per namespace.</summary>
    private sealed class VeleroResult
    {
        public List<string> Velero { get; } = [];
        public List<string> Cluster { get; } = [];
        public SortedDictionary<string, List<string>> Namespaces { get; } = new(StringComparer.Ordinal);

        public int Count => Velero.Count + Cluster.Count + Namespaces.Values.Sum(m => m.Count);

        public void Add(string ns, string message)
        {
            if (ns.Length == 0) Cluster.Add(message);
            else if (Namespaces.TryGetValue(ns, out var messages)) messages.Add(message);
            else Namespaces[ns] = [message];
        }

        /// <summary>As Go encodes it: empty lists omitted (omitempty).</summary>
        public JsonObject ToJson()
        {
            var json = new JsonObject();
            if (Velero.Count > 0) json["velero"] = new JsonArray(Velero.Select(m => (JsonNode?)m).ToArray());
            if (Cluster.Count > 0) json["cluster"] = new JsonArray(Cluster.Select(m => (JsonNode?)m).ToArray());
            if (Namespaces.Count > 0)
                json["namespaces"] = new JsonObject(Namespaces.Select(n => KeyValuePair.Create(n.Key, (JsonNode?)new JsonArray(n.Value.Select(m => (JsonNode?)m).ToArray()))));
            return json;
        }
    }

    private JsonObject? SourceBackup(JsonObject restore, string ns, out string problem)
    {
        var backups = Cluster.Store.List(Type("backups")!, ns).Items;
        var backupName = (string?)restore["spec"]?["backupName"];
        JsonObject? backup;
        if (!string.IsNullOrEmpty(backupName))
        {
            backup = backups.FirstOrDefault(b => NameOf(b) == backupName);
            problem = $"Error retrieving backup: backups.velero.io \"{backupName}\" not found";
        }
        else
        {
            var schedule = (string?)restore["spec"]?["scheduleName"];
            backup = backups.Where(b => (string?)b["metadata"]?["labels"]?["velero.io/schedule-name"] == schedule && (string?)b["status"]?["phase"] == "Completed")
                .OrderByDescending(b => (string?)b["status"]?["startTimestamp"], StringComparer.Ordinal).FirstOrDefault();
            problem = $"No backups found for schedule {schedule}";
        }
        if (backup is not null && (string?)backup["status"]?["phase"] is not ("Completed" or "PartiallyFailed"))
        {
            problem = $"Backup {NameOf(backup)} is not in a restorable phase ({(string?)backup["status"]?["phase"]})";
            return null;
        }
        return backup;
    }

    /// <summary>
    /// Restores the wanted items, adding Velero's warnings and errors; returns the counts and, per
    /// target namespace, the last namespaced item restored there (as "resource/namespace/name").
    /// </summary>
    private (int Restored, int Total, SortedDictionary<string, string> Namespaces) RestoreItems(JsonObject restore, VeleroStoredBackup backup,
        VeleroResult warnings, VeleroResult errors)
    {
        var spec = restore["spec"]!.AsObject();
        var included = Strings(spec["includedNamespaces"]);
        var excluded = Strings(spec["excludedNamespaces"]);
        var mapping = (spec["namespaceMapping"] as JsonObject)?.ToDictionary(m => m.Key, m => (string)m.Value!) ?? [];
        var restoreName = NameOf(restore);
        var updateExisting = (string?)spec["existingResourcePolicy"] == "update";
        var restored = 0;
        var restoredNamespaces = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var wanted = backup.Items.Where(i =>
        {
            var ns = i.Namespaced ? Namespace(i.Object) : NameOf(i.Object);
            var qualified = i.Group.Length == 0 ? i.Resource : $"{i.Resource}.{i.Group}";
            return !NeverRestored.Contains(qualified) && (included.Count == 0 || included.Contains("*") || included.Contains(ns)) && !excluded.Contains(ns);
        }).OrderBy(i => Priority(i)).ToList();
        foreach (var item in wanted)
        {
            var obj = item.Object.DeepClone().AsObject();
            var metadata = obj["metadata"]!.AsObject();
            foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp" })
                metadata.Remove(field);
            obj.Remove("status");
            if (item.Resource == "namespaces")
            {
                var target = mapping.GetValueOrDefault(NameOf(obj), NameOf(obj));
                metadata["name"] = target;
                if (metadata["labels"] is JsonObject nsLabels) nsLabels["kubernetes.io/metadata.name"] = target;
                obj.Remove("spec");
            }
            else if (item.Namespaced)
            {
                metadata["namespace"] = mapping.GetValueOrDefault(Namespace(obj), Namespace(obj));
            }
            if (item.Resource == "services" && obj["spec"] is JsonObject serviceSpec && (string?)serviceSpec["clusterIP"] != "None")
            {
                serviceSpec.Remove("clusterIP");
                serviceSpec.Remove("clusterIPs");
            }
            var labels = metadata["labels"] as JsonObject ?? [];
            labels["velero.io/backup-name"] = LabelValue(backup.Name);
            labels["velero.io/restore-name"] = LabelValue(restoreName);
            metadata["labels"] = labels;

            var type = Cluster.Registry.Find(item.Group, item.Resource);
            var qualified = item.Group.Length == 0 ? item.Resource : $"{item.Resource}.{item.Group}";
            var targetNs = item.Namespaced ? (string?)metadata["namespace"] ?? "" : "";
            var resourceId = item.Namespaced ? $"{qualified}/{targetNs}/{NameOf(obj)}" : $"{qualified}/{NameOf(obj)}";
            if (type is null)
            {
                errors.Add(targetNs, $"error restoring {resourceId}: the server could not find the requested resource");
                continue;
            }
            var existing = Cluster.Store.Get(type, item.Namespaced ? (string?)metadata["namespace"] : null, NameOf(obj));
            if (existing is not null)
            {
                if (item.Resource == "namespaces" || JsonNode.DeepEquals(existing["spec"] ?? existing["data"], obj["spec"] ?? obj["data"])) continue;
                if (updateExisting)
                {
                    // existingResourcePolicy update: the backup's content and labels patched over the live object.
                    foreach (var field in new[] { "spec", "data", "binaryData" })
                        if (obj[field] is { } value) existing[field] = value.DeepClone();
                    existing["metadata"]!["labels"] = labels.DeepClone();
                    Cluster.Store.Update(type, existing);
                    restored++;
                    if (item.Namespaced) restoredNamespaces[targetNs] = resourceId;
                }
                else
                {
                    warnings.Add(targetNs, $"could not restore, {qualified} \"{NameOf(obj)}\" already exists. Warning: the in-cluster version is different than the backed-up version.");
                }
                continue;
            }
            try
            {
                // Through the API server as Velero does: defaults (a Service's new clusterIP) and validation apply.
                Cluster.Cluster.CreateObject(obj);
                restored++;
                if (item.Namespaced) restoredNamespaces[targetNs] = resourceId;
            }
            catch (ApiStatusException e) when (e.Reason == "AlreadyExists")
            {
                // Created meanwhile (a namespace's default ServiceAccount and root CA ConfigMap): Velero keeps what is there.
            }
            catch (ApiStatusException e)
            {
                errors.Add(targetNs, $"error restoring {resourceId}: {e.Message}");
            }
        }
        return (restored, wanted.Count, restoredNamespaces);
    }

    private static int Priority(VeleroStoredItem item)
    {
        var qualified = item.Group.Length == 0 ? item.Resource : $"{item.Resource}.{item.Group}";
        var high = IndexOf(HighPriorities, qualified);
        if (high >= 0) return high;
        var low = IndexOf(LowPriorities, qualified);
        return low >= 0 ? 10_000 + low : 1_000;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == value) return i;
        return -1;
    }

    /// <summary>Velero's label values: longer than 63 characters become the first 57 plus 6 hex characters of a sha256.</summary>
    public static string LabelValue(string value) =>
        value.Length <= 63 ? value : value[..57] + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..6].ToLowerInvariant();

    // ---- helpers ----

    private ResourceType? Type(string plural) => Cluster.Registry.Find(Group, plural);

    private JsonObject? FindLocation(string ns, string? name)
    {
        if (Type("backupstoragelocations") is not { } type) return null;
        var all = Cluster.Store.List(type, ns).Items;
        return string.IsNullOrEmpty(name) ? all.FirstOrDefault(b => (bool?)b["spec"]?["default"] == true) : all.FirstOrDefault(b => NameOf(b) == name);
    }

    private static (string Provider, string Bucket, string Prefix) LocationOf(JsonObject bsl) =>
        ((string?)bsl["spec"]?["provider"] ?? "", (string?)bsl["spec"]?["objectStorage"]?["bucket"] ?? "", ((string?)bsl["spec"]?["objectStorage"]?["prefix"] ?? "").Trim('/'));

    private static string OutcomeOf(JsonObject obj, string? forced)
    {
        var annotated = (string?)obj["metadata"]?["annotations"]?[OutcomeAnnotation];
        if (annotated is "PartiallyFailed" or "Failed") return annotated;
        return forced is "PartiallyFailed" or "Failed" ? forced : "Completed";
    }

    private static IEnumerable<string> Names(ResourceType type) =>
        type.Group.Length == 0 ? [type.Plural, type.Kind.ToLowerInvariant()] : [type.Plural, type.QualifiedResource, $"{type.Kind.ToLowerInvariant()}.{type.Group}"];

    private static HashSet<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => (string?)n).OfType<string>().ToHashSet(StringComparer.Ordinal) : [];

    private static string NameOf(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    private static string Namespace(JsonObject obj) => (string?)obj["metadata"]?["namespace"] ?? "";

    private static string Timestamp(DateTimeOffset time) => ObjectStore.Timestamp(time);
}

/// <summary>Go's time.Duration text, as Velero writes ttl and backupSyncPeriod ("720h0m0s", "1m", "1.5h").</summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^(?:(\d+(?:\.\d+)?)(h|ms|m|s))+$");
        if (!match.Success) return false;
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var value = double.Parse(match.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
            duration += match.Groups[2].Captures[i].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                _ => TimeSpan.FromMilliseconds(value),
            };
        }
        return true;
    }
}
