using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// The way back after a failover, once the primary is up again: a fresh Velero backup of the
/// standby (what it served since the failover), then the failover's own steps in reverse through
/// <see cref="FailoverService"/> (restore into the primary with existingResourcePolicy update, so
/// the primary's stale copies are overwritten; wait for the workloads; switch traffic back only
/// after the restore Completed; verify), with its audit and resume. The request's From is the
/// standby now serving, To the recovered primary. When it completes, the failover's audit record
/// in the standby is marked FailedBack so a later failover starts afresh.
/// </summary>
public sealed class FailbackService
{
    public const string BackupStandby = nameof(BackupStandby);

    /// <summary>On the standby's failback Backup: the primary it goes back to.</summary>
    public const string FailbackLabel = "multicluster.io/failback-to";

    private readonly FailoverService _failover;

    public FailbackService(IClusterConnector connector) : this(new FailoverService(connector)) { }

    internal FailbackService(FailoverService failover) => _failover = failover;

    /// <summary>
    /// Runs (or with <paramref name="whatIf"/> plans) the failback; everything wrong before the
    /// backup (no completed failover, a primary that does not answer, no writable location on the
    /// standby, a primary that cannot see it) throws before any change.
    /// </summary>
    public async Task<FleetFailoverResult> RunAsync(FailoverRequest request, string? storageLocation, ITrafficSwitch? traffic, bool whatIf,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var standby = _failover.Client(request.From);
        var primary = _failover.Client(request.To);
        var failover = await FailoverService.ReadAuditAsync(standby, request.VeleroNamespace, request.To.Name, cancellationToken).ConfigureAwait(false);
        if (failover is not { State: "Completed" or FailoverService.FailedBackState })
        {
            throw new FleetInputException(RecoveryErrorIds.FailbackNotPossible, FleetErrorCategory.InvalidOperation, request.From.Name,
                $"'{request.From.Name}' records no completed failover from '{request.To.Name}' (ConfigMap {request.VeleroNamespace}/{FailoverService.AuditName(request.To.Name)}"
                + (failover is { } f ? $" is {f.State})" : " is missing)") + ": there is nothing to fail back.",
                recommendedAction: $"Finish the failover first (Invoke-FleetFailover -From {request.To.Name} -To {request.From.Name}), or check -From is the standby now serving and -To the primary.");
        }
        var health = await new ClusterHealthService(_failover.Connector).CheckAsync(request.To, new ClusterHealthOptions { TimeoutSeconds = 10 }, cancellationToken).ConfigureAwait(false);
        if (health.Status != FleetHealthStatus.Healthy)
        {
            throw new FleetInputException(RecoveryErrorIds.FailbackNotPossible, FleetErrorCategory.ResourceUnavailable, request.To.Name,
                $"The primary '{request.To.Name}' is {health.Status} ({health.Reason}): traffic cannot go back to it yet.",
                recommendedAction: $"Bring {request.To.Name} back (Test-FleetCluster -Cluster {request.To.Name} must say Healthy), then run the failback again.");
        }
        // The failback's own record in the primary, from this cycle: a cut-off failback continues through the failover's resume.
        var own = await FailoverService.ReadAuditAsync(primary, request.VeleroNamespace, request.From.Name, cancellationToken).ConfigureAwait(false);
        var cycle = request with { Force = true, ExistingResourcePolicy = "update", IgnoreRecordsBefore = failover.Value.StartedAt };
        if (own is { } resumed && resumed.StartedAt >= failover.Value.StartedAt)
            return await FinishAsync(standby, cycle, traffic, whatIf, progress, null, cancellationToken).ConfigureAwait(false);

        var namespaces = request.Namespaces.Count > 0 ? request.Namespaces : await FailoverNamespacesAsync(standby, request, failover.Value.Restore, cancellationToken).ConfigureAwait(false);
        cycle = cycle with { Namespaces = namespaces };

        var started = _failover.Time.GetUtcNow();
        var existing = await PendingBackupAsync(standby, request, failover.Value.StartedAt, cancellationToken).ConfigureAwait(false);
        var location = existing is null ? await WritableLocationAsync(standby, primary, request, storageLocation, cancellationToken).ConfigureAwait(false) : null;
        var backupName = existing?.Name ?? $"failback-{request.From.Name}-{started.UtcDateTime:yyyyMMddHHmmss}".ToLowerInvariant();
        if (whatIf)
        {
            if (traffic is not null) await traffic.CheckAsync(cancellationToken).ConfigureAwait(false);
            var plan = new List<FleetFailoverStep>
            {
                new() { Name = BackupStandby, Outcome = "Planned", Message = $"Backup {request.VeleroNamespace}/{backupName} of {string.Join(", ", namespaces)} in {request.From.Name}" + (location is null ? "" : $" to location {location}") },
                new() { Name = FailoverService.AssessPrimary, Outcome = "Planned" },
                new() { Name = FailoverService.SelectBackup, Outcome = "Planned", Message = backupName },
                new() { Name = FailoverService.Restore, Outcome = "Planned", Message = $"into {request.To.Name}, existing objects updated" },
                new() { Name = FailoverService.WaitForWorkloads, Outcome = "Planned" },
                new() { Name = FailoverService.SwitchTraffic, Outcome = traffic is null ? "Skipped" : "Planned", Message = traffic?.Description },
                new() { Name = FailoverService.Verify, Outcome = request.HealthUrl is null ? "Skipped" : "Planned", Message = request.HealthUrl?.ToString() },
            };
            return FailoverService.Result(request, "Planned", backupName, null, null, null, traffic, plan,
                $"Would back up {request.From.Name} now and restore it into {request.To.Name}" + (traffic is null ? "." : $", then switch {traffic.Description}."));
        }
        if (traffic is not null) await traffic.CheckAsync(cancellationToken).ConfigureAwait(false);

        progress?.Report(BackupStandby);
        if (existing is null) await CreateBackupAsync(standby, cycle, backupName, location!, cancellationToken).ConfigureAwait(false);
        FleetFailoverStep backupStep;
        try
        {
            var message = await WaitForBackupAsync(standby, primary, cycle, backupName, progress, cancellationToken).ConfigureAwait(false);
            backupStep = _failover.Step(BackupStandby, "Succeeded", started, message);
        }
        catch (FleetException e)
        {
            var failed = _failover.Step(BackupStandby, "Failed", started, e.Message);
            string[] later = [FailoverService.AssessPrimary, FailoverService.SelectBackup, FailoverService.Restore, FailoverService.WaitForWorkloads, FailoverService.SwitchTraffic, FailoverService.Verify];
            return FailoverService.Result(request, "Failed", backupName, null, null, null, traffic,
                [failed, .. later.Select(n => new FleetFailoverStep { Name = n, Outcome = "NotRun" })], e.Message, e.ErrorId);
        }
        return await FinishAsync(standby, cycle with { Backup = backupName }, traffic, whatIf: false, progress, backupStep, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The failover's steps from the standby to the primary, the backup step first; a completed failback marks the failover undone.</summary>
    private async Task<FleetFailoverResult> FinishAsync(ResourceClient standby, FailoverRequest cycle, ITrafficSwitch? traffic, bool whatIf,
        IProgress<string>? progress, FleetFailoverStep? backupStep, CancellationToken cancellationToken)
    {
        var result = await _failover.RunAsync(cycle, traffic, whatIf, progress, cancellationToken).ConfigureAwait(false);
        if (!whatIf && result.Status is "Completed" or "AlreadyComplete")
            await FailoverService.MarkFailedBackAsync(standby, cycle.VeleroNamespace, cycle.To.Name, cancellationToken).ConfigureAwait(false);
        var message = result.Status == "Completed" ? $"{cycle.To.Name} serves again from a backup of {cycle.From.Name} taken at the failback ({result.Backup}; RTO {result.RtoText})." : result.Message;
        var first = backupStep ?? new FleetFailoverStep { Name = BackupStandby, Outcome = "Skipped", Message = "done by an earlier run" };
        return FailoverService.Result(cycle, result.Status, result.Backup, result.Restore, result.Rpo, result.Rto, traffic, [first, .. result.Steps], message!, result.ErrorId,
            new RestoreResultLists(result.RestoreWarnings, result.RestoreErrors));
    }

    /// <summary>The namespaces the failover restored (its Restore's includedNamespaces).</summary>
    private static async Task<IReadOnlyList<string>> FailoverNamespacesAsync(ResourceClient standby, FailoverRequest request, string restore,
        CancellationToken cancellationToken)
    {
        var restoreObject = await standby.GetAsync(VeleroKinds.Restore, request.VeleroNamespace, restore, cancellationToken).ConfigureAwait(false);
        var namespaces = (restoreObject?.Json["spec"]?["includedNamespaces"] as JsonArray ?? []).Select(n => (string?)n).OfType<string>().Where(n => n != "*").ToList();
        if (namespaces.Count > 0) return namespaces;
        throw new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, request.From.Name,
            $"The failover's Restore {restore} named no namespaces: the failback cannot tell which of {request.From.Name}'s namespaces to take back.",
            recommendedAction: "Name them with -Namespace.");
    }

    /// <summary>A failback Backup of this cycle not yet restored (a cut-off run), still running or Completed.</summary>
    private static async Task<KubeObject?> PendingBackupAsync(ResourceClient standby, FailoverRequest request, DateTimeOffset failoverStarted,
        CancellationToken cancellationToken) =>
        (await standby.ListAsync(VeleroKinds.Backup, request.VeleroNamespace, $"{FailbackLabel}={request.To.Name}", cancellationToken).ConfigureAwait(false))
            .Where(b => (string?)b.Json["status"]?["phase"] is null or "" or "New" or "Queued" or "ReadyToStart" or "InProgress" or "Completed"
                && (BackupService.Time(b.Json["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MinValue) >= failoverStarted.AddSeconds(-1))
            .OrderByDescending(b => b.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>The standby's location the backup goes to: ReadWrite, over a bucket the primary also has a location for.</summary>
    private static async Task<string> WritableLocationAsync(ResourceClient standby, ResourceClient primary, FailoverRequest request, string? wanted,
        CancellationToken cancellationToken)
    {
        var locations = await BackupService.ListVeleroAsync(standby, VeleroKinds.BackupStorageLocation, cancellationToken).ConfigureAwait(false);
        var location = locations.FirstOrDefault(l => l.Namespace == request.VeleroNamespace && (wanted is null ? (bool?)l.Json["spec"]?["default"] == true : l.Name == wanted));
        if (location is null)
        {
            throw new FleetInputException(RecoveryErrorIds.FailbackNotPossible, FleetErrorCategory.ObjectNotFound, request.From.Name,
                $"'{request.From.Name}' has no {(wanted is null ? "default backup storage location" : $"backup storage location '{wanted}'")} in {request.VeleroNamespace} to back up to before the failback.",
                recommendedAction: $"Give one with -StorageLocation, or create it (New-FleetBackupLocation -Cluster {request.From.Name}).");
        }
        if ((string?)location.Json["spec"]?["accessMode"] == "ReadOnly")
        {
            throw new FleetInputException(RecoveryErrorIds.FailbackNotPossible, FleetErrorCategory.InvalidOperation, request.From.Name,
                $"The backup storage location '{location.Name}' of '{request.From.Name}' is ReadOnly: the standby cannot write the backup the failback restores.",
                recommendedAction: $"Add a ReadWrite location over the same bucket on {request.From.Name} (New-FleetBackupLocation ... -Cluster {request.From.Name}) and name it with -StorageLocation.");
        }
        var key = Bucket(location);
        var primaryLocations = await BackupService.ListVeleroAsync(primary, VeleroKinds.BackupStorageLocation, cancellationToken).ConfigureAwait(false);
        if (!primaryLocations.Any(l => Bucket(l) == key))
        {
            throw new FleetInputException(RecoveryErrorIds.FailbackNotPossible, FleetErrorCategory.ObjectNotFound, request.To.Name,
                $"The primary '{request.To.Name}' has no backup storage location over {key.Provider} bucket '{key.Bucket}'{(key.Prefix.Length == 0 ? "" : $" prefix '{key.Prefix}'")}: it would not see the failback's backup.",
                recommendedAction: $"Create one on {request.To.Name} (New-FleetBackupLocation -Bucket {key.Bucket} -Cluster {request.To.Name}).");
        }
        return location.Name;
    }

    internal static (string Provider, string Bucket, string Prefix) Bucket(KubeObject location) =>
        ((string?)location.Json["spec"]?["provider"] ?? "", (string?)location.Json["spec"]?["objectStorage"]?["bucket"] ?? "",
         ((string?)location.Json["spec"]?["objectStorage"]?["prefix"] ?? "").Trim('/'));

    private static async Task CreateBackupAsync(ResourceClient standby, FailoverRequest request, string name, string location, CancellationToken cancellationToken)
    {
        var backup = new KubeObject(new JsonObject
        {
            ["apiVersion"] = VeleroKinds.ApiVersion,
            ["kind"] = "Backup",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = request.VeleroNamespace,
                ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue, [FailbackLabel] = request.To.Name },
            },
            ["spec"] = new JsonObject
            {
                ["includedNamespaces"] = new JsonArray(request.Namespaces.Select(n => (JsonNode?)n).ToArray()),
                ["excludedResources"] = new JsonArray(VeleroKinds.DefaultExcludedResources.Select(r => (JsonNode?)r).ToArray()),
                ["storageLocation"] = location,
            },
        });
        await standby.ApplyAsync(VeleroKinds.Backup, backup, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the backup Completed in the standby and the primary sees it (Velero's backup sync).</summary>
    private async Task<string> WaitForBackupAsync(ResourceClient standby, ResourceClient primary, FailoverRequest request, string name,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var deadline = _failover.Time.GetUtcNow() + request.RestoreTimeout;
        while (true)
        {
            var backup = await standby.GetAsync(VeleroKinds.Backup, request.VeleroNamespace, name, cancellationToken).ConfigureAwait(false);
            var phase = (string?)backup?.Json["status"]?["phase"] is { Length: > 0 } p ? p : "New";
            if (phase is "Failed" or "PartiallyFailed" or "FailedValidation")
            {
                var why = (string?)backup?.Json["status"]?["failureReason"]
                          ?? string.Join("; ", (backup?.Json["status"]?["validationErrors"] as JsonArray ?? []).Select(e => (string?)e));
                throw new FleetClusterException(RecoveryErrorIds.FailbackBackupFailed, FleetErrorCategory.InvalidData, request.From.Name,
                    $"Backup {name} of {request.From.Name} ended {phase}{(string.IsNullOrEmpty(why) ? "" : ": " + why)}; nothing was restored and traffic was not moved. See 'velero backup describe {name} --details'.");
            }
            if (phase == "Completed")
            {
                var seen = await primary.GetAsync(VeleroKinds.Backup, request.VeleroNamespace, name, cancellationToken).ConfigureAwait(false);
                if ((string?)seen?.Json["status"]?["phase"] == "Completed")
                    return $"Backup {name}: Completed, {backup!.Json["status"]?["progress"]?["itemsBackedUp"]} items; {request.To.Name} sees it";
                phase = $"Completed, waiting for {request.To.Name} to sync it";
            }
            progress?.Report($"Backup {name}: {phase}");
            if (_failover.Time.GetUtcNow() > deadline)
            {
                throw new FleetClusterException(RecoveryErrorIds.FailbackBackupFailed, FleetErrorCategory.OperationTimeout, request.From.Name,
                    $"Backup {name} is still {phase} after {BackupCron.Describe(request.RestoreTimeout)}; nothing was restored and traffic was not moved.");
            }
            await Task.Delay(request.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
