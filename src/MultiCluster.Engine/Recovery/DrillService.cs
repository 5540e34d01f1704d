using System.Globalization;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// A failover drill: the failover's own steps (select the backup, restore, wait for the workloads)
/// run against the standby with every namespace restored under <c>&lt;ns&gt;-drill-&lt;yyyyMMddHHmm&gt;</c>
/// (Velero's namespaceMapping), so nothing that serves is touched: not the primary, not traffic,
/// not the standby's own namespaces. Measures RPO and RTO, then deletes the drill namespaces
/// (unless Keep), also when the drill failed.
/// </summary>
public sealed class DrillService
{
    public const string Cleanup = nameof(Cleanup);

    /// <summary>On the drill's Restore: the drill's time suffix, to find its namespaces.</summary>
    public const string DrillLabel = "multicluster.io/drill";

    private static readonly ResourceType NamespaceType = new("", "v1", "Namespace", "namespaces", false);

    private readonly FailoverService _failover;

    public DrillService(IClusterConnector connector) : this(new FailoverService(connector)) { }

    internal DrillService(FailoverService failover) => _failover = failover;

    /// <summary>The namespace a drill restores <paramref name="ns"/> into.</summary>
    public static string DrillNamespace(string ns, DateTimeOffset at) => $"{ns}-drill-{at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Runs (or with <paramref name="whatIf"/> plans) the drill; bad input, a missing backup and a
    /// drill namespace that already exists throw before any change.
    /// </summary>
    public async Task<FleetFailoverResult> RunAsync(FailoverRequest request, bool keep, bool whatIf, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var standby = _failover.Client(request.To);
        var started = _failover.Time.GetUtcNow();
        var steps = new List<FleetFailoverStep>();

        progress?.Report(FailoverService.SelectBackup);
        var backup = await _failover.SelectBackupAsync(standby, request, null, started, cancellationToken).ConfigureAwait(false);
        var rpo = started - backup.StartTime!.Value;
        var namespaces = FailoverService.SourceNamespaces(request, backup);
        if (namespaces.Count == 0)
        {
            throw new FleetInputException(RecoveryErrorIds.DrillNamespaceInvalid, FleetErrorCategory.InvalidArgument, backup.Name,
                $"Backup {backup.Name} holds every namespace: a drill restores only named ones, under drill names.",
                recommendedAction: "Name the namespaces to drill with -Namespace.");
        }
        var mapping = namespaces.ToDictionary(n => n, n => DrillNamespace(n, started), StringComparer.Ordinal);
        foreach (var (source, target) in mapping)
        {
            if (target.Length > 63)
            {
                throw new FleetInputException(RecoveryErrorIds.DrillNamespaceInvalid, FleetErrorCategory.InvalidArgument, source,
                    $"The drill namespace '{target}' is longer than 63 characters: '{source}' is too long to drill under a mapped name.");
            }
            if (await standby.GetAsync(NamespaceType, null, target, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new FleetInputException(RecoveryErrorIds.DrillNamespaceInvalid, FleetErrorCategory.ResourceExists, $"{request.To.Name}: {target}",
                    $"The drill namespace '{target}' already exists in '{request.To.Name}' (a drill of this minute, or one kept with -Keep).",
                    recommendedAction: $"Delete it (Remove-FleetResource -Kind Namespace -Name {target} -Cluster {request.To.Name}) or run the drill a minute later.");
            }
        }
        request = request with { NamespaceMapping = mapping };
        steps.Add(_failover.Step(FailoverService.SelectBackup, "Succeeded", started,
            $"{backup.Name}, started {backup.StartTime:u}: RPO {BackupCron.Describe(rpo)}; into {string.Join(", ", mapping.Values)}"));

        var restoreName = $"drill-{request.From.Name}-{started.UtcDateTime:yyyyMMddHHmmss}".ToLowerInvariant();
        if (whatIf)
        {
            steps.Add(new FleetFailoverStep { Name = FailoverService.Restore, Outcome = "Planned", Message = $"Restore {request.VeleroNamespace}/{restoreName} of {backup.Name} into {request.To.Name}: {Mapping(mapping)}" });
            steps.Add(new FleetFailoverStep { Name = FailoverService.WaitForWorkloads, Outcome = "Planned" });
            steps.Add(new FleetFailoverStep { Name = Cleanup, Outcome = keep ? "Skipped" : "Planned", Message = keep ? "-Keep" : $"delete {string.Join(", ", mapping.Values)}" });
            return Drill(FailoverService.Result(request, "Planned", backup.Name, restoreName, rpo, null, null, steps,
                $"Would restore {backup.Name} (RPO {BackupCron.Describe(rpo)}) into {request.To.Name} as {string.Join(", ", mapping.Values)}."));
        }

        var labels = new Dictionary<string, string> { [DrillLabel] = started.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture) };
        var remaining = new (string Name, Func<Task<(string Outcome, string Message)>> Run)[]
        {
            (FailoverService.Restore, () => _failover.RestoreAsync(standby, request, backup, restoreName, labels, progress, cancellationToken)),
            (FailoverService.WaitForWorkloads, () => _failover.WaitForWorkloadsAsync(standby, request, backup, progress, cancellationToken)),
        };
        FleetException? failure = null;
        foreach (var (name, run) in remaining)
        {
            if (failure is not null)
            {
                steps.Add(new FleetFailoverStep { Name = name, Outcome = "NotRun" });
                continue;
            }
            var stepStart = _failover.Time.GetUtcNow();
            progress?.Report(name);
            try
            {
                var (outcome, message) = await run().ConfigureAwait(false);
                steps.Add(_failover.Step(name, outcome, stepStart, message));
            }
            catch (FleetException e)
            {
                failure = e;
                steps.Add(_failover.Step(name, "Failed", stepStart, e.Message));
            }
        }
        // The RTO a real failover would have had: up to the workloads being available, without the drill's cleanup.
        TimeSpan? rto = failure is null ? steps[^1].End!.Value - started : null;

        var cleanupStart = _failover.Time.GetUtcNow();
        progress?.Report(Cleanup);
        if (keep)
        {
            steps.Add(_failover.Step(Cleanup, "Skipped", cleanupStart, $"-Keep: {string.Join(", ", mapping.Values)} left in place"));
        }
        else
        {
            var deleted = new List<string>();
            foreach (var target in mapping.Values)
                if (await standby.DeleteAsync(NamespaceType, null, target, dryRun: false, cancellationToken).ConfigureAwait(false))
                    deleted.Add(target);
            steps.Add(_failover.Step(Cleanup, "Succeeded", cleanupStart, deleted.Count == 0 ? "no drill namespace was created" : $"deleted {string.Join(", ", deleted)}"));
        }

        if (failure is not null)
        {
            return Drill(FailoverService.Result(request, "Failed", backup.Name, restoreName, rpo, null, null, steps,
                "Drill failed: " + failure.Message, failure.ErrorId, (failure as RestoreFailedException)?.Results));
        }
        return Drill(FailoverService.Result(request, "Completed", backup.Name, restoreName, rpo, rto, null, steps,
            $"{request.To.Name} could take over from backup {backup.Name} (RPO {BackupCron.Describe(rpo)}, RTO {BackupCron.Describe(rto!.Value)})."));
    }

    private static string Mapping(IReadOnlyDictionary<string, string> mapping) => string.Join(", ", mapping.Select(m => $"{m.Key} -> {m.Value}"));

    private static FleetFailoverResult Drill(FleetFailoverResult result) => new()
    {
        From = result.From,
        To = result.To,
        Status = result.Status,
        Drill = true,
        Backup = result.Backup,
        Restore = result.Restore,
        Rpo = result.Rpo,
        Rto = result.Rto,
        RpoText = result.RpoText,
        RtoText = result.RtoText,
        Steps = result.Steps,
        Message = result.Message,
        ErrorId = result.ErrorId,
        RestoreErrors = result.RestoreErrors,
        RestoreWarnings = result.RestoreWarnings,
    };
}
