using System.Runtime.CompilerServices;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>How <see cref="WaveRollout"/> goes through the waves.</summary>
public sealed record WaveRolloutOptions
{
    /// <summary>How long each wave may take to become ready after it is published.</summary>
    public TimeSpan WaveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait after a wave is ready before readiness is checked again and the next wave starts.</summary>
    public TimeSpan BakeTime { get; init; } = TimeSpan.Zero;

    /// <summary>Roll a failed wave back to what its clusters had before it (-OnFailure Rollback).</summary>
    public bool RollbackOnFailure { get; init; }

    /// <summary>Dry-run every wave (server side) without waiting; nothing changes.</summary>
    public bool WhatIf { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// A progressive rollout (Publish-FleetWorkload -Wave): for each wave in order, publish to its
/// clusters, wait until the workloads are ready there, bake, check again; stop at the first wave
/// that cannot be published or does not become (or stay) ready, after rolling that wave back to
/// the snapshot taken before it when asked. Later waves are never touched.
/// </summary>
public sealed class WaveRollout(WorkloadService service)
{
    private const string Activity = "Publish-FleetWorkload";

    /// <summary>
    /// Streams each publish (and rollback) result. <paramref name="log"/> receives one line per
    /// step of each wave. A failed wave ends the stream with a <see cref="FleetException"/>
    /// (WaveFailed) naming the wave, its clusters, why, and the waves not started.
    /// </summary>
    public async IAsyncEnumerable<FleetResourceResult> RunAsync(IReadOnlyList<WorkloadWave> waves, WaveRolloutOptions options, Action<string> log,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reporter = FleetCallContext.Reporter;
        var apply = new ApplyOptions { WhatIf = options.WhatIf, FanOut = options.FanOut };
        for (var index = 0; index < waves.Count; index++)
        {
            var wave = waves[index];
            var title = $"Wave {wave.Number} of {waves.Count} ({Names(wave.Clusters)})";
            var percent = index * 100 / waves.Count;
            if (options.WhatIf)
            {
                log($"{title}: would publish, wait up to {WorkloadReadiness.Seconds(options.WaveTimeout)} for ready, bake {WorkloadReadiness.Seconds(options.BakeTime)}.");
                await foreach (var preview in service.PublishAsync(wave.Targets, apply, cancellationToken).ConfigureAwait(false))
                    yield return preview;
                continue;
            }

            reporter.Progress(null, Activity, $"{title}: publishing", percent);
            WorkloadSnapshot? snapshot = null;
            if (options.RollbackOnFailure)
            {
                snapshot = await service.SnapshotAsync(wave.Targets, options.FanOut, cancellationToken).ConfigureAwait(false);
                foreach (var failure in snapshot.Failures) yield return failure;
                if (!snapshot.IsComplete)
                {
                    throw Failed(waves, wave, title,
                        $"was not published: what {Names(snapshot.Failures.Select(f => f.Cluster))} had before could not be read, so the wave could not be rolled back", "");
                }
            }

            log($"{title}: publishing.");
            var publishFailures = new List<FleetResourceResult>();
            await foreach (var result in service.PublishAsync(wave.Targets, apply, cancellationToken).ConfigureAwait(false))
            {
                if (result.Action == FleetResourceAction.Failed) publishFailures.Add(result);
                yield return result;
            }

            var problem = publishFailures.Count > 0
                ? "could not be published: " + string.Join("; ", publishFailures.Select(f => $"{f.Cluster}: {f.Error?.Message ?? f.Message}"))
                : await ReadinessProblemAsync(wave, title, options, log, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                log($"{title}: done.");
                continue;
            }

            var rolledBack = "";
            if (snapshot is not null)
            {
                log($"{title}: rolling back.");
                reporter.Progress(null, Activity, $"{title}: rolling back", percent);
                var rollbackFailures = new List<FleetResourceResult>();
                await foreach (var result in service.RollbackAsync(snapshot, new ApplyOptions { FanOut = options.FanOut }, cancellationToken).ConfigureAwait(false))
                {
                    if (result.Action == FleetResourceAction.Failed) rollbackFailures.Add(result);
                    yield return result;
                }
                rolledBack = rollbackFailures.Count == 0
                    ? RolledBack(snapshot)
                    : $" Rolling it back failed on {Names(rollbackFailures.Select(f => f.Cluster))} (see the errors).";
            }
            reporter.Progress(null, Activity, title, 100, completed: true);
            throw Failed(waves, wave, title, problem, rolledBack);
        }
        reporter.Progress(null, Activity, "done", 100, completed: true);
    }

    // Null when the wave became ready in time and, after the bake time, still is.
    private async Task<string?> ReadinessProblemAsync(WorkloadWave wave, string title, WaveRolloutOptions options, Action<string> log,
        CancellationToken cancellationToken)
    {
        var wait = new ReadinessWait
        {
            Timeout = options.WaveTimeout, PollInterval = options.PollInterval, FanOut = options.FanOut, Activity = $"{title}: waiting for ready",
        };
        var statuses = await service.WaitUntilReadyAsync(wave.Awaited, wait, cancellationToken).ConfigureAwait(false);
        if (NotReady(statuses) is { } late)
            return $"did not become ready within {WorkloadReadiness.Seconds(options.WaveTimeout)}: {late}";
        if (options.BakeTime <= TimeSpan.Zero) return null;

        log($"{title}: ready; baking {WorkloadReadiness.Seconds(options.BakeTime)}.");
        FleetCallContext.Reporter.Progress(null, Activity, $"{title}: baking {WorkloadReadiness.Seconds(options.BakeTime)}", -1);
        await Task.Delay(options.BakeTime, cancellationToken).ConfigureAwait(false);
        statuses = await service.WaitUntilReadyAsync(wave.Awaited, wait with { Timeout = TimeSpan.Zero }, cancellationToken).ConfigureAwait(false);
        return NotReady(statuses) is { } regressed
            ? $"was ready but no longer after its bake time of {WorkloadReadiness.Seconds(options.BakeTime)}: {regressed}"
            : null;
    }

    private static string RolledBack(WorkloadSnapshot snapshot)
    {
        var restored = snapshot.Entries.Where(e => e.Previous is not null).Select(e => e.Cluster).ToList();
        var created = snapshot.Entries.Where(e => e.Previous is null).Select(e => e.Cluster).ToList();
        var parts = new List<string>();
        if (restored.Count > 0) parts.Add($"the previous template is back on {Names(restored)}");
        if (created.Count > 0) parts.Add($"what it created is deleted again from {Names(created)}");
        return $" It was rolled back: {string.Join("; ", parts)}.";
    }

    private static string? NotReady(IReadOnlyList<FleetWorkloadStatus> statuses)
    {
        var notReady = statuses.Where(s => !s.Ready).Select(WorkloadReadiness.Describe).ToList();
        return notReady.Count == 0 ? null : string.Join("; ", notReady);
    }

    private static FleetException Failed(IReadOnlyList<WorkloadWave> waves, WorkloadWave wave, string title, string problem, string rolledBack)
    {
        var later = waves.Where(w => w.Number > wave.Number).ToList();
        var notStarted = later.Count switch
        {
            0 => "",
            1 => $" Wave {later[0].Number} ({Names(later[0].Clusters)}) was not started.",
            _ => $" Waves {later[0].Number} to {later[^1].Number} ({Names(later.SelectMany(w => w.Clusters))}) were not started.",
        };
        return new FleetException(FederationErrorIds.WaveFailed, FleetErrorCategory.OperationStopped, $"wave {wave.Number}",
            $"{title} {problem}.{rolledBack}{notStarted}",
            recommendedAction: rolledBack.Length > 0 || later.Count == 0
                ? "Fix the workload on the named clusters, then publish again."
                : "Fix the workload on the named clusters and publish again, or use -OnFailure Rollback to undo a failed wave.");
    }

    private static string Names(IEnumerable<FleetCluster> clusters) => Names(clusters.Select(c => c.Name));

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Distinct(StringComparer.Ordinal));
}
