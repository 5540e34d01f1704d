using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// Velero on the fleet: puts Schedules and backup locations on clusters through
/// <see cref="ApplyService"/> (server-side apply, strict validation), and reads the Backups and
/// Schedules each cluster sees with the recovery point each gives.
/// </summary>
public sealed class BackupService
{
    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly TimeProvider _time;

    public BackupService(IClusterConnector connector) : this(connector, null, TimeProvider.System) { }

    internal BackupService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory, TimeProvider time)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _time = time;
    }

    /// <summary>
    /// Every Backup each cluster sees that <paramref name="wanted"/> takes (all when null), newest first; with
    /// <paramref name="latestPerSchedule"/> only the newest of those of each schedule (and of the manual ones).
    /// </summary>
    public IAsyncEnumerable<FleetOutcome<FleetBackup>> GetBackupsAsync(IReadOnlyList<FleetCluster> clusters, bool latestPerSchedule,
        FanOutOptions options, CancellationToken cancellationToken = default, Func<FleetBackup, bool>? wanted = null) =>
        FleetRunner.RunAsync<FleetOutcome<FleetBackup>>(
            clusters,
            options with { Activity = "Reading Velero backups" },
            async (cluster, sink, token) =>
            {
                var client = ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;
                var now = _time.GetUtcNow();
                var backups = (await ListVeleroAsync(client, VeleroKinds.Backup, token).ConfigureAwait(false))
                    .Select(b => ToBackup(cluster.Name, b, now))
                    .Where(b => wanted is null || wanted(b))
                    .OrderByDescending(b => b.StartTime ?? DateTimeOffset.MaxValue).ThenBy(b => b.Name, StringComparer.Ordinal).ToList();
                // Filtered first: "the newest Completed backup of each schedule" is -Latest -Phase Completed.
                if (latestPerSchedule)
                    backups = backups.GroupBy(b => b.Schedule ?? "").Select(g => g.First()).ToList();
                foreach (var backup in backups) sink.Emit(FleetOutcome<FleetBackup>.Success(cluster.Name, backup));
            },
            (cluster, error, _) => [FleetOutcome<FleetBackup>.Failure(cluster.Name, error)],
            cancellationToken);

    /// <summary>Every Velero Schedule of each cluster with the worst-case RPO its cron gives.</summary>
    public IAsyncEnumerable<FleetOutcome<FleetBackupSchedule>> GetSchedulesAsync(IReadOnlyList<FleetCluster> clusters,
        FanOutOptions options, CancellationToken cancellationToken = default) =>
        FleetRunner.RunAsync<FleetOutcome<FleetBackupSchedule>>(
            clusters,
            options with { Activity = "Reading Velero schedules" },
            async (cluster, sink, token) =>
            {
                var client = ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;
                var now = _time.GetUtcNow();
                var schedules = await ListVeleroAsync(client, VeleroKinds.Schedule, token).ConfigureAwait(false);
                foreach (var schedule in schedules.OrderBy(s => s.Namespace).ThenBy(s => s.Name, StringComparer.Ordinal))
                    sink.Emit(FleetOutcome<FleetBackupSchedule>.Success(cluster.Name, ToSchedule(cluster.Name, schedule, now)));
            },
            (cluster, error, _) => [FleetOutcome<FleetBackupSchedule>.Failure(cluster.Name, error)],
            cancellationToken);

    /// <summary>Lists a Velero kind in every namespace; a cluster that does not serve it has no Velero.</summary>
    internal static async Task<IReadOnlyList<KubeObject>> ListVeleroAsync(ResourceClient client, ResourceType type, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ListAsync(type, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetClusterException e) when (e.ErrorId is FleetErrorIds.ResourceNotFound or FleetErrorIds.ResourceKindUnknown)
        {
            throw NotInstalled(client.Cluster);
        }
    }

    internal static FleetClusterException NotInstalled(string cluster) =>
        new(RecoveryErrorIds.VeleroNotInstalled, FleetErrorCategory.NotInstalled, cluster,
            $"Cluster '{cluster}' has no Velero: it does not serve velero.io/v1 (the Velero CRDs are not installed).",
            recommendedAction: "Install Velero on the cluster (velero install, or its Helm chart) and give it a backup storage location.");

    internal static FleetBackup ToBackup(string cluster, KubeObject backup, DateTimeOffset now)
    {
        var status = backup.Json["status"] as JsonObject;
        var phase = (string?)status?["phase"] is { Length: > 0 } p ? p : "New";
        var start = Time(status?["startTimestamp"]);
        TimeSpan? rpo = phase is "Completed" or "PartiallyFailed" && start is { } s ? Max(now - s) : null;
        return new FleetBackup
        {
            Cluster = cluster,
            Name = backup.Name,
            Namespace = backup.Namespace ?? "",
            Phase = phase,
            Schedule = backup.Labels.GetValueOrDefault(VeleroKinds.ScheduleNameLabel),
            StorageLocation = (string?)backup.Json["spec"]?["storageLocation"],
            StartTime = start,
            CompletionTime = Time(status?["completionTimestamp"]),
            Expiration = Time(status?["expiration"]),
            ItemsBackedUp = Int(status?["progress"]?["itemsBackedUp"]),
            TotalItems = Int(status?["progress"]?["totalItems"]),
            Warnings = Int(status?["warnings"]),
            Errors = Int(status?["errors"]),
            FailureReason = (string?)status?["failureReason"],
            IncludedNamespaces = Strings(backup.Json["spec"]?["includedNamespaces"]),
            Rpo = rpo,
            RpoText = rpo is { } r ? BackupCron.Describe(r) : "",
            Age = start is { } started ? BackupCron.Describe(Max(now - started)) : "",
        };
    }

    internal static FleetBackupSchedule ToSchedule(string cluster, KubeObject schedule, DateTimeOffset now)
    {
        var spec = schedule.Json["spec"] as JsonObject;
        var cronText = (string?)spec?["schedule"] ?? "";
        var paused = (bool?)spec?["paused"] == true;
        TimeSpan? worst = null;
        if (!paused)
        {
            try { worst = BackupCron.WorstCaseRpo(Cronos.CronExpression.Parse(cronText), now); }
            catch (Cronos.CronFormatException) { worst = null; }
        }
        var template = spec?["template"] as JsonObject;
        return new FleetBackupSchedule
        {
            Cluster = cluster,
            Name = schedule.Name,
            Namespace = schedule.Namespace ?? "",
            Schedule = cronText,
            Phase = (string?)schedule.Json["status"]?["phase"] ?? "New",
            Paused = paused,
            IncludedNamespaces = Strings(template?["includedNamespaces"]),
            ExcludedResources = Strings(template?["excludedResources"]),
            Ttl = VeleroDuration.Parse((string?)template?["ttl"]),
            StorageLocation = (string?)template?["storageLocation"],
            LastBackup = Time(schedule.Json["status"]?["lastBackup"]),
            ValidationErrors = Strings(schedule.Json["status"]?["validationErrors"]),
            WorstCaseRpo = worst,
            WorstCaseRpoText = worst is { } w ? BackupCron.Describe(w) : paused ? "paused" : "invalid",
        };
    }

    private static TimeSpan Max(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;

    internal static DateTimeOffset? Time(JsonNode? node) =>
        (string?)node is { Length: > 0 } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    private static int Int(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var number) ? number : 0;

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => (string?)n).OfType<string>().ToList() : [];
}
