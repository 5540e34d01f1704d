using Cronos;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>What a pre- or post-check is asked about.</summary>
public sealed record UpgradeCheckContext(string Cluster, FleetCluster? FleetCluster, FleetUpgradeWave Wave, bool IsPostCheck);

/// <summary>A check by name (a script block at the cmdlet): null when it passed, else why it failed.</summary>
public delegate Task<string?> UpgradeCheck(UpgradeCheckContext context, CancellationToken cancellationToken);

public sealed class UpgradeRolloutOptions
{
    public required FleetCluster ManagementCluster { get; init; }

    /// <summary>Namespace of the Cluster objects and of the checkpoint ConfigMap.</summary>
    public string Namespace { get; init; } = "default";

    public required string RolloutId { get; init; }

    /// <summary>Continue the checkpointed rollout instead of starting a new one.</summary>
    public bool Resume { get; init; }

    /// <summary>The checks the policy names besides the built-in clusterHealth and versionSkew (names compare case-insensitively).</summary>
    public IReadOnlyDictionary<string, UpgradeCheck> Checks { get; init; } = new Dictionary<string, UpgradeCheck>();

    /// <summary>Asked before a manual-approval wave; false declines it and stops the rollout there. Without it manual waves are declined.</summary>
    public Func<FleetUpgradeWave, CancellationToken, Task<bool>>? Approve { get; init; }

    /// <summary>Asked before every auto-approval wave; false stops the rollout there, as the user asked.</summary>
    public Func<FleetUpgradeWave, CancellationToken, Task<bool>>? Proceed { get; init; }

    /// <summary>Run waves whose maintenance window is closed instead of stopping before them.</summary>
    public bool IgnoreSchedule { get; init; }

    public ClusterUpgradeOptions Upgrade { get; init; } = new();

    public ClusterHealthOptions Health { get; init; } = new();

    /// <summary>The clock windows are judged by.</summary>
    public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;

    /// <summary>How often the checkpoint is rewritten while the run lasts (<see cref="UpgradeCheckpoint.HeartbeatInterval"/>).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = UpgradeCheckpoint.HeartbeatInterval;
}

/// <summary>
/// Runs an upgrade plan wave by wave (Start-FleetUpgrade): for each cluster of a wave, at most
/// maxUnavailable at once, the pre-checks, the upgrade (<see cref="ManagedClusterClient.UpgradeAsync"/>),
/// the post-checks. The first failing wave stops the rollout, naming the cluster and the check; a
/// manual wave that is not approved stops it too (Declined); a wave whose window is closed stops
/// the rollout until a later run. Every step is checkpointed (<see cref="UpgradeCheckpoint"/>), so
/// a resumed run skips what succeeded.
/// </summary>
public sealed class UpgradeRollout(IClusterConnector connector)
{
    public const string ClusterHealthCheck = "clusterHealth";
    public const string VersionSkewCheck = "versionSkew";

    /// <summary>Every namespace but Kubernetes' own carries a pod security admission enforce label.</summary>
    public const string PodSecurityCheck = "podSecurity";

    /// <summary>
    /// Throws UpgradeCheckFailed (bad input, before anything runs) when a wave names a check that is
    /// neither built in nor given.
    /// </summary>
    public static void ValidateChecks(IEnumerable<FleetUpgradeWave> waves, IReadOnlyDictionary<string, UpgradeCheck> checks)
    {
        var given = new HashSet<string>(checks.Keys, StringComparer.OrdinalIgnoreCase) { ClusterHealthCheck, VersionSkewCheck, PodSecurityCheck };
        foreach (var wave in waves)
        {
            var missing = wave.PreChecks.Concat(wave.PostChecks).FirstOrDefault(c => !given.Contains(c));
            if (missing is null) continue;
            throw new FleetInputException(LifecycleErrorIds.UpgradeCheckFailed, FleetErrorCategory.InvalidArgument, missing,
                $"Wave '{wave.Name}' names the check '{missing}', which is neither built in ({ClusterHealthCheck}, {VersionSkewCheck}, {PodSecurityCheck}) nor given with -Check.",
                recommendedAction: $"Pass -Check @{{ '{missing}' = {{ param($Cluster) ... }} }}.");
        }
    }

