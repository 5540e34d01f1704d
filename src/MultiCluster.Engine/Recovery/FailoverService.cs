using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Workloads;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// A failover from a primary to its standby in six timed steps: assess the primary (healthy means
/// refuse without Force), select the backup (its RPO against MaxRpo), restore it with Velero in the
/// standby, wait for the restored Deployments and StatefulSets, switch traffic, verify the health URL. Everything
/// checked before the first change; traffic never moves before the restore Completed. The run is
/// recorded in the standby as a ConfigMap (the audit trail): run again after an interruption, it
/// continues with the same backup and the same Restore, skipping what is done; run again after it
/// finished, it reports AlreadyComplete and changes nothing.
/// </summary>
public sealed class FailoverService
{
    public const string AssessPrimary = nameof(AssessPrimary);
    public const string SelectBackup = nameof(SelectBackup);
    public const string Restore = nameof(Restore);
    public const string WaitForWorkloads = nameof(WaitForWorkloads);
    public const string SwitchTraffic = nameof(SwitchTraffic);
    public const string Verify = nameof(Verify);

    /// <summary>How many of Velero's errors, and of its warnings, a failed restore's message lists (the result has them all).</summary>
    internal const int ListedResults = 10;

    private static readonly ResourceType ConfigMapType = new("", "v1", "ConfigMap", "configmaps", true);

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public FailoverService(IClusterConnector connector) : this(connector, null, TimeProvider.System, null) { }

