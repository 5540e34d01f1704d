using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Workloads;

namespace MultiCluster.Engine.Configuration;

/// <summary>One synced object on one cluster, with the ShouldProcess text (keys, never values).</summary>
public sealed record SecretSyncTarget(FleetCluster Cluster, SyncedObject Object)
{
    public string Description => $"Cluster {Cluster.Name}: sync {Object.Describe(null)}";

    public override string ToString() => Description;
}

/// <summary>How Sync-FleetSecret runs.</summary>
public sealed record SecretSyncOptions
{
    /// <summary>Server-side dry run: report what would change, change nothing.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Restart the Deployments that use a copy whose content changed (kubectl rollout restart).</summary>
    public bool RolloutRestart { get; init; }

    /// <summary>The clusters in order, one wave each; empty means one wave of every target.</summary>
    public IReadOnlyList<IReadOnlyList<FleetCluster>> Waves { get; init; } = [];

    /// <summary>How long a wave's restarted Deployments may take to become ready.</summary>
    public TimeSpan WaveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// Keeps Secrets and ConfigMaps the same across clusters: applies copies through
/// <see cref="ApplyService"/> (server-side apply, the module's field manager, taking back fields a
/// hand edit took), restarts the Deployments that use a changed copy wave by wave, prunes copies
/// no longer wanted through <see cref="DeleteService"/>'s circuit breaker, and compares copies with
/// their source by content hash. Values are read only to hash them and to build request bodies.
/// </summary>
public sealed class SecretSyncService
{
    private const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
    private static readonly ResourceType DeploymentType = new("apps", "v1", "Deployment", "deployments", true);

    private readonly IClusterConnector _connector;
    private readonly ApplyService _apply;
    private readonly DeleteService _delete;

    public SecretSyncService(IClusterConnector connector)
    {
        _connector = connector;
        _apply = new ApplyService(connector);
        _delete = new DeleteService(connector);
    }

    /// <summary>Every object on every cluster but the skipped source; contacts no cluster.</summary>
    public static IReadOnlyList<SecretSyncTarget> Plan(IReadOnlyList<FleetCluster> clusters, SecretSyncSource source) =>
        clusters.Where(c => c.Name != source.SkippedCluster)
            .SelectMany(c => source.Objects.Select(o => new SecretSyncTarget(c, o)))
            .ToList();

    /// <summary>
    /// The targets' clusters split into ordered waves (-Wave): each cluster in the first wave that
    /// picks it. Throws SecretWaveInvalid when a wave picks nothing new or a cluster is in no wave.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<FleetCluster>> SplitWaves(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<ClusterPlacement> waves)
    {
        var assigned = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<FleetCluster>>();
        for (var i = 0; i < waves.Count; i++)
        {
            var picked = ClusterSelector.Select(clusters, waves[i]).Clusters.Where(c => assigned.Add(c.Name)).ToList();
            if (picked.Count == 0) throw WaveInvalid($"wave {i + 1}", $"Wave {i + 1} selects no target cluster that an earlier wave did not take.");
            result.Add(picked);
        }
        var left = clusters.Where(c => !assigned.Contains(c.Name)).Select(c => c.Name).ToList();
        if (left.Count > 0) throw WaveInvalid("(waves)", $"The clusters {string.Join(", ", left)} are in no wave; add them to a wave, or end with a wave of '*'.");
        return result;
    }

    private static FleetInputException WaveInvalid(string target, string message) =>
        new(ConfigurationErrorIds.SecretWaveInvalid, FleetErrorCategory.InvalidArgument, target, message,
            recommendedAction: "Give -Wave as ordered groups of cluster names (wildcards), labels or regions that together cover the target clusters.");