    public static FleetUpgradeStatus NewStatus(IReadOnlyList<FleetUpgradeWave> plan, UpgradeRolloutOptions options) => new()
    {
        RolloutId = options.RolloutId,
        KubernetesVersion = plan.Count > 0 ? plan[0].KubernetesVersion : "",
        ManagementCluster = options.ManagementCluster.Name,
        Namespace = options.Namespace,
        Started = DateTimeOffset.UtcNow,
        Waves = plan.Select(w => new FleetUpgradeWaveStatus
        {
            Order = w.Order,
            Name = w.Name,
            Approval = w.Approval,
            Clusters = w.Clusters.Select(c => new FleetUpgradeClusterStatus { Cluster = c }).ToList(),
        }).ToList(),
    };

    /// <summary>
    /// The plan to run: <paramref name="plan"/> for a new rollout (refused when the id is taken), or
    /// the checkpoint's for a resumed one. Reads, never writes.
    /// </summary>
    public async Task<UpgradeRolloutRecord> PrepareAsync(IReadOnlyList<FleetUpgradeWave>? plan, UpgradeRolloutOptions options, CancellationToken cancellationToken)
    {
        UpgradeCheckpoint.ValidateRolloutId(options.RolloutId);
        if (plan is not null) ValidateChecks(plan, options.Checks);
        var existing = await Guard(options, () => Checkpoint(options).ReadAsync(options.RolloutId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (options.Resume)
        {
            if (existing is null)
            {
                throw new FleetClusterException(LifecycleErrorIds.UpgradeRolloutNotFound, FleetErrorCategory.ObjectNotFound, options.ManagementCluster.Name,
                    $"No rollout '{options.RolloutId}' to resume: management cluster '{options.ManagementCluster.Name}' has no ConfigMap {options.Namespace}/{UpgradeCheckpoint.ConfigMapName(options.RolloutId)}.",
                    recommendedAction: "Run Get-FleetUpgradeStatus to list the rollouts, or start this one without -Resume.");
            }
            if (existing.Status.State == FleetUpgradeState.Running)
            {
                // Its heartbeat is fresh (a stale one reads as Interrupted): another run holds it now.
                throw new FleetClusterException(LifecycleErrorIds.UpgradeRolloutExists, FleetErrorCategory.ResourceExists, options.ManagementCluster.Name,
                    $"Rollout '{options.RolloutId}' is running in another session (its checkpoint was written at {existing.Status.Updated:u}); two runs of one rollout cannot both proceed.",
                    recommendedAction: $"Wait for it, or, if that run is gone, resume after {UpgradeCheckpoint.StaleAfter.TotalMinutes:0} minutes without a heartbeat.");
            }
            ValidateChecks(existing.Plan, options.Checks);
            return existing;
        }
        if (existing is not null)
        {
            throw new FleetClusterException(LifecycleErrorIds.UpgradeRolloutExists, FleetErrorCategory.ResourceExists, options.ManagementCluster.Name,
                $"Rollout '{options.RolloutId}' already exists ({existing.Status.State}, waves done {existing.Status.Progress}).",
                recommendedAction: "Add -Resume to continue it, or give another -RolloutId.");
        }
        if (plan is null || plan.Count == 0)
            throw new FleetInputException(LifecycleErrorIds.UpgradePolicyInvalid, FleetErrorCategory.InvalidArgument, options.RolloutId, "The upgrade plan has no waves.");
        return new UpgradeRolloutRecord(plan, NewStatus(plan, options));
    }

    /// <summary>Runs (or continues) the rollout <see cref="PrepareAsync"/> returned. Returns where it stands when it stops.</summary>
    public async Task<FleetUpgradeStatus> RunAsync(UpgradeRolloutRecord rollout, IEnumerable<FleetCluster> fleet, UpgradeRolloutOptions options,
        CancellationToken cancellationToken)
    {
        var run = new Run(this, rollout, fleet.ToDictionary(c => c.Name, StringComparer.Ordinal), options);
        return await Guard(options, () => run.ExecuteAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task<UpgradeRolloutRecord?> GetAsync(FleetCluster management, string ns, string rolloutId, CancellationToken cancellationToken)
    {
        UpgradeCheckpoint.ValidateRolloutId(rolloutId);
        return await Guard(management, () => new UpgradeCheckpoint(connector, management, ns).ReadAsync(rolloutId, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    public Task<IReadOnlyList<UpgradeRolloutRecord>> ListAsync(FleetCluster management, string ns, CancellationToken cancellationToken) =>
        Guard(management, () => new UpgradeCheckpoint(connector, management, ns).ListAsync(cancellationToken), cancellationToken);

    /// <summary>Whether <paramref name="wave"/>'s maintenance window is open at <paramref name="now"/>; when not, when it next opens.</summary>
    public static (bool Open, DateTimeOffset? NextOpening) Window(FleetUpgradeWave wave, DateTimeOffset now)
    {
        if (wave.Schedule is null) return (true, null);
        var schedule = CronExpression.Parse(wave.Schedule, CronFormat.Standard);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(wave.TimeZone);
        var open = schedule.GetOccurrences(now - wave.Window, now, zone, fromInclusive: false, toInclusive: true).Any();
        return (open, open ? null : schedule.GetNextOccurrence(now, zone));
    }

    private IClusterConnector Connector => connector;

    private UpgradeCheckpoint Checkpoint(UpgradeRolloutOptions options) => new(connector, options.ManagementCluster, options.Namespace);

    private static Task<T> Guard<T>(UpgradeRolloutOptions options, Func<Task<T>> action, CancellationToken cancellationToken) =>
        Guard(options.ManagementCluster, action, cancellationToken);

    private static async Task<T> Guard<T>(FleetCluster management, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FleetException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw KubernetesErrors.Translate(ex, management.Name, "upgrade rollout checkpoint", cancellationToken);
        }
    }

    /// <summary>One run of a rollout: its state, and the lock that keeps the checkpoint writes in order.</summary>
    private sealed class Run(UpgradeRollout owner, UpgradeRolloutRecord rollout, IReadOnlyDictionary<string, FleetCluster> fleet, UpgradeRolloutOptions options)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly UpgradeCheckpoint _checkpoint = owner.Checkpoint(options);
        private readonly ManagedClusterClient _operations = new(owner.Connector);
        private readonly IFleetReporter _reporter = FleetCallContext.Reporter;
        private FleetUpgradeStatus Status => rollout.Status;

        public async Task<FleetUpgradeStatus> ExecuteAsync(CancellationToken cancellationToken)
        {
            using var stopBeating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? heartbeat = null;
            try
            {
                await UpdateAsync(() => (Status.State, Status.StoppedReason) = (FleetUpgradeState.Running, null), cancellationToken).ConfigureAwait(false);
                heartbeat = BeatAsync(stopBeating.Token);
                for (var i = 0; i < rollout.Plan.Count; i++)
                {
                    var wave = rollout.Plan[i];
                    var state = Status.Waves[i];
                    if (state.State == FleetUpgradeState.Succeeded) continue;
                    _reporter.Progress(null, $"Upgrading the fleet to {Status.KubernetesVersion}", $"wave {wave.Order}/{rollout.Plan.Count}: {wave.Name}",
                        100 * i / rollout.Plan.Count);
                    if (!await StartWaveAsync(wave, state, cancellationToken).ConfigureAwait(false)) return Status;
                }
                await UpdateAsync(() => (Status.State, Status.StoppedReason) = (FleetUpgradeState.Succeeded, null), cancellationToken).ConfigureAwait(false);
                return Status;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Cut off: record where, so -Resume knows, then let the caller see the cancellation.
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await UpdateAsync(() =>
                {
                    foreach (var wave in Status.Waves.Where(w => w.State == FleetUpgradeState.Running))
                    {
                        wave.State = FleetUpgradeState.Interrupted;
                        foreach (var cluster in wave.Clusters.Where(c => c.State == FleetUpgradeState.Running)) cluster.State = FleetUpgradeState.Interrupted;
                    }
                    (Status.State, Status.StoppedReason) = (FleetUpgradeState.Interrupted, "The run was stopped; -Resume continues it.");
                }, grace.Token).ConfigureAwait(false);
                throw;
            }
            finally
            {
                stopBeating.Cancel();
                if (heartbeat is not null) await heartbeat.ConfigureAwait(false);
            }
        }

        /// <summary>Rewrites the checkpoint every heartbeat interval while the run lasts, so a run that dies silently is told from one that works.</summary>
        private async Task BeatAsync(CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.HeartbeatInterval, cancellationToken).ConfigureAwait(false);
                    await UpdateAsync(() => { }, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // A missed beat is not a failed rollout; the next beat, or the next step, writes again.
                    _reporter.Verbose($"Rollout '{Status.RolloutId}': heartbeat not written: {ex.Message}");
                }
            }
        }

        /// <summary>Runs one wave; false when the rollout stops at it.</summary>
        private async Task<bool> StartWaveAsync(FleetUpgradeWave wave, FleetUpgradeWaveStatus state, CancellationToken cancellationToken)
        {
            var (open, next) = options.IgnoreSchedule ? (true, null) : Window(wave, options.Now());
            if (!open)
            {
                var reason = $"Wave '{wave.Name}' waits for its maintenance window ('{wave.Schedule}' {wave.TimeZone}), next opening {next:u}; run again with -Resume then.";
                await UpdateAsync(() => (state.State, state.Message, Status.State, Status.StoppedReason) =
                    (FleetUpgradeState.WaitingForWindow, reason, FleetUpgradeState.WaitingForWindow, reason), cancellationToken).ConfigureAwait(false);
                return false;
            }
            // Fail closed: a manual wave nobody approved (declined, or a host that cannot ask) stops
            // the rollout there; a later wave never runs past it.
            if (wave.Approval == FleetUpgradeApproval.Manual
                && !(options.Approve is { } approve && await approve(wave, cancellationToken).ConfigureAwait(false)))
            {
                var reason = $"Wave '{wave.Name}' was not approved; the rollout stops before it. -Resume asks again.";
                _reporter.Warning(reason);
                await UpdateAsync(() => (state.State, state.Message, Status.State, Status.StoppedReason) =
                    (FleetUpgradeState.Declined, "Manual approval was refused.", FleetUpgradeState.Declined, reason), cancellationToken).ConfigureAwait(false);
                return false;
            }
            // A manual wave was just asked about; asking again whether to proceed would be the same question twice.
            if (wave.Approval == FleetUpgradeApproval.Auto && options.Proceed is { } proceed && !await proceed(wave, cancellationToken).ConfigureAwait(false))
            {
                var reason = $"Wave '{wave.Name}' was not confirmed; the rollout stops before it.";
                await UpdateAsync(() => (state.State, state.Message, Status.State, Status.StoppedReason) =
                    (FleetUpgradeState.Declined, "Not confirmed.", FleetUpgradeState.Declined, reason), cancellationToken).ConfigureAwait(false);
                return false;
            }

            await UpdateAsync(() => (state.State, state.Message) = (FleetUpgradeState.Running, null), cancellationToken).ConfigureAwait(false);
            var failed = 0;
            await Parallel.ForEachAsync(state.Clusters.Where(c => c.State != FleetUpgradeState.Succeeded),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, wave.MaxUnavailable), CancellationToken = cancellationToken },
                async (cluster, token) =>
                {
                    // After a failure no new cluster of the wave is started; those already running finish.
                    if (Volatile.Read(ref failed) > 0) return;
                    if (!await UpgradeClusterAsync(wave, cluster, token).ConfigureAwait(false)) Interlocked.Increment(ref failed);
                }).ConfigureAwait(false);

            var failure = state.Clusters.FirstOrDefault(c => c.State == FleetUpgradeState.Failed);
            if (failure is null)
            {
                await UpdateAsync(() => state.State = FleetUpgradeState.Succeeded, cancellationToken).ConfigureAwait(false);
                return true;
            }
            var later = Status.Waves.Count(w => w.Order > wave.Order);
            var stopped = $"Wave '{wave.Name}' failed at cluster '{failure.Cluster}': {failure.Message}" +
                          (later == 0 ? "" : $" The {later} later wave{(later == 1 ? " was" : "s were")} not started.");
            await UpdateAsync(() => (state.State, state.Message, Status.State, Status.StoppedReason) =
                (FleetUpgradeState.Failed, $"Cluster '{failure.Cluster}' failed.", FleetUpgradeState.Failed, stopped), cancellationToken).ConfigureAwait(false);
            return false;
        }

        /// <summary>Pre-checks, upgrade, post-checks of one cluster; false (with the reason recorded) when any fails.</summary>
        private async Task<bool> UpgradeClusterAsync(FleetUpgradeWave wave, FleetUpgradeClusterStatus cluster, CancellationToken cancellationToken)
        {
            await UpdateAsync(() => (cluster.State, cluster.Message) = (FleetUpgradeState.Running, "pre-checks"), cancellationToken).ConfigureAwait(false);
            var failure = await RunChecksAsync(wave, cluster.Cluster, wave.PreChecks, isPostCheck: false, cancellationToken).ConfigureAwait(false);
            string? note = null;
            if (failure is null)
            {
                await UpdateAsync(() => cluster.Message = "upgrading", cancellationToken).ConfigureAwait(false);
                try
                {
                    var settings = new ClusterUpgradeOptions { PollInterval = options.Upgrade.PollInterval, Timeout = options.Upgrade.Timeout, WorkerStrategy = wave.Strategy };
                    var upgraded = await _operations.UpgradeAsync(options.ManagementCluster, options.Namespace, cluster.Cluster, wave.KubernetesVersion, settings, cancellationToken)
                        .ConfigureAwait(false);
                    if (!upgraded.Rolled) note = "Workers (OnDelete) take the version as their machines are deleted.";
                    failure = await RunChecksAsync(wave, cluster.Cluster, wave.PostChecks, isPostCheck: true, cancellationToken).ConfigureAwait(false);
                }
                catch (FleetException ex)
                {
                    failure = $"the upgrade failed: {ex.Message}";
                }
            }
            await UpdateAsync(() => (cluster.State, cluster.Message, cluster.Finished) =
                (failure is null ? FleetUpgradeState.Succeeded : FleetUpgradeState.Failed, failure ?? note, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
            return failure is null;
        }

        /// <summary>Runs checks in order; the first failure as "pre-check 'x' failed: why", or null when all passed.</summary>
        private async Task<string?> RunChecksAsync(FleetUpgradeWave wave, string cluster, IReadOnlyList<string> checks, bool isPostCheck, CancellationToken cancellationToken)
        {
            var context = new UpgradeCheckContext(cluster, fleet.GetValueOrDefault(cluster), wave, isPostCheck);
            foreach (var check in checks)
            {
                string? problem;
                try
                {
                    problem = check.ToLowerInvariant() switch
                    {
                        "clusterhealth" => await HealthAsync(context, cancellationToken).ConfigureAwait(false),
                        "versionskew" => await VersionSkewAsync(context, cancellationToken).ConfigureAwait(false),
                        "podsecurity" => await PodSecurityAsync(context, cancellationToken).ConfigureAwait(false),
                        _ => await options.Checks.First(c => string.Equals(c.Key, check, StringComparison.OrdinalIgnoreCase)).Value(context, cancellationToken)
                            .ConfigureAwait(false),
                    };
                }
                catch (FleetException ex)
                {
                    problem = ex.Message;
                }
                if (problem is not null)
                {
                    _reporter.Verbose($"{cluster}: {(isPostCheck ? "post" : "pre")}-check '{check}' failed: {problem}");
                    return $"{(isPostCheck ? "post" : "pre")}-check '{check}' failed: {problem}";
                }
                _reporter.Verbose($"{cluster}: {(isPostCheck ? "post" : "pre")}-check '{check}' passed");
            }
            return null;
        }

        private async Task<string?> HealthAsync(UpgradeCheckContext context, CancellationToken cancellationToken)
        {
            if (context.FleetCluster is not { } target) return NotInFleet(context.Cluster);
            var health = await new ClusterHealthService(owner.Connector).CheckAsync(target, options.Health, cancellationToken).ConfigureAwait(false);
            return health.Status == FleetHealthStatus.Healthy ? null : $"cluster '{context.Cluster}' is {health.Status}: {health.Reason ?? health.ReadyzResult}";
        }

        /// <summary>Before: the version rules (no skipped minor, worker skew). After: the cluster's API server reports the version.</summary>
        private async Task<string?> VersionSkewAsync(UpgradeCheckContext context, CancellationToken cancellationToken)
        {
            if (!context.IsPostCheck)
            {
                await _operations.CheckUpgradeAsync(options.ManagementCluster, options.Namespace, context.Cluster, context.Wave.KubernetesVersion, cancellationToken)
                    .ConfigureAwait(false);
                return null;
            }
            if (context.FleetCluster is not { } target) return NotInFleet(context.Cluster);
            var health = await new ClusterHealthService(owner.Connector).CheckAsync(target, options.Health, cancellationToken).ConfigureAwait(false);
            return health.ServerVersion == context.Wave.KubernetesVersion ? null
                : $"cluster '{context.Cluster}' reports {health.ServerVersion ?? "no version"} ({health.Status}), not {context.Wave.KubernetesVersion}";
        }

        private static readonly ResourceType NamespaceType = new("", "v1", "Namespace", "namespaces", false);
        private static readonly string[] SystemNamespaces = ["kube-system", "kube-public", "kube-node-lease"];

        /// <summary>Every namespace outside Kubernetes' own has pod-security.kubernetes.io/enforce, so the new version admits pods as before.</summary>
        private async Task<string?> PodSecurityAsync(UpgradeCheckContext context, CancellationToken cancellationToken)
        {
            if (context.FleetCluster is not { } target) return NotInFleet(context.Cluster);
            var client = ClusterResources.For(owner.Connector.Connect(target), null).Client;
            var namespaces = await client.ListAsync(NamespaceType, null, null, cancellationToken).ConfigureAwait(false);
            var unlabelled = namespaces.Where(n => !SystemNamespaces.Contains(n.Name) && !n.Labels.ContainsKey("pod-security.kubernetes.io/enforce"))
                .Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
            return unlabelled.Count == 0 ? null
                : $"cluster '{context.Cluster}' has {unlabelled.Count} namespace{(unlabelled.Count == 1 ? "" : "s")} without a pod-security.kubernetes.io/enforce label: {string.Join(", ", unlabelled.Take(5))}{(unlabelled.Count > 5 ? ", ..." : "")}";
        }

        private static string NotInFleet(string cluster) =>
            $"cluster '{cluster}' is not in the session's fleet, so it cannot be reached (Get-FleetClusterCredential -Merge adds it)";

        /// <summary>Changes the status and writes the checkpoint, one change at a time.</summary>
        private async Task UpdateAsync(Action change, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                change();
                await _checkpoint.WriteAsync(rollout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
