using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// Whether a failover from a primary to its standby would work now, one check at a time: Velero
/// on both with an Available location, the standby reading the primary's bucket (ReadOnly), the
/// newest Completed backup against the RPO asked for, the schedules covering the primary's
/// namespaces with the worst-case RPO they give, the storage classes the claims need on the
/// standby, volume snapshots the standby's region cannot restore, and the standby's tier (warm
/// workloads waiting at zero replicas, hot ones running, or cold). Only reads.
/// </summary>
public sealed class DrReadinessService
{
    public const string Pass = nameof(Pass);
    public const string Warn = nameof(Warn);
    public const string Fail = nameof(Fail);

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly TimeProvider _time;

    public DrReadinessService(IClusterConnector connector) : this(connector, null, TimeProvider.System) { }

    internal DrReadinessService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory, TimeProvider time)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _time = time;
    }

    /// <summary>
    /// The checks of each pair (<see cref="DrPair.Of"/>), as one list per pair, pairs at once up to the throttle
    /// and in the order they finish, each within the timeout: a pair whose checks fail as a whole (a timeout,
    /// an error past reachability) is one error for its primary, and the other pairs carry on.
    /// </summary>
    public IAsyncEnumerable<FleetOutcome<IReadOnlyList<FleetDrCheck>>> CheckAllAsync(IReadOnlyList<DrPair> pairs, TimeSpan maxRpo, string veleroNamespace,
        FanOutOptions options, CancellationToken cancellationToken = default)
    {
        var standbyOf = pairs.ToDictionary(p => p.Primary.Name, p => p.Standby, StringComparer.OrdinalIgnoreCase);
        return FleetRunner.RunAsync<FleetOutcome<IReadOnlyList<FleetDrCheck>>>(
            pairs.Select(p => p.Primary).ToList(),
            options with { Activity = "Checking disaster-recovery readiness" },
            async (primary, sink, token) => sink.Emit(FleetOutcome<IReadOnlyList<FleetDrCheck>>.Success(primary.Name,
                await CheckAsync(primary, standbyOf[primary.Name], maxRpo, veleroNamespace, token).ConfigureAwait(false))),
            (primary, error, _) => [FleetOutcome<IReadOnlyList<FleetDrCheck>>.Failure(primary.Name, error)],
            cancellationToken);
    }

    /// <summary>Every check of <paramref name="primary"/> and <paramref name="standby"/>; a side that does not answer gives a Fail, never an exception.</summary>
    public async Task<IReadOnlyList<FleetDrCheck>> CheckAsync(FleetCluster primary, FleetCluster? standby, TimeSpan maxRpo, string veleroNamespace,
        CancellationToken cancellationToken)
    {
        var checks = new List<FleetDrCheck>();
        void Add(string check, string status, string detail, string action = "") =>
            checks.Add(new FleetDrCheck { Cluster = primary.Name, Standby = standby?.Name, Check = check, Status = status, Detail = detail, Action = action });

        if (standby is null)
        {
            Add("Standby", Fail, "no standby: cold, RTO hours (a cluster built and restored from scratch)",
                $"Name a standby in the fleet file (drPeer: on {primary.Name}) or with -Standby.");
            return checks;
        }
        var sides = new List<(FleetCluster Cluster, ResourceClient Client, IReadOnlyList<KubeObject> Locations)>();
        foreach (var cluster in new[] { primary, standby })
        {
            var client = ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;
            try
            {
                var locations = (await BackupService.ListVeleroAsync(client, VeleroKinds.BackupStorageLocation, cancellationToken).ConfigureAwait(false))
                    .Where(l => l.Namespace == veleroNamespace).ToList();
                Add("VeleroInstalled", Pass, $"{cluster.Name}: velero.io/v1 served");
                var available = locations.Where(l => (string?)l.Json["status"]?["phase"] == "Available").Select(l => l.Name).ToList();
                if (available.Count > 0) Add("LocationAvailable", Pass, $"{cluster.Name}: {string.Join(", ", available)} Available");
                else Add("LocationAvailable", Fail, $"{cluster.Name}: {(locations.Count == 0 ? "no backup storage location" : "no location Available")} in {veleroNamespace}",
                    $"Create one (New-FleetBackupLocation -Cluster {cluster.Name}) or fix its bucket and credentials (velero backup-location get).");
                sides.Add((cluster, client, locations));
            }
            catch (FleetClusterException e) when (e.ErrorId == RecoveryErrorIds.VeleroNotInstalled)
            {
                Add("VeleroInstalled", Fail, $"{cluster.Name}: no Velero (velero.io/v1 not served)", $"Install Velero on {cluster.Name} (velero install, or its Helm chart).");
            }
            // A cluster that is down fails at the transport, below the error translation of a server's answer.
            catch (Exception e) when (e is FleetException or HttpRequestException or IOException or TimeoutException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Add("Reachable", Fail, $"{cluster.Name}: {KubernetesErrors.Translate(e, cluster.Name, null, cancellationToken).Message}",
                    $"Check {cluster.Name} with Test-FleetCluster.");
            }
        }
        if (sides.Count < 2) return checks;
        var (_, primaryClient, primaryLocations) = sides[0];
        var (_, standbyClient, standbyLocations) = sides[1];

        var shared = standbyLocations.Where(s => primaryLocations.Any(p => FailbackService.Bucket(p) == FailbackService.Bucket(s))).ToList();
        if (shared.Count == 0)
            Add("StandbySeesBackups", Fail, $"{standby.Name} has no location over the primary's bucket: it sees none of its backups",
                $"New-FleetBackupLocation -Bucket <the primary's bucket> -AccessMode ReadOnly -Cluster {standby.Name}");
        else if (shared.Any(l => (string?)l.Json["spec"]?["accessMode"] == "ReadOnly"))
            Add("StandbySeesBackups", Pass, $"{standby.Name}: {string.Join(", ", shared.Select(l => l.Name))} over the primary's bucket, ReadOnly");
        else
            Add("StandbySeesBackups", Warn, $"{standby.Name}: {string.Join(", ", shared.Select(l => l.Name))} over the primary's bucket, ReadWrite: both clusters write into it",
                $"Make the standby's location ReadOnly (New-FleetBackupLocation ... -AccessMode ReadOnly -Cluster {standby.Name}); add a separate ReadWrite one only for a failback.");

        var now = _time.GetUtcNow();
        var newest = (await primaryClient.ListAsync(VeleroKinds.Backup, veleroNamespace, null, cancellationToken).ConfigureAwait(false))
            .Select(b => BackupService.ToBackup(primary.Name, b, now))
            .Where(b => b.Phase == "Completed" && b.StartTime is not null)
            .OrderByDescending(b => b.StartTime).FirstOrDefault();
        IReadOnlyList<string> namespaces = [];
        if (newest is null)
        {
            Add("BackupAge", Fail, $"{primary.Name} has no Completed backup", $"Schedule one (New-FleetBackupSchedule -Rpo {BackupCron.Describe(maxRpo)} -Cluster {primary.Name}) and check its backups (Get-FleetBackup).");
        }
        else
        {
            namespaces = newest.IncludedNamespaces.Where(n => n != "*").ToList();
            var age = now - newest.StartTime!.Value;
            var seen = await standbyClient.GetAsync(VeleroKinds.Backup, veleroNamespace, newest.Name, cancellationToken).ConfigureAwait(false) is not null;
            var detail = $"{newest.Name} started {BackupCron.Describe(age)} ago (max {BackupCron.Describe(maxRpo)}){(seen ? "; the standby sees it" : "; the standby does not see it yet")}";
            if (age > maxRpo)
                Add("BackupAge", Fail, detail, $"Find out why the schedule stopped (Get-FleetBackupSchedule -Cluster {primary.Name}), or run a backup now.");
            else if (!seen)
                Add("BackupAge", Warn, detail, "Wait for Velero's backup sync (1 minute by default), or check the standby's location.");
            else
                Add("BackupAge", Pass, detail);
        }

        var (scheduleStatus, scheduleDetail, scheduleAction, fileSystemBackup) = await SchedulesAsync(primary, primaryClient, veleroNamespace, maxRpo, now, cancellationToken)
            .ConfigureAwait(false);
        Add("Schedules", scheduleStatus, scheduleDetail, scheduleAction);

        var (snapshotStatus, snapshotDetail, snapshotAction) = await SnapshotsAsync(primaryClient, standby, veleroNamespace, fileSystemBackup, cancellationToken)
            .ConfigureAwait(false);
        Add("VolumeSnapshots", snapshotStatus, snapshotDetail, snapshotAction);

        IReadOnlyList<string?> scopes = [null]; // null: every namespace
        if (namespaces.Count > 0) scopes = namespaces;
        var missing = await StorageClassCheck.MissingAsync(primaryClient, standbyClient, scopes, veleroNamespace, cancellationToken)
            .ConfigureAwait(false);
        if (missing.Count == 0) Add("StorageClasses", Pass, $"{standby.Name} has every storage class the primary's claims use");
        else Add("StorageClasses", Fail, $"{standby.Name} lacks {StorageClassCheck.Describe(missing)}",
            $"Create them on {standby.Name}, or map them with Velero's change-storage-class ConfigMap.");

        var warm = await WarmStandby.FindAsync(standbyClient, namespaces, null, cancellationToken).ConfigureAwait(false);
        var running = (await WarmStandby.ListAsync(standbyClient, WarmStandby.Deployment, namespaces, cancellationToken).ConfigureAwait(false))
            .Count(d => WarmStandby.SpecReplicas(d) > 0);
        if (warm.Count > 0)
            Add("WarmStandby", Pass, $"warm: {warm.Count} workloads at zero replicas ready to scale up{(running > 0 ? $", {running} running" : "")} (RTO class < 30 min)");
        else if (running > 0)
            Add("WarmStandby", Pass, $"hot: {running} Deployments running in the backed-up namespaces (RTO class < 5 min)");
        else
            Add("WarmStandby", Warn, $"cold: no workloads of {(namespaces.Count == 0 ? "the backed-up namespaces" : string.Join(", ", namespaces))} on {standby.Name} (RTO class < 4 h)",
                $"Keep the Deployments on {standby.Name} at replicas 0 with the annotation {WarmStandby.ReplicasAnnotation}: <replicas> for a warm standby.");
        return checks;
    }

    /// <summary>Namespaces every cluster has that hold no workloads of its own: no schedule is expected to cover them.</summary>
    private static readonly string[] ClusterNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"];

    private static readonly ResourceType Namespace = new("", "v1", "Namespace", "namespaces", false);
    private static readonly ResourceType PersistentVolume = new("", "v1", "PersistentVolume", "persistentvolumes", false);

    /// <summary>
    /// Whether the active schedules back up every namespace of the primary, and the worst-case RPO
    /// they give: per namespace the most frequent schedule covering it, over the namespaces the
    /// least frequent of those. Also whether every covering schedule moves volume data out of the
    /// snapshot (file-system backup or CSI data movement), which any region can restore.
    /// </summary>
    private static async Task<(string Status, string Detail, string Action, bool FileSystemBackup)> SchedulesAsync(FleetCluster primary,
        ResourceClient client, string veleroNamespace, TimeSpan targetRpo, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var schedules = (await client.ListAsync(VeleroKinds.Schedule, veleroNamespace, null, cancellationToken).ConfigureAwait(false))
            .Select(s => (Object: s, Summary: BackupService.ToSchedule(primary.Name, s, now)))
            .Where(s => !s.Summary.Paused && s.Summary.WorstCaseRpo is not null)
            .ToList();
        var create = $"New-FleetBackupSchedule -Name <name> -Rpo {BackupCron.Describe(targetRpo)} -Cluster {primary.Name}";
        if (schedules.Count == 0)
            return (Fail, $"{primary.Name} has no active Velero schedule: backups happen only by hand", create, false);

        var namespaces = (await client.ListAsync(Namespace, null, null, cancellationToken).ConfigureAwait(false))
            .Select(n => n.Name).Where(n => n != veleroNamespace && !ClusterNamespaces.Contains(n)).Order(StringComparer.Ordinal).ToList();
        var uncovered = new List<string>();
        TimeSpan worst = TimeSpan.Zero;
        var fileSystemBackup = true;
        foreach (var ns in namespaces)
        {
            var covering = schedules.Where(s => Covers(s.Object, ns)).ToList();
            if (covering.Count == 0)
            {
                uncovered.Add(ns);
                continue;
            }
            var best = covering.Min(s => s.Summary.WorstCaseRpo!.Value);
            if (best > worst) worst = best;
            fileSystemBackup &= covering.All(s => MovesVolumeData(s.Object));
        }
        if (uncovered.Count > 0)
        {
            return (Fail, $"no active schedule backs up {string.Join(", ", uncovered)}",
                $"{create} -IncludedNamespace {string.Join(",", uncovered)}", false);
        }
        var detail = $"{schedules.Count} schedule(s) cover {(namespaces.Count == 0 ? "every namespace" : string.Join(", ", namespaces))}; worst-case RPO {BackupCron.Describe(worst)} (target {BackupCron.Describe(targetRpo)})";
        return worst > targetRpo
            ? (Fail, detail, $"Schedule the backups more often: {create}", fileSystemBackup)
            : (Pass, detail, "", fileSystemBackup);
    }

    private static bool Covers(KubeObject schedule, string ns)
    {
        var template = schedule.Json["spec"]?["template"];
        var included = Strings(template?["includedNamespaces"]);
        if (Strings(template?["excludedNamespaces"]).Contains(ns)) return false;
        return included.Count == 0 || included.Contains("*") || included.Contains(ns);
    }

    /// <summary>File-system backup or CSI snapshot data movement put the volume data in the object store, which the standby reads from any region.</summary>
    private static bool MovesVolumeData(KubeObject schedule)
    {
        var template = schedule.Json["spec"]?["template"];
        return (bool?)template?["defaultVolumesToFsBackup"] == true || (bool?)template?["snapshotMoveData"] == true;
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => (string?)n).OfType<string>().ToList() : [];

    /// <summary>
    /// Cloud volume snapshots stay in the region they were taken in: a standby in another region
    /// cannot restore the primary's persistent volumes from them unless the data is moved.
    /// </summary>
    private static async Task<(string Status, string Detail, string Action)> SnapshotsAsync(ResourceClient primaryClient, FleetCluster standby,
        string veleroNamespace, bool fileSystemBackup, CancellationToken cancellationToken)
    {
        var volumes = await StorageClassCheck.ListOrNoneAsync(primaryClient, PersistentVolume, null, null, cancellationToken).ConfigureAwait(false);
        if (volumes.Count == 0) return (Pass, "the primary has no persistent volumes", "");
        if (fileSystemBackup)
            return (Pass, $"{volumes.Count} persistent volume(s) backed up as data (file-system backup or snapshot data movement), restorable in any region", "");
        var regions = (await primaryClient.ListAsync(VeleroKinds.VolumeSnapshotLocation, veleroNamespace, null, cancellationToken).ConfigureAwait(false))
            .Select(l => (Name: l.Name, Region: (string?)l.Json["spec"]?["config"]?["region"]))
            .ToList();
        var moveData = $"Back the volumes up as data (New-FleetBackupSchedule with Velero's defaultVolumesToFsBackup or snapshotMoveData), or copy the snapshots to {standby.Region ?? "the standby's region"}.";
        if (regions.Count == 0)
            return (Warn, $"{volumes.Count} persistent volume(s) and no volume snapshot location: their data is not in the backups", moveData);
        if (string.IsNullOrEmpty(standby.Region))
            return (Warn, $"{standby.Name} has no region in the fleet file: cannot tell whether it can restore snapshots taken in {string.Join(", ", regions.Select(r => r.Region ?? "?"))}",
                $"Give {standby.Name} its region in the fleet file.");
        var elsewhere = regions.Where(r => !string.Equals(r.Region, standby.Region, StringComparison.OrdinalIgnoreCase)).ToList();
        if (elsewhere.Count == 0)
            return (Pass, $"{volumes.Count} persistent volume(s) snapshotted in {standby.Region}, the standby's region", "");
        return (Fail, $"{volumes.Count} persistent volume(s) snapshotted in {string.Join(", ", elsewhere.Select(r => $"{r.Region ?? "an unnamed region"} ({r.Name})"))}; {standby.Name} in {standby.Region} cannot restore those snapshots",
            moveData);
    }
}