    /// <summary>
    /// Applies (or previews) the confirmed targets wave by wave; with <see cref="SecretSyncOptions.RolloutRestart"/>
    /// restarts each wave's Deployments that use a copy whose content changed and waits for them to
    /// be ready before the next wave. One result per target and per restarted Deployment.
    /// </summary>
    public async IAsyncEnumerable<FleetSecretSyncResult> SyncAsync(IReadOnlyList<SecretSyncTarget> confirmed, SecretSyncOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var waves = options.Waves.Count > 0
            ? options.Waves.Select(w => w.Where(c => confirmed.Any(t => t.Cluster.Name == c.Name)).ToList()).Where(w => w.Count > 0).ToList()
            : [confirmed.Select(t => t.Cluster).DistinctBy(c => c.Name).ToList()];
        for (var number = 1; number <= waves.Count; number++)
        {
            var names = waves[number - 1].Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var wave = confirmed.Where(t => names.Contains(t.Cluster.Name)).ToList();
            if (waves.Count > 1) FleetCallContext.Reporter.Verbose($"Wave {number} of {waves.Count}: {string.Join(", ", names)}.");
            var changed = new List<SecretSyncTarget>();
            await foreach (var result in ApplyWaveAsync(wave, options, cancellationToken).ConfigureAwait(false))
            {
                if (result.Action is FleetResourceAction.Configured or FleetResourceAction.WouldChange)
                    changed.Add(wave.First(t => t.Cluster.Name == result.Cluster && t.Object.Name == result.Name));
                yield return result;
            }
            if (!options.RolloutRestart || changed.Count == 0) continue;

            var restarted = new List<FleetSecretSyncResult>();
            await foreach (var result in RestartAsync(changed, options, cancellationToken).ConfigureAwait(false))
            {
                if (result.Action == FleetResourceAction.Configured) restarted.Add(result);
                yield return result;
            }
            if (options.WhatIf || restarted.Count == 0) continue;
            var notReady = await WaitUntilReadyAsync(restarted, wave.Select(t => t.Cluster).DistinctBy(c => c.Name).ToDictionary(c => c.Name, StringComparer.Ordinal), options, cancellationToken).ConfigureAwait(false);
            foreach (var late in notReady) yield return late;
            if (notReady.Count > 0)
            {
                var rest = waves.Skip(number).SelectMany(w => w).Select(c => c.Name).ToList();
                if (rest.Count > 0) FleetCallContext.Reporter.Warning($"Wave {number} did not become ready; the later waves ({string.Join(", ", rest)}) were not synced.");
                yield break;
            }
        }
    }

    private async IAsyncEnumerable<FleetSecretSyncResult> ApplyWaveAsync(IReadOnlyList<SecretSyncTarget> wave, SecretSyncOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Rendered here, as the requests are built, once per object for the wave.
        var rendered = wave.Select(t => t.Object).Distinct().ToDictionary(o => o, o => o.Render());
        var work = wave.GroupBy(t => t.Cluster.Name, StringComparer.Ordinal)
            .Select(g => new ClusterObjects(g.First().Cluster, g.Select(t => rendered[t.Object]).ToList()))
            .ToList();
        var targets = _apply.Plan(work);
        var applyOptions = new ApplyOptions { WhatIf = options.WhatIf, ForceConflicts = true, FanOut = options.FanOut with { Activity = options.WhatIf ? "Previewing secret sync" : "Syncing secrets" } };
        await foreach (var result in _apply.ApplyAsync(targets, applyOptions, cancellationToken).ConfigureAwait(false))
        {
            var target = wave.First(t => t.Cluster.Name == result.Cluster && t.Object.Name == result.Name);
            yield return new FleetSecretSyncResult
            {
                Cluster = result.Cluster,
                Kind = target.Object.Kind,
                Namespace = result.Namespace ?? target.Object.Namespace ?? "",
                Name = result.Name,
                Action = result.Action,
                Keys = target.Object.Keys,
                ContentHash = target.Object.ContentHash,
                Source = target.Object.Source,
                // The apply's own message names changed paths (data.<key>), never values.
                Message = result.Message,
                Error = result.Error,
            };
        }
    }