    internal FailoverService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory, TimeProvider time, HttpClient? http)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _time = time;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The audit ConfigMap's name in the standby's Velero namespace.</summary>
    public static string AuditName(string from) => $"multicluster-failover-{from}".ToLowerInvariant();

    /// <summary>
    /// Runs (or with <paramref name="whatIf"/> plans) the failover. Bad input and everything the
    /// first two steps find wrong throw before any change; a step that fails later gives a Failed
    /// result with that step's message (and the steps after it NotRun).
    /// </summary>
    public async Task<FleetFailoverResult> RunAsync(FailoverRequest request, ITrafficSwitch? traffic, bool whatIf, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var standby = ClusterResources.For(_connector.Connect(request.To), _apiFactory).Client;
        var audit = await standby.GetAsync(ConfigMapType, request.VeleroNamespace, AuditName(request.From.Name), cancellationToken).ConfigureAwait(false);
        var record = audit is null ? null : AuditRecord.Read(audit);
        // A failover undone by a failback, or a run older than the cycle asked about, is history: start afresh.
        if (record is not null && (record.State == FailedBackState || record.StartedAt < request.IgnoreRecordsBefore)) record = null;
        if (record is { State: "Completed" })
            return record.ToResult(request, "AlreadyComplete", "The failover was completed by an earlier run; nothing was changed.");

        var started = record?.StartedAt ?? _time.GetUtcNow();
        var steps = new List<FleetFailoverStep>();

        // 1. Assess the primary.
        var stepStart = record is null ? started : _time.GetUtcNow();
        progress?.Report("Assessing the primary");
        string assessment;
        var primaryAnswers = false;
        if (record?.Done(AssessPrimary) == true)
        {
            assessment = "done by an earlier run";
        }
        else
        {
            var health = await new ClusterHealthService(_connector).CheckAsync(request.From, new ClusterHealthOptions { TimeoutSeconds = 10 }, cancellationToken).ConfigureAwait(false);
            if (health.Status == FleetHealthStatus.Healthy && !request.Force)
            {
                throw new FleetInputException(RecoveryErrorIds.FailoverPrimaryHealthy, FleetErrorCategory.InvalidOperation, request.From.Name,
                    $"The primary '{request.From.Name}' is healthy: failing over would split traffic between two live clusters.",
                    recommendedAction: "For a planned failover, run again with -Force; otherwise find out why you expected the primary to be down.");
            }
            primaryAnswers = health.Status != FleetHealthStatus.Unreachable;
            assessment = health.Status == FleetHealthStatus.Healthy ? "healthy; planned failover (-Force)" : $"{health.Status}: {health.Reason}";
        }
        steps.Add(Step(AssessPrimary, "Succeeded", stepStart, assessment));

        // 2. Select the backup.
        stepStart = _time.GetUtcNow();
        progress?.Report("Selecting the backup");
        var backup = await SelectBackupAsync(standby, request, record?.Backup, started, cancellationToken).ConfigureAwait(false);
        var rpo = started - backup.StartTime!.Value;
        // The claims' storage classes can only be read from a primary that answers (a planned failover, a failback).
        if (primaryAnswers)
        {
            var primary = ClusterResources.For(_connector.Connect(request.From), _apiFactory).Client;
            await StorageClassCheck.EnsureAsync(primary, standby, SourceNamespaces(request, backup), request.VeleroNamespace, cancellationToken).ConfigureAwait(false);
        }
        steps.Add(Step(SelectBackup, "Succeeded", stepStart, $"{backup.Name}, started {backup.StartTime:u}: RPO {BackupCron.Describe(rpo)}"));
        if (traffic is not null) await traffic.CheckAsync(cancellationToken).ConfigureAwait(false);

        var restoreName = record?.Restore ?? $"failover-{request.From.Name}-{started.UtcDateTime:yyyyMMddHHmmss}".ToLowerInvariant();
        if (whatIf)
        {
            steps.Add(new FleetFailoverStep { Name = Restore, Outcome = "Planned", Message = $"Restore {request.VeleroNamespace}/{restoreName} of {backup.Name} into {request.To.Name}" });
            steps.Add(new FleetFailoverStep { Name = WaitForWorkloads, Outcome = "Planned" });
            steps.Add(new FleetFailoverStep { Name = SwitchTraffic, Outcome = traffic is null ? "Skipped" : "Planned", Message = traffic?.Description });
            steps.Add(new FleetFailoverStep { Name = Verify, Outcome = request.HealthUrl is null ? "Skipped" : "Planned", Message = request.HealthUrl?.ToString() });
            return Result(request, "Planned", backup.Name, restoreName, rpo, null, traffic, steps, $"Would restore {backup.Name} (RPO {BackupCron.Describe(rpo)}) into {request.To.Name}.");
        }

        record ??= new AuditRecord(request.From.Name, request.To.Name, backup.Name, restoreName, started, rpo, "InProgress", []);
        record = record with { Steps = record.Steps.Concat(steps.Where(s => !record.Done(s.Name))).ToList() };
        await SaveAsync(standby, request, record, cancellationToken).ConfigureAwait(false);

        // 3. Restore, 4. wait for workloads, 5. switch traffic, 6. verify: each recorded as it ends.
        var remaining = new (string Name, Func<Task<(string Outcome, string Message)>> Run)[]
        {
            (Restore, () => RestoreAsync(standby, request, backup, restoreName, null, progress, cancellationToken)),
            (WaitForWorkloads, () => WaitForWorkloadsAsync(standby, request, backup, progress, cancellationToken)),
            (SwitchTraffic, async () => traffic is null ? ("Skipped", "no traffic provider")
                : await traffic.IsSwitchedAsync(cancellationToken).ConfigureAwait(false) ? ("Skipped", traffic.Description + ": already in place")
                : ("Succeeded", await traffic.SwitchAsync(cancellationToken).ConfigureAwait(false))),
            (Verify, () => VerifyAsync(request, cancellationToken)),
        };
        foreach (var (name, run) in remaining)
        {
            if (record.Done(name))
            {
                steps.Add(record.Steps.Last(s => s.Name == name));
                continue;
            }
            stepStart = _time.GetUtcNow();
            progress?.Report(name);
            FleetFailoverStep step;
            try
            {
                var (outcome, message) = await run().ConfigureAwait(false);
                step = Step(name, outcome, stepStart, message);
            }
            catch (FleetException e)
            {
                step = Step(name, "Failed", stepStart, e.Message);
                steps.Add(step);
                record = record with { State = "Failed", Steps = [.. record.Steps.Where(s => s.Name != name), step] };
                await SaveAsync(standby, request, record, cancellationToken).ConfigureAwait(false);
                foreach (var (later, _) in remaining.SkipWhile(r => r.Name != name).Skip(1))
                    steps.Add(new FleetFailoverStep { Name = later, Outcome = "NotRun" });
                return Result(request, "Failed", backup.Name, restoreName, rpo, _time.GetUtcNow() - started, traffic, steps, e.Message, e.ErrorId,
                    (e as RestoreFailedException)?.Results);
            }
            steps.Add(step);
            record = record with { Steps = [.. record.Steps.Where(s => s.Name != name), step] };
            await SaveAsync(standby, request, record, cancellationToken).ConfigureAwait(false);
        }
        var rto = steps[^1].End!.Value - started;
        record = record with { State = "Completed", Rto = rto };
        await SaveAsync(standby, request, record, cancellationToken).ConfigureAwait(false);
        return Result(request, "Completed", backup.Name, restoreName, rpo, rto, traffic, steps,
            $"{request.To.Name} serves from backup {backup.Name} (RPO {BackupCron.Describe(rpo)}, RTO {BackupCron.Describe(rto)}).");
    }

    /// <summary>A failover as its audit ConfigMap in <paramref name="target"/> records it (from <paramref name="from"/>), or null.</summary>
    internal static async Task<(string State, DateTimeOffset StartedAt, string Backup, string Restore)?> ReadAuditAsync(ResourceClient target,
        string veleroNamespace, string from, CancellationToken cancellationToken)
    {
        var audit = await target.GetAsync(ConfigMapType, veleroNamespace, AuditName(from), cancellationToken).ConfigureAwait(false);
        if (audit is null) return null;
        var record = AuditRecord.Read(audit);
        return (record.State, record.StartedAt, record.Backup, record.Restore);
    }

    /// <summary>Marks the failover recorded in <paramref name="target"/> as undone, so the next failover starts afresh.</summary>
    internal static async Task MarkFailedBackAsync(ResourceClient target, string veleroNamespace, string from, CancellationToken cancellationToken)
    {
        var audit = await target.GetAsync(ConfigMapType, veleroNamespace, AuditName(from), cancellationToken).ConfigureAwait(false);
        if (audit is null || AuditRecord.Read(audit).State == FailedBackState) return;
        var record = AuditRecord.Read(audit) with { State = FailedBackState };
        await target.ApplyAsync(ConfigMapType, record.ToConfigMap(veleroNamespace), forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The audit state of a failover a failback undid.</summary>
    internal const string FailedBackState = "FailedBack";

    /// <summary>The namespaces the restore takes from the backup: those asked for, else all the backup holds (empty: every one).</summary>
    internal static IReadOnlyList<string> SourceNamespaces(FailoverRequest request, FleetBackup backup) =>
        request.Namespaces.Count > 0 ? request.Namespaces : backup.IncludedNamespaces.Where(n => n != "*").ToList();

    internal ResourceClient Client(FleetCluster cluster) => ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;

    internal TimeProvider Time => _time;

    internal IClusterConnector Connector => _connector;

    internal async Task<FleetBackup> SelectBackupAsync(ResourceClient standby, FailoverRequest request, string? recorded, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var backups = (await BackupService.ListVeleroAsync(standby, VeleroKinds.Backup, cancellationToken).ConfigureAwait(false))
            .Select(b => BackupService.ToBackup(request.To.Name, b, now))
            .Where(b => b.Namespace == request.VeleroNamespace)
            .ToList();
        var wanted = recorded ?? request.Backup;
        var candidates = backups.Where(b => b.Phase == "Completed" && b.StartTime is not null
                && (wanted is null ? Covers(b, request.Namespaces) : b.Name == wanted))
            .OrderByDescending(b => b.StartTime).ToList();
        if (candidates.Count == 0)
        {
            var named = wanted is null ? null : backups.FirstOrDefault(b => b.Name == wanted);
            var what = wanted is null ? "no Completed backup" + (request.Namespaces.Count == 0 ? "" : $" holding {string.Join(", ", request.Namespaces)}")
                : named is null ? $"no backup named '{wanted}'"
                : named.Phase == "Completed" ? $"the backup '{wanted}' without a start time"
                : $"the backup '{wanted}' in phase {(named.Phase is { Length: > 0 } phase ? phase : "New")}, not Completed";
            throw new FleetInputException(RecoveryErrorIds.FailoverNoBackup, FleetErrorCategory.ObjectNotFound, request.To.Name,
                $"The standby '{request.To.Name}' sees {what} ({backups.Count} backups in total).",
                recommendedAction: wanted is not null
                    ? $"Name a Completed backup (Get-FleetBackup -Cluster {request.To.Name} -Phase Completed), or leave out -Backup to take the newest."
                    : "Check Get-FleetBackup -Cluster " + request.To.Name + ": the standby needs a location over the primary's bucket (New-FleetBackupLocation -AccessMode ReadOnly) and the primary a schedule.");
        }
        var backup = candidates[0];
        if (request.MaxRpo is { } max && now - backup.StartTime!.Value > max)
        {
            throw new FleetInputException(RecoveryErrorIds.FailoverRpoExceeded, FleetErrorCategory.InvalidData, backup.Name,
                $"The newest usable backup, {backup.Name}, started {BackupCron.Describe(now - backup.StartTime.Value)} ago: more than -MaxRpo {BackupCron.Describe(max)}.",
                recommendedAction: "Accept the larger data loss with a larger -MaxRpo, or find a newer backup (Get-FleetBackup).");
        }
        return backup;
    }

    private static bool Covers(FleetBackup backup, IReadOnlyList<string> namespaces) =>
        backup.IncludedNamespaces.Count == 0 || backup.IncludedNamespaces.Contains("*") || namespaces.All(backup.IncludedNamespaces.Contains);

    /// <summary>Creates (unless it exists: a resumed run) the Velero Restore and waits for its end; PartiallyFailed and Failed throw.</summary>
    internal async Task<(string, string)> RestoreAsync(ResourceClient standby, FailoverRequest request, FleetBackup source, string name,
        IReadOnlyDictionary<string, string>? labels, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var backup = source.Name;
        var restoreType = VeleroKinds.Restore;
        var existing = await standby.GetAsync(restoreType, request.VeleroNamespace, name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            var spec = new JsonObject { ["backupName"] = backup };
            if (request.Namespaces.Count > 0) spec["includedNamespaces"] = new JsonArray(request.Namespaces.Select(n => (JsonNode?)n).ToArray());
            if (request.NamespaceMapping.Count > 0)
                spec["namespaceMapping"] = new JsonObject(request.NamespaceMapping.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
            if (request.ExistingResourcePolicy is { } policy) spec["existingResourcePolicy"] = policy;
            var restoreLabels = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue };
            foreach (var (key, value) in labels ?? new Dictionary<string, string>()) restoreLabels[key] = value;
            var restore = new KubeObject(new JsonObject
            {
                ["apiVersion"] = VeleroKinds.ApiVersion,
                ["kind"] = "Restore",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = request.VeleroNamespace,
                    ["labels"] = restoreLabels,
                },
                ["spec"] = spec,
            });
            await standby.ApplyAsync(restoreType, restore, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        }
        var deadline = _time.GetUtcNow() + request.RestoreTimeout;
        while (true)
        {
            var restore = await standby.GetAsync(restoreType, request.VeleroNamespace, name, cancellationToken).ConfigureAwait(false);
            var status = restore?.Json["status"] as JsonObject;
            var phase = (string?)status?["phase"] ?? "New";
            int Count(string field) => status?[field] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
            switch (phase)
            {
                case "Completed":
                    return ("Succeeded", $"Restore {name}: Completed, {Count("warnings")} warnings, {status?["progress"]?["itemsRestored"]}/{status?["progress"]?["totalItems"]} items");
                case "PartiallyFailed" or "Failed" or "FailedValidation":
                    var why = (string?)status?["failureReason"] ?? string.Join("; ", (status?["validationErrors"] as JsonArray ?? []).Select(e => (string?)e));
                    var ended = $"Restore {name} of {backup} ended {phase} ({Count("errors")} errors, {Count("warnings")} warnings{(string.IsNullOrEmpty(why) ? "" : ": " + why)}); traffic was not moved.";
                    var describe = $"See 'velero restore describe {name} --details'.";
                    // As 'velero restore describe': the results are fetched only when there are some.
                    if (Count("errors") + Count("warnings") == 0)
                        throw new RestoreFailedException(request.To.Name, $"{ended} {describe}", null);
                    progress?.Report($"Restore {name}: {phase}, fetching Velero's errors and warnings");
                    var (results, problem) = await VeleroRestoreResults.FetchAsync(standby, _http, request.VeleroNamespace, name, request.ResultsTimeout,
                        request.PollInterval, cancellationToken).ConfigureAwait(false);
                    if (results is null)
                        throw new RestoreFailedException(request.To.Name, $"{ended} Velero's errors and warnings could not be fetched ({problem}). {describe}", null);
                    throw new RestoreFailedException(request.To.Name, ended
                        + VeleroRestoreResults.Describe("Errors", results.Errors, ListedResults)
                        + VeleroRestoreResults.Describe("Warnings", results.Warnings, ListedResults), results);
            }
            progress?.Report($"Restore {name}: {phase}");
            if (_time.GetUtcNow() > deadline)
            {
                throw new FleetClusterException(RecoveryErrorIds.FailoverRestoreFailed, FleetErrorCategory.OperationTimeout, request.To.Name,
                    $"Restore {name} is still {phase} after {BackupCron.Describe(request.RestoreTimeout)}; traffic was not moved.");
            }
            await Task.Delay(request.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Scales up the warm standby's zero-replica workloads in the restored namespaces, then waits
    /// until every Deployment there is available and every StatefulSet ready.
    /// </summary>
    internal async Task<(string, string)> WaitForWorkloadsAsync(ResourceClient standby, FailoverRequest request, FleetBackup backup,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var namespaces = SourceNamespaces(request, backup).Select(request.Target).ToList();
        var scaled = await WarmStandby.ScaleUpAsync(standby, namespaces, request.Replicas, cancellationToken).ConfigureAwait(false);
        var scaledText = scaled.Count == 0 ? "" : $"; scaled up {string.Join(", ", scaled)}";
        var deadline = _time.GetUtcNow() + request.WorkloadTimeout;
        while (true)
        {
            var deployments = await WarmStandby.ListAsync(standby, WarmStandby.Deployment, namespaces, cancellationToken).ConfigureAwait(false);
            var statefulSets = await WarmStandby.ListAsync(standby, WarmStandby.StatefulSet, namespaces, cancellationToken).ConfigureAwait(false);
            var waiting = deployments.Where(d => !Available(d)).Concat(statefulSets.Where(s => !RolloutState.Read(s).Ready)).Select(w => $"{w.Namespace}/{w.Name}").ToList();
            var workloads = $"{deployments.Count} Deployments" + (statefulSets.Count == 0 ? "" : $" and {statefulSets.Count} StatefulSets");
            if (waiting.Count == 0) return ("Succeeded", $"{workloads} available{scaledText}");
            progress?.Report($"Waiting for {waiting.Count} of {workloads}");
            if (_time.GetUtcNow() > deadline)
            {
                throw new FleetClusterException(RecoveryErrorIds.FailoverWorkloadsUnavailable, FleetErrorCategory.OperationTimeout, request.To.Name,
                    $"{waiting.Count} restored workloads are not available after {BackupCron.Describe(request.WorkloadTimeout)}: {string.Join(", ", waiting)}; traffic was not moved.");
            }
            await Task.Delay(request.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Available(KubeObject deployment)
    {
        var wanted = deployment.Json["spec"]?["replicas"] is JsonValue r && r.TryGetValue<int>(out var n) ? n : 1;
        var available = deployment.Json["status"]?["availableReplicas"] is JsonValue a && a.TryGetValue<int>(out var m) ? m : 0;
        return available >= wanted;
    }

    private async Task<(string, string)> VerifyAsync(FailoverRequest request, CancellationToken cancellationToken)
    {
        if (request.HealthUrl is null) return ("Skipped", "no health URL");
        try
        {
            using var response = await _http.GetAsync(request.HealthUrl, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return ("Succeeded", $"{request.HealthUrl} answered {(int)response.StatusCode}");
            throw new FleetException(RecoveryErrorIds.FailoverVerifyFailed, FleetErrorCategory.ResourceUnavailable, request.HealthUrl.ToString(),
                $"{request.HealthUrl} answered {(int)response.StatusCode} after the switch.");
        }
        catch (HttpRequestException e)
        {
            throw new FleetException(RecoveryErrorIds.FailoverVerifyFailed, FleetErrorCategory.ResourceUnavailable, request.HealthUrl.ToString(),
                $"{request.HealthUrl} did not answer after the switch: {e.Message}");
        }
    }

    private async Task SaveAsync(ResourceClient standby, FailoverRequest request, AuditRecord record, CancellationToken cancellationToken) =>
        await standby.ApplyAsync(ConfigMapType, record.ToConfigMap(request.VeleroNamespace), forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);

    internal FleetFailoverStep Step(string name, string outcome, DateTimeOffset start, string message) =>
        new() { Name = name, Outcome = outcome, Start = start, End = _time.GetUtcNow(), Message = message };

    internal static FleetFailoverResult Result(FailoverRequest request, string status, string? backup, string? restore, TimeSpan? rpo, TimeSpan? rto,
        ITrafficSwitch? traffic, IReadOnlyList<FleetFailoverStep> steps, string message, string? errorId = null, RestoreResultLists? restoreResults = null) => new()
    {
        From = request.From.Name,
        To = request.To.Name,
        Status = status,
        Backup = backup,
        Restore = restore,
        Rpo = rpo,
        Rto = rto,
        RpoText = rpo is { } p ? BackupCron.Describe(p) : "",
        RtoText = rto is { } t ? BackupCron.Describe(t) : "",
        Traffic = traffic?.Description,
        Steps = steps.ToArray(), // an array: PowerShell indexes it (a collection expression's list type it cannot)
        Message = message,
        ErrorId = errorId,
        RestoreErrors = restoreResults?.Errors.ToArray() ?? [],
        RestoreWarnings = restoreResults?.Warnings.ToArray() ?? [],
    };

    /// <summary>The failover as the audit ConfigMap keeps it.</summary>
    private sealed record AuditRecord(string From, string To, string Backup, string Restore, DateTimeOffset StartedAt, TimeSpan Rpo, string State,
        IReadOnlyList<FleetFailoverStep> Steps)
    {
        public TimeSpan? Rto { get; init; }

        public bool Done(string step) => Steps.Any(s => s.Name == step && s.Outcome is "Succeeded" or "Skipped");

        public KubeObject ToConfigMap(string ns) => new(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = AuditName(From),
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue, ["multicluster.io/failover"] = "true" },
            },
            ["data"] = new JsonObject
            {
                ["from"] = From,
                ["to"] = To,
                ["backup"] = Backup,
                ["restore"] = Restore,
                ["startedAt"] = StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["rpoSeconds"] = ((long)Rpo.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                ["rtoSeconds"] = Rto is { } rto ? ((long)rto.TotalSeconds).ToString(CultureInfo.InvariantCulture) : "",
                ["state"] = State,
                ["steps"] = JsonSerializer.Serialize(Steps.Select(s => new StepRecord(s.Name, s.Outcome, s.Start, s.End, s.Message)).ToList()),
            },
        });

        public static AuditRecord Read(KubeObject configMap)
        {
            var data = configMap.Json["data"] as JsonObject ?? [];
            string Get(string key) => (string?)data[key] ?? "";
            var steps = JsonSerializer.Deserialize<List<StepRecord>>(Get("steps") is { Length: > 0 } s ? s : "[]") ?? [];
            return new AuditRecord(Get("from"), Get("to"), Get("backup"), Get("restore"),
                DateTimeOffset.Parse(Get("startedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                TimeSpan.FromSeconds(long.Parse(Get("rpoSeconds"), CultureInfo.InvariantCulture)), Get("state"),
                steps.Select(r => new FleetFailoverStep { Name = r.Name, Outcome = r.Outcome, Start = r.Start, End = r.End, Message = r.Message }).ToList())
            {
                Rto = long.TryParse(Get("rtoSeconds"), CultureInfo.InvariantCulture, out var rto) ? TimeSpan.FromSeconds(rto) : null,
            };
        }

        public FleetFailoverResult ToResult(FailoverRequest request, string status, string message) => Result(request, status, Backup, Restore, Rpo, Rto,
            null, Steps, message);
    }

    private sealed record StepRecord(string Name, string Outcome, DateTimeOffset? Start, DateTimeOffset? End, string? Message);
}
