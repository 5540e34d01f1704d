using MultiCluster.Engine.Connections;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// Carries out planned workloads on their clusters: publish (server-side apply of each cluster's
/// rendered object, or a server-side dry run with WhatIf), prune and remove (through
/// <see cref="DeleteService"/> and its circuit breaker), status per cluster, and drift.
/// </summary>
public sealed class WorkloadService
{
    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly ApplyService _apply;
    private readonly DeleteService _delete;

    public WorkloadService(IClusterConnector connector) : this(connector, null) { }

    internal WorkloadService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _apply = new ApplyService(connector, apiFactory);
        _delete = new DeleteService(connector, apiFactory);
    }

    /// <summary>The (cluster, rendered object) targets of a publish, for ShouldProcess. Contacts no cluster.</summary>
    public IReadOnlyList<FleetTarget> PlanPublish(IReadOnlyList<WorkloadPlan> plans) =>
        plans.SelectMany(p => p.Work).Select(w => new FleetTarget(w.Cluster, w.Object, "publish", w.Object.Namespace)).ToList();

    /// <summary>
    /// Applies each target's object to its cluster; one result per target, streamed. Conflicts are
    /// always forced: the template owns the fields it sets, so a field someone changed by hand is
    /// drift to heal, not a reason to stop.
    /// </summary>
    public IAsyncEnumerable<FleetResourceResult> PublishAsync(IEnumerable<FleetTarget> targets, ApplyOptions options,
        CancellationToken cancellationToken = default) =>
        _apply.ApplyAsync(targets, options with { ForceConflicts = true }, cancellationToken);

    /// <summary>
    /// Reads what each target's object is now, before a wave is published, so the wave can be
    /// rolled back (-OnFailure Rollback). Changes nothing.
    /// </summary>
    public async Task<WorkloadSnapshot> SnapshotAsync(IReadOnlyList<FleetTarget> targets, FanOutOptions options, CancellationToken cancellationToken = default)
    {
        var byCluster = targets.GroupBy(t => t.Cluster.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var entries = new List<SnapshotEntry>();
        var failures = new List<FleetResourceResult>();
        var outcomes = FleetRunner.RunAsync<(SnapshotEntry? Entry, FleetResourceResult? Failure)>(
            targets.Select(t => t.Cluster).DistinctBy(c => c.Name, StringComparer.Ordinal).ToList(),
            options,
            async (cluster, sink, token) =>
            {
                var resources = Resources(cluster);
                foreach (var target in byCluster[cluster.Name])
                {
                    var type = await resources.Discovery.ResolveAsync(target.Object.ApiVersion, target.Object.Kind, token).ConfigureAwait(false);
                    var prepared = ApplyService.Prepare(target.Object, type, resources.Connection.DefaultNamespace);
                    var live = await resources.Client.GetAsync(type, prepared.Namespace, prepared.Name, token).ConfigureAwait(false);
                    sink.Emit((new SnapshotEntry(cluster, prepared, live), null));
                }
            },
            (cluster, error, _) => byCluster[cluster.Name].Select(t => ((SnapshotEntry?)null, (FleetResourceResult?)ApplyService.Failed(cluster.Name, t.Object, error, TimeSpan.Zero))),
            cancellationToken);
        await foreach (var (entry, failure) in outcomes.ConfigureAwait(false))
        {
            if (entry is not null) entries.Add(entry);
            if (failure is not null) failures.Add(failure);
        }
        // A cluster that failed part-way has no trustworthy snapshot at all.
        var failed = failures.Select(f => f.Cluster).ToHashSet(StringComparer.Ordinal);
        return new WorkloadSnapshot(entries.Where(e => !failed.Contains(e.Cluster.Name)).ToList(), failures);
    }

    /// <summary>
    /// Puts a snapshot back: of objects that existed, the fields the module had applied are applied
    /// as they were (forced, so fields the wave added are dropped; fields other managers own are
    /// left to them, see <see cref="OwnedFields"/>), objects the wave created are deleted. One result per object.
    /// </summary>
    public async IAsyncEnumerable<FleetResourceResult> RollbackAsync(WorkloadSnapshot snapshot, ApplyOptions options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var restore = snapshot.Entries.Where(e => e.Previous is not null)
            .Select(e => new FleetTarget(e.Cluster, OwnedFields.Restorable(e.Previous!), "restore", e.Previous!.Namespace)).ToList();
        var created = snapshot.Entries.Where(e => e.Previous is null)
            .Select(e => new FleetTarget(e.Cluster, e.Desired, "delete", e.Desired.Namespace)).ToList();
        if (restore.Count > 0)
        {
            await foreach (var result in _apply.ApplyAsync(restore, options with { ForceConflicts = true }, cancellationToken).ConfigureAwait(false))
                yield return result;
        }
        if (created.Count > 0)
        {
            var deleteOptions = new DeleteOptions { WhatIf = options.WhatIf, FanOut = options.FanOut };
            await foreach (var result in _delete.DeleteAsync(created, deleteOptions, cancellationToken).ConfigureAwait(false))
                yield return result;
        }
    }

    /// <summary>
    /// Plans removing the workload from clusters of the plan's fleet that carry its workload label but
    /// are no longer placed. Reads those clusters; one that cannot be read is a Failed known result,
    /// never taken for one without the workload. Throws DeletionLimitExceeded past the circuit breaker.
    /// </summary>
    public Task<DeletePlan> PlanPruneAsync(WorkloadPlan plan, DeleteOptions options, CancellationToken cancellationToken = default)
    {
        var placed = plan.Work.Select(w => w.Cluster.Name).ToHashSet(StringComparer.Ordinal);
        var outside = plan.Fleet.Where(c => !placed.Contains(c.Name)).ToList();
        if (outside.Count == 0) return Task.FromResult(new DeletePlan([], []));
        return PlanRemoveAsync(WorkloadReference.Of(plan), outside, options with { FleetSize = options.FleetSize ?? plan.Fleet.Count }, cancellationToken);
    }

    /// <summary>Plans removing the workload from every given cluster that carries its label (Remove-FleetWorkload).</summary>
    public Task<DeletePlan> PlanRemoveAsync(WorkloadReference workload, IReadOnlyList<FleetCluster> clusters, DeleteOptions options,
        CancellationToken cancellationToken = default) =>
        _delete.PlanAsync(clusters, Query(workload), options, cancellationToken);

    /// <summary>Deletes (or dry-runs deleting) the confirmed targets of a prune or remove plan.</summary>
    public IAsyncEnumerable<FleetResourceResult> DeleteAsync(IEnumerable<FleetTarget> targets, DeleteOptions options,
        CancellationToken cancellationToken = default) =>
        _delete.DeleteAsync(targets, options, cancellationToken);

    /// <summary>The workload on each placed cluster: present, generation, replicas ready.</summary>
    public IAsyncEnumerable<FleetWorkloadStatus> GetStatusAsync(WorkloadPlan plan, FanOutOptions options, CancellationToken cancellationToken = default) =>
        GetStatusAsync(WorkloadReference.Of(plan), plan.PlacedClusters, options, cancellationToken);

    /// <summary>
    /// Polls the status of each workload on its clusters until all are ready or
    /// <see cref="ReadinessWait.Timeout"/> passes (Get-FleetWorkload -Wait, and each wave of
    /// Publish-FleetWorkload -Wave), reporting progress, and returns the last statuses either way:
    /// the caller reports the ones still not ready. A cluster that cannot be read counts as not ready.
    /// </summary>
    public async Task<IReadOnlyList<FleetWorkloadStatus>> WaitUntilReadyAsync(IReadOnlyList<WorkloadOnClusters> awaited, ReadinessWait wait,
        CancellationToken cancellationToken = default)
    {
        var reporter = FleetCallContext.Reporter;
        var total = awaited.Sum(a => a.Clusters.Count);
        var deadline = wait.Timeout is { } timeout ? DateTimeOffset.UtcNow + timeout : DateTimeOffset.MaxValue;
        while (true)
        {
            var statuses = new List<FleetWorkloadStatus>();
            foreach (var (workload, clusters) in awaited)
            {
                await foreach (var status in GetStatusAsync(workload, clusters, wait.FanOut, cancellationToken).ConfigureAwait(false))
                    statuses.Add(status);
            }
            var ready = statuses.Count(s => s.Ready);
            var remaining = deadline - DateTimeOffset.UtcNow;
            var done = ready == total || remaining <= TimeSpan.Zero;
            reporter.Progress(null, wait.Activity, $"{ready} of {total} ready", total == 0 ? 100 : ready * 100 / total, completed: done);
            if (done) return statuses;
            // The last poll falls on the deadline itself.
            await Task.Delay(remaining < wait.PollInterval ? remaining : wait.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The workload on each given cluster. A cluster that cannot be read yields a status with Present null and the error.</summary>
    public IAsyncEnumerable<FleetWorkloadStatus> GetStatusAsync(WorkloadReference workload, IReadOnlyList<FleetCluster> clusters, FanOutOptions options,
        CancellationToken cancellationToken = default) =>
        FleetRunner.RunAsync<FleetWorkloadStatus>(
            clusters,
            options,
            async (cluster, sink, token) =>
            {
                var resources = Resources(cluster);
                var type = await resources.Discovery.ResolveAsync(workload.ApiVersion, workload.Kind, token).ConfigureAwait(false);
                var ns = type.Namespaced ? workload.Namespace ?? resources.Connection.DefaultNamespace : null;
                var live = await resources.Client.GetAsync(type, ns, workload.Name, token).ConfigureAwait(false);
                sink.Emit(WorkloadStatusReader.Read(cluster.Name, workload, ns, live));
            },
            (cluster, error, _) => [new FleetWorkloadStatus
            {
                Cluster = cluster.Name, Workload = workload.Name, ApiVersion = workload.ApiVersion, Kind = workload.Kind,
                Namespace = workload.Namespace, Name = workload.Name, Present = null, Error = error,
            }],
            cancellationToken);

    /// <summary>
    /// Drift of every cluster of the plan's fleet: on placed clusters, each field the next publish
    /// would change (found with a server-side dry run, so server defaults are no drift) or the
    /// object missing; elsewhere, the workload present though not placed. A cluster that cannot be
    /// read yields one Unknown drift with the error. Changes nothing.
    /// </summary>
    public IAsyncEnumerable<FleetDrift> CompareAsync(WorkloadPlan plan, FanOutOptions options, CancellationToken cancellationToken = default)
    {
        var workload = WorkloadReference.Of(plan);
        var work = plan.Work.ToDictionary(w => w.Cluster.Name, StringComparer.Ordinal);
        return FleetRunner.RunAsync<FleetDrift>(
            plan.Fleet,
            options,
            async (cluster, sink, token) =>
            {
                var resources = Resources(cluster);
                var drifts = work.TryGetValue(cluster.Name, out var placed)
                    ? await ComparePlacedAsync(resources, workload, placed.Object, token).ConfigureAwait(false)
                    : await FindUnplacedAsync(resources, workload, token).ConfigureAwait(false);
                foreach (var drift in drifts) sink.Emit(drift);
            },
            (cluster, error, _) => [Drift(cluster.Name, workload, workload.Namespace, FleetDriftType.Unknown,
                $"Cannot read cluster '{cluster.Name}', so its drift is unknown: {error.Message}", error: error)],
            cancellationToken);
    }

    private static async Task<IReadOnlyList<FleetDrift>> ComparePlacedAsync(ClusterResources resources, WorkloadReference workload, KubeObject desired,
        CancellationToken cancellationToken)
    {
        var type = await resources.Discovery.ResolveAsync(desired.ApiVersion, desired.Kind, cancellationToken).ConfigureAwait(false);
        var prepared = ApplyService.Prepare(desired, type, resources.Connection.DefaultNamespace);
        var live = await resources.Client.GetAsync(type, prepared.Namespace, prepared.Name, cancellationToken).ConfigureAwait(false);
        if (live is null)
        {
            return [Drift(resources.Name, workload, prepared.Namespace, FleetDriftType.Missing,
                $"Cluster '{resources.Name}' is placed but has no {prepared.Reference}.")];
        }
        var wouldBe = await resources.Client.ApplyAsync(type, prepared, forceConflicts: true, dryRun: true, cancellationToken).ConfigureAwait(false);
        return ObjectDiff.Compare(live.Json, wouldBe.Object.Json)
            .Select(change => Drift(resources.Name, workload, prepared.Namespace, FleetDriftType.Changed,
                $"{change.Path} is {Show(change.Before)} on the cluster; the workload says {Show(change.After)}.",
                change.Path, change.After, change.Before))
            .ToList();
    }

    private static async Task<IReadOnlyList<FleetDrift>> FindUnplacedAsync(ClusterResources resources, WorkloadReference workload, CancellationToken cancellationToken)
    {
        var found = await FleetResourceReader.FindAsync(resources, Query(workload), cancellationToken).ConfigureAwait(false);
        return found.Objects
            .Select(obj => Drift(resources.Name, workload, obj.Namespace, FleetDriftType.NotPlaced,
                $"Cluster '{resources.Name}' holds {obj.Reference} but is not in the workload's placement (prune removes it)."))
            .ToList();
    }

    private ClusterResources Resources(FleetCluster cluster) => ClusterResources.For(_connector.Connect(cluster), _apiFactory);

    private static ResourceQuery Query(WorkloadReference workload) => new()
    {
        ApiVersion = workload.ApiVersion,
        Kind = workload.Kind,
        Namespace = workload.Namespace,
        LabelSelector = workload.LabelSelector,
    };

    private static FleetDrift Drift(string cluster, WorkloadReference workload, string? ns, FleetDriftType type, string message,
        string? path = null, object? expected = null, object? actual = null, Exception? error = null) => new()
    {
        Cluster = cluster,
        Workload = workload.Name,
        ApiVersion = workload.ApiVersion,
        Kind = workload.Kind,
        Namespace = ns,
        Name = workload.Name,
        DriftType = type,
        Path = path,
        Expected = expected,
        Actual = actual,
        Message = message,
        Error = error,
    };

    private static string Show(object? value) => value switch
    {
        null => "absent",
        string text => $"'{text}'",
        bool flag => flag ? "true" : "false",
        System.Collections.IDictionary => "{...}",
        System.Collections.IList => "[...]",
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