    private IAsyncEnumerable<FleetSecretSyncResult> RestartAsync(IReadOnlyList<SecretSyncTarget> changed, SecretSyncOptions options,
        CancellationToken cancellationToken)
    {
        var byCluster = changed.GroupBy(t => t.Cluster.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var restartedAt = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return FleetRunner.RunAsync<FleetSecretSyncResult>(
            byCluster.Values.Select(v => v[0].Cluster).ToList(),
            options.FanOut with { Activity = options.WhatIf ? "Previewing restarts" : "Restarting Deployments" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(_connector.Connect(cluster), null);
                foreach (var group in byCluster[cluster.Name].GroupBy(t => t.Object.Namespace ?? resources.Connection.DefaultNamespace))
                {
                    var deployments = await resources.Client.ListAsync(DeploymentType, group.Key, null, token).ConfigureAwait(false);
                    foreach (var deployment in deployments.OrderBy(d => d.Name, StringComparer.Ordinal))
                    {
                        var used = DeploymentReferences.Used(deployment);
                        var uses = group.Where(t => used.Contains((t.Object.Kind, t.Object.Name))).Select(t => $"{t.Object.Kind} {t.Object.Name}").ToList();
                        if (uses.Count == 0) continue;
                        var because = $"uses the changed {string.Join(", ", uses)}";
                        if (!options.WhatIf) await PatchRestartAsync(resources, deployment, restartedAt, token).ConfigureAwait(false);
                        await sink.EmitAsync(new FleetSecretSyncResult
                        {
                            Cluster = cluster.Name, Kind = "Deployment", Namespace = group.Key, Name = deployment.Name,
                            Action = options.WhatIf ? FleetResourceAction.WouldChange : FleetResourceAction.Configured,
                            Message = (options.WhatIf ? "Would restart: " : "Restarted: ") + because + ".",
                        }).ConfigureAwait(false);
                    }
                }
            },
            (cluster, error, _) => [new FleetSecretSyncResult
            {
                Cluster = cluster.Name, Kind = "Deployment", Action = FleetResourceAction.Failed, Message = error.Message, Error = error,
            }],
            cancellationToken);
    }

    // What kubectl rollout restart does: a new pod-template annotation, so the Deployment rolls its pods.
    private static async Task PatchRestartAsync(ClusterResources resources, KubeObject deployment, string restartedAt, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RestartedAtAnnotation] = restartedAt } } } },
        };
        var path = DeploymentType.ObjectPath(deployment.Namespace, deployment.Name) + $"?fieldManager={ResourceClient.FieldManager}";
        var response = await resources.Api.SendAsync(HttpMethod.Patch, path, patch.ToJsonString(), "application/strategic-merge-patch+json", cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, resources.Name, $"apps/v1 Deployment {deployment.Namespace}/{deployment.Name}");
    }

    /// <summary>Polls the restarted Deployments until all are ready or the wave's time is up; a Failed result per one that is not.</summary>
    private async Task<IReadOnlyList<FleetSecretSyncResult>> WaitUntilReadyAsync(IReadOnlyList<FleetSecretSyncResult> restarted,
        IReadOnlyDictionary<string, FleetCluster> clusters, SecretSyncOptions options, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var pending = restarted.ToList();
        var reasons = new Dictionary<FleetSecretSyncResult, string>();
        while (true)
        {
            var stillPending = new List<FleetSecretSyncResult>();
            foreach (var result in pending)
            {
                var (ready, reason) = await ReadinessAsync(clusters[result.Cluster], result, cancellationToken).ConfigureAwait(false);
                if (!ready)
                {
                    stillPending.Add(result);
                    reasons[result] = reason;
                }
            }
            pending = stillPending;
            FleetCallContext.Reporter.Progress(null, "Waiting for restarted Deployments", $"{restarted.Count - pending.Count}/{restarted.Count} ready", -1);
            if (pending.Count == 0 || waited.Elapsed >= options.WaveTimeout) break;
            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
        FleetCallContext.Reporter.Progress(null, "Waiting for restarted Deployments", "done", 100, completed: true);
        return pending.Select(r =>
        {
            var error = new FleetClusterException(ConfigurationErrorIds.SecretRolloutNotReady, FleetErrorCategory.OperationTimeout, r.Cluster,
                $"Deployment {r.Namespace}/{r.Name} on cluster '{r.Cluster}' was not ready {Math.Round(options.WaveTimeout.TotalSeconds)} s after its restart: {reasons[r]}.",
                recommendedAction: "Look at its pods (kubectl describe), or give the wave longer with -WaveTimeoutSeconds.",
                objectRef: $"Deployment {r.Namespace}/{r.Name}");
            return new FleetSecretSyncResult
            {
                Cluster = r.Cluster, Kind = r.Kind, Namespace = r.Namespace, Name = r.Name, Action = FleetResourceAction.Failed,
                Message = error.Message, Error = error,
            };
        }).ToList();
    }

    private async Task<(bool Ready, string Reason)> ReadinessAsync(FleetCluster cluster, FleetSecretSyncResult restarted, CancellationToken cancellationToken)
    {
        try
        {
            var resources = ClusterResources.For(_connector.Connect(cluster), null);
            var live = await resources.Client.GetAsync(DeploymentType, restarted.Namespace, restarted.Name, cancellationToken).ConfigureAwait(false);
            if (live is null) return (false, "it is gone");
            var state = RolloutState.Read(live);
            return (state.Ready, $"{state.ReadyReplicas ?? 0}/{state.DesiredReplicas ?? 0} ready, {state.UpdatedReplicas ?? 0} updated");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (false, "cannot be read (" + KubernetesErrors.Translate(ex, restarted.Cluster, null, cancellationToken).Message + ")");
        }
    }

    /// <summary>
    /// Plans removing this sync's copies the source no longer has: objects of the kind in the
    /// copies' namespace carrying the managed-by label and this sync's <see cref="SyncedObject.SyncSetLabel"/>
    /// whose names the source lacks. The delete circuit breaker applies as to every delete.
    /// </summary>
    public async Task<DeletePlan> PlanPruneAsync(IReadOnlyList<FleetCluster> clusters, SecretSyncSource source, string kind, string? ns,
        DeleteOptions options, CancellationToken cancellationToken = default)
    {
        var syncSets = source.Objects.Select(o => o.SyncSet).Distinct(StringComparer.Ordinal).ToList();
        var targets = new List<FleetTarget>();
        var known = new List<FleetResourceResult>();
        foreach (var syncSet in syncSets)
        {
            var query = new ResourceQuery
            {
                ApiVersion = "v1", Kind = kind, Namespace = ns, LabelSelector = $"{KubeObject.ManagedByLabel}={KubeObject.ManagedByValue},{SyncedObject.SyncSetLabel}={syncSet}",
            };
            var found = await _delete.PlanAsync(clusters.Where(c => c.Name != source.SkippedCluster).ToList(), query, options.Unlimited(), cancellationToken)
                .ConfigureAwait(false);
            targets.AddRange(found.Targets.Where(t => IsCopy(t.Object, syncSet) && !source.SourceNames.Contains(t.Object.Name)));
            known.AddRange(found.KnownResults.Where(r => r.Action == FleetResourceAction.Failed));
        }
        var plan = new DeletePlan(targets, known);
        DeleteService.CheckCircuitBreaker(plan, clusters.Count, options, $"{kind} copies the source no longer has");
        return plan;
    }

    public IAsyncEnumerable<FleetResourceResult> PruneAsync(IEnumerable<FleetTarget> targets, DeleteOptions options, CancellationToken cancellationToken = default) =>
        _delete.DeleteAsync(targets, options, cancellationToken);

    /// <summary>
    /// Per cluster and object, InSync, Missing or Stale (the copy's content, recomputed, or its
    /// annotation differs from the source's hash), and Extra for this sync's copies the source no
    /// longer has. An unreadable cluster gives Unknown per object.
    /// </summary>
    public IAsyncEnumerable<FleetSecretStatus> TestAsync(IReadOnlyList<FleetCluster> clusters, SecretSyncSource source, FanOutOptions options,
        CancellationToken cancellationToken = default)
    {
        var objects = source.Objects;
        var sourceHashes = objects.ToDictionary(o => o, o => o.ContentHash);
        return FleetRunner.RunAsync<FleetSecretStatus>(
            clusters.Where(c => c.Name != source.SkippedCluster).ToList(),
            options with { Activity = "Comparing synced secrets" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(_connector.Connect(cluster), null);
                var listed = new Dictionary<(string Kind, string Namespace), IReadOnlyList<KubeObject>>();
                foreach (var obj in objects)
                {
                    var ns = obj.Namespace ?? resources.Connection.DefaultNamespace;
                    if (!listed.TryGetValue((obj.Kind, ns), out var live))
                        listed[(obj.Kind, ns)] = live = await resources.Client.ListAsync(SecretSources.TypeOf(obj.Kind), ns, null, token).ConfigureAwait(false);
                    await sink.EmitAsync(Compare(cluster.Name, obj, ns, sourceHashes[obj], live.FirstOrDefault(l => l.Name == obj.Name))).ConfigureAwait(false);
                }
                foreach (var ((kind, ns), live) in listed)
                {
                    var syncSets = objects.Where(o => o.Kind == kind).Select(o => o.SyncSet).ToHashSet(StringComparer.Ordinal);
                    foreach (var extra in live.Where(l => syncSets.Any(s => IsCopy(l, s)) && !source.SourceNames.Contains(l.Name) && !objects.Any(o => o.Name == l.Name))
                                 .OrderBy(l => l.Name, StringComparer.Ordinal))
                    {
                        await sink.EmitAsync(new FleetSecretStatus
                        {
                            Cluster = cluster.Name, Kind = kind, Namespace = ns, Name = extra.Name, Status = FleetSecretState.Extra,
                            AnnotatedHash = extra.Annotations.GetValueOrDefault(SyncedObject.HashAnnotation) ?? "",
                            ActualHash = SyncedObject.ActualHash(extra),
                            Message = $"A copy from {extra.Annotations.GetValueOrDefault(SyncedObject.SourceAnnotation) ?? "this source"} that the source no longer has; -Prune removes it.",
                        }).ConfigureAwait(false);
                    }
                }
            },
            (cluster, error, emitted) => objects.Where(o => !emitted.Any(e => e.Name == o.Name && e.Kind == o.Kind)).Select(o => new FleetSecretStatus
            {
                Cluster = cluster.Name, Kind = o.Kind, Namespace = o.Namespace ?? "", Name = o.Name, Status = FleetSecretState.Unknown,
                SourceHash = sourceHashes[o], Message = error.Message, Error = error,
            }),
            cancellationToken);
    }

    private static FleetSecretStatus Compare(string cluster, SyncedObject obj, string ns, string sourceHash, KubeObject? live)
    {
        FleetSecretStatus Status(FleetSecretState state, string annotated, string actual, string? message) => new()
        {
            Cluster = cluster, Kind = obj.Kind, Namespace = ns, Name = obj.Name, Status = state,
            SourceHash = sourceHash, AnnotatedHash = annotated, ActualHash = actual, Message = message,
        };
        if (live is null) return Status(FleetSecretState.Missing, "", "", $"{obj.Kind} {ns}/{obj.Name} is not on the cluster.");
        var annotated = live.Annotations.GetValueOrDefault(SyncedObject.HashAnnotation) ?? "";
        var actual = SyncedObject.ActualHash(live);
        if (actual == sourceHash && annotated == sourceHash) return Status(FleetSecretState.InSync, annotated, actual, null);
        var message = actual != annotated
            ? annotated.Length == 0
                ? "Its content differs from the source's, and it carries no content-hash annotation (the module did not sync it)."
                : "Its content differs from what the last sync wrote (edited by hand, or by something else)."
            : "It holds an earlier content of the source.";
        return Status(FleetSecretState.Stale, annotated, actual, message);
    }

    // The selector already asks for both labels; checking again guards against a server that ignores selectors.
    private static bool IsCopy(KubeObject obj, string syncSet) =>
        obj.Labels.GetValueOrDefault(KubeObject.ManagedByLabel) == KubeObject.ManagedByValue
        && obj.Labels.GetValueOrDefault(SyncedObject.SyncSetLabel) == syncSet;
}
