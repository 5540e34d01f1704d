using System.Collections.Concurrent;
using System.Diagnostics;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>How a delete runs, and the circuit breaker that guards it.</summary>
public sealed record DeleteOptions
{
    /// <summary>Report WouldDelete (checked with a server-side dry run) instead of deleting.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Clusters a delete may remove objects from (-MaxClusters). -Force never raises it: it only silences prompts.</summary>
    public int MaxClusters { get; init; } = 1;

    /// <summary>Share of the fleet (0..1) a delete may reach, when it reaches more than one cluster; an explicit -MaxClusters raises it to 1.</summary>
    public double MaxFleetShare { get; init; } = 0.5;

    /// <summary>Objects a delete may remove from any one cluster (-MaxObjects).</summary>
    public int MaxObjects { get; init; } = DefaultMaxObjects;

    /// <summary>
    /// Whether a delete may remove every object of a kind in a namespace (or of a cluster-scoped
    /// kind) when that is more than one object; an explicit -MaxObjects allows it.
    /// </summary>
    public bool AllowEveryObjectOfAKind { get; init; }

    public const int DefaultMaxObjects = 10;

    /// <summary>These options with every limit lifted, for a partial plan whose caller checks the limits over the whole.</summary>
    public DeleteOptions Unlimited() => this with
    {
        MaxClusters = int.MaxValue, MaxFleetShare = 1, MaxObjects = int.MaxValue, AllowEveryObjectOfAKind = true,
    };

    /// <summary>Clusters in the fleet, for <see cref="MaxFleetShare"/>; null means the clusters given to the plan.</summary>
    public int? FleetSize { get; init; }

    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// What a delete would remove: the targets to confirm, and results already known (clusters that
/// could not be read, named objects that are absent), which the cmdlet emits as they are.
/// </summary>
public sealed class DeletePlan
{
    internal DeletePlan(IReadOnlyList<FleetTarget> targets, IReadOnlyList<FleetResourceResult> known)
    {
        Targets = targets;
        KnownResults = known;
    }

    public IReadOnlyList<FleetTarget> Targets { get; }

    /// <summary>Failed (ClusterListFailed) and NotFound results found while planning.</summary>
    public IReadOnlyList<FleetResourceResult> KnownResults { get; }

    /// <summary>Distinct clusters the delete would remove objects from.</summary>
    public int ClusterCount => Targets.Select(t => t.Cluster.Name).Distinct(StringComparer.Ordinal).Count();
}

/// <summary>
/// Deletes objects across clusters, guarded by a circuit breaker: a delete reaching more than
/// <see cref="DeleteOptions.MaxClusters"/> clusters, or more than <see cref="DeleteOptions.MaxFleetShare"/>
/// of the fleet, or more than <see cref="DeleteOptions.MaxObjects"/> objects on one cluster, or every
/// object of a kind in a namespace, is refused (DeletionLimitExceeded) unless that limit is raised. A cluster that cannot be read
/// is reported failed (ClusterListFailed), never taken for one where the object is absent.
/// </summary>
public sealed class DeleteService
{
    private const int ObjectConcurrency = 8;

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;

    public DeleteService(IClusterConnector connector) : this(connector, null) { }

    internal DeleteService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
    }

    /// <summary>Plans deleting what <paramref name="query"/> matches on each cluster (reads every cluster first).</summary>
    public Task<DeletePlan> PlanAsync(IReadOnlyList<FleetCluster> clusters, ResourceQuery query, DeleteOptions options,
        CancellationToken cancellationToken = default) =>
        PlanCoreAsync(clusters, options, query.ToString(),
            (cluster, error) => [ListFailed(cluster, query.ToString(), error, query.ApiVersion ?? "", query.Kind, query.Namespace, query.Name ?? "")],
            async (resources, token) =>
        {
            var found = await FleetResourceReader.FindAsync(resources, query, token).ConfigureAwait(false);
            if (found.Objects.Count > 0 || query.Name is null) return (found.Objects, Array.Empty<FleetResourceResult>());
            var missing = new FleetResourceResult
            {
                Cluster = resources.Name,
                ApiVersion = found.Type.ApiVersion,
                Kind = found.Type.Kind,
                Namespace = found.Namespace,
                Name = query.Name,
                Action = FleetResourceAction.NotFound,
            };
            return (found.Objects, new[] { missing });
        }, cancellationToken);

    /// <summary>Plans deleting the given objects (from manifests) on each cluster where they exist.</summary>
    public Task<DeletePlan> PlanAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<KubeObject> objects, DeleteOptions options,
        CancellationToken cancellationToken = default) =>
        PlanAsync(ClusterObjects.Everywhere(clusters, objects), options, cancellationToken);

    /// <summary>
    /// Plans deleting each cluster's own objects there, where they exist: an object piped from one
    /// cluster is never looked for, or deleted, on another.
    /// </summary>
    public Task<DeletePlan> PlanAsync(IReadOnlyList<ClusterObjects> work, DeleteOptions options, CancellationToken cancellationToken = default)
    {
        var byCluster = work.ToDictionary(w => w.Cluster.Name, w => w.Objects, StringComparer.Ordinal);
        var count = work.SelectMany(w => w.Objects).DistinctBy(o => o.Reference).Count();
        return PlanCoreAsync(work.Select(w => w.Cluster).ToList(), options, $"{count} object(s)",
            (cluster, error) => byCluster[cluster].Select(o => ListFailed(cluster, o.Reference, error, o.ApiVersion, o.Kind, o.Namespace, o.Name)),
            async (resources, token) =>
        {
            var present = new List<KubeObject>();
            var missing = new List<FleetResourceResult>();
            foreach (var obj in byCluster[resources.Name])
            {
                var type = await resources.Discovery.ResolveAsync(obj.ApiVersion, obj.Kind, token).ConfigureAwait(false);
                var ns = type.Namespaced ? obj.Namespace ?? resources.Connection.DefaultNamespace : null;
                var live = await resources.Client.GetAsync(type, ns, obj.Name, token).ConfigureAwait(false);
                if (live is not null) present.Add(live);
                else missing.Add(new FleetResourceResult
                {
                    Cluster = resources.Name, ApiVersion = obj.ApiVersion, Kind = obj.Kind, Namespace = ns, Name = obj.Name,
                    Action = FleetResourceAction.NotFound,
                });
            }
            return (present, missing);
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes (or, with <see cref="DeleteOptions.WhatIf"/>, dry-runs deleting) the confirmed targets;
    /// one result per target, streamed as each finishes.
    /// </summary>
    public IAsyncEnumerable<FleetResourceResult> DeleteAsync(IEnumerable<FleetTarget> targets, DeleteOptions options,
        CancellationToken cancellationToken = default)
    {
        var confirmed = targets.ToList();
        var byCluster = confirmed.GroupBy(t => t.Cluster.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Object).ToList(), StringComparer.Ordinal);
        var clusters = confirmed.Select(t => t.Cluster).DistinctBy(c => c.Name, StringComparer.Ordinal).ToList();

        return FleetRunner.RunAsync<FleetResourceResult>(
            clusters,
            options.FanOut with { Activity = options.WhatIf ? "Previewing delete (server-side dry run)" : "Deleting" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(_connector.Connect(cluster), _apiFactory);
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = ObjectConcurrency, CancellationToken = token };
                await Parallel.ForEachAsync(byCluster[cluster.Name], parallel, async (obj, objectToken) =>
                {
                    var result = await DeleteOneAsync(resources, obj, options.WhatIf, objectToken).ConfigureAwait(false);
                    FleetCallContext.Reporter.Verbose($"Cluster {cluster.Name}: {(options.WhatIf ? "preview delete" : "delete")} {obj.Reference}: {result.Action}");
                    await sink.EmitAsync(result).ConfigureAwait(false);
                }).ConfigureAwait(false);
            },
            (cluster, error, emitted) => byCluster[cluster.Name]
                .Where(obj => !emitted.Any(r => r.Kind == obj.Kind && r.Name == obj.Name && r.Namespace == obj.Namespace))
                .Select(obj => ApplyService.Failed(cluster.Name, obj, error, TimeSpan.Zero)),
            cancellationToken);
    }

    private static async Task<FleetResourceResult> DeleteOneAsync(ClusterResources resources, KubeObject obj, bool whatIf, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var type = await resources.Discovery.ResolveAsync(obj.ApiVersion, obj.Kind, cancellationToken).ConfigureAwait(false);
            var existed = await resources.Client.DeleteAsync(type, obj.Namespace, obj.Name, whatIf, cancellationToken).ConfigureAwait(false);
            var action = !existed ? FleetResourceAction.NotFound : whatIf ? FleetResourceAction.WouldDelete : FleetResourceAction.Deleted;
            return ApplyService.Result(resources.Name, obj, action, stopwatch.Elapsed, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ApplyService.Failed(resources.Name, obj, KubernetesErrors.Translate(ex, resources.Name, obj.Reference, cancellationToken), stopwatch.Elapsed);
        }
    }

    private async Task<DeletePlan> PlanCoreAsync(IReadOnlyList<FleetCluster> clusters, DeleteOptions options, string what,
        Func<string, FleetException, IEnumerable<FleetResourceResult>> onReadFailed,
        Func<ClusterResources, CancellationToken, Task<(IReadOnlyList<KubeObject> Present, IReadOnlyList<FleetResourceResult> Missing)>> read,
        CancellationToken cancellationToken)
    {
        if (clusters.Count == 0)
        {
            throw new FleetInputException(FleetErrorIds.NoClustersSelected, FleetErrorCategory.ObjectNotFound, "(clusters)",
                "No clusters were selected to delete from.");
        }

        var found = new ConcurrentDictionary<string, IReadOnlyList<KubeObject>>(StringComparer.Ordinal);
        var everyObject = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var known = new List<FleetResourceResult>();
        var outcomes = FleetRunner.RunAsync<FleetResourceResult>(
            clusters,
            options.FanOut with { Activity = "Finding objects to delete" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(_connector.Connect(cluster), _apiFactory);
                var (present, missing) = await read(resources, token).ConfigureAwait(false);
                found[cluster.Name] = present;
                if (!options.AllowEveryObjectOfAKind && await EveryObjectOfAKindAsync(resources, present, token).ConfigureAwait(false) is { } whole)
                    everyObject[cluster.Name] = whole;
                foreach (var result in missing) await sink.EmitAsync(result).ConfigureAwait(false);
            },
            (cluster, error, _) => onReadFailed(cluster.Name, error),
            cancellationToken);
        await foreach (var result in outcomes.ConfigureAwait(false)) known.Add(result);

        // A cluster whose read failed after part of it was found must not count as read.
        foreach (var failed in known.Where(r => r.Action == FleetResourceAction.Failed)) found.TryRemove(failed.Cluster, out _);

        var clusterOrder = clusters.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var targets = clusters
            .Where(c => found.TryGetValue(c.Name, out var objects) && objects.Count > 0)
            .SelectMany(c => found[c.Name].Select(obj => new FleetTarget(c, obj, "delete", obj.Namespace)))
            .ToList();
        var plan = new DeletePlan(targets, known.OrderBy(r => clusterOrder.GetValueOrDefault(r.Cluster)).ToList());
        // One entry per description, its clusters named briefly: across 500 clusters the same namespace empties everywhere.
        var emptied = clusters.Where(c => everyObject.ContainsKey(c.Name)).GroupBy(c => everyObject[c.Name], StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? $"{g.Key} on cluster '{g.First().Name}'" : $"{g.Key} on {g.Count()} clusters ({NameList.Brief(g.Select(c => c.Name))})")
            .ToList();
        CheckCircuitBreaker(plan, clusters.Count, options, what, emptied);
        return plan;
    }

    /// <summary>
    /// "every ConfigMap in namespace team" when <paramref name="present"/> holds more than one object
    /// of a kind and namespace and those are all the cluster has of it; null otherwise.
    /// </summary>
    private static async Task<string?> EveryObjectOfAKindAsync(ClusterResources resources, IReadOnlyList<KubeObject> present, CancellationToken cancellationToken)
    {
        foreach (var group in present.GroupBy(o => (o.ApiVersion, o.Kind, o.Namespace)).Where(g => g.Count() > 1))
        {
            var type = await resources.Discovery.ResolveAsync(group.Key.ApiVersion, group.Key.Kind, cancellationToken).ConfigureAwait(false);
            var live = await resources.Client.ListAsync(type, group.Key.Namespace, null, cancellationToken).ConfigureAwait(false);
            var deleting = group.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            if (live.All(o => deleting.Contains(o.Name)))
                return $"every {group.Key.Kind} {(group.Key.Namespace is null ? "of the cluster" : $"in namespace '{group.Key.Namespace}'")} ({deleting.Count})";
        }
        return null;
    }

    internal static void CheckCircuitBreaker(DeletePlan plan, int selectedClusters, DeleteOptions options, string what,
        IReadOnlyList<string>? everyObjectOfAKind = null)
    {
        var perCluster = plan.Targets.GroupBy(t => t.Cluster.Name, StringComparer.Ordinal).MaxBy(g => g.Count());
        if (perCluster is not null && perCluster.Count() > options.MaxObjects)
        {
            throw new FleetInputException(FleetErrorIds.DeletionLimitExceeded, FleetErrorCategory.LimitsExceeded, what,
                $"Refusing to delete {perCluster.Count()} objects from cluster '{perCluster.Key}': more than the {options.MaxObjects} object(s) allowed on one cluster.",
                recommendedAction: "Narrow the selection, or raise -MaxObjects if removing all of them is intended (-Force only skips the prompts).");
        }
        if (everyObjectOfAKind is { Count: > 0 })
        {
            throw new FleetInputException(FleetErrorIds.DeletionLimitExceeded, FleetErrorCategory.LimitsExceeded, what,
                $"Refusing to delete {string.Join("; ", everyObjectOfAKind)}: that empties the kind there.",
                recommendedAction: "Narrow the selection, or give -MaxObjects explicitly if removing every one of them is intended (-Force only skips the prompts).");
        }
        var count = plan.ClusterCount;
        var fleetSize = Math.Max(options.FleetSize ?? selectedClusters, 1);
        var overCount = count > options.MaxClusters;
        var overShare = count > 1 && count > options.MaxFleetShare * fleetSize;
        if (!overCount && !overShare) return;

        var clusters = NameList.Brief(plan.Targets.Select(t => t.Cluster.Name).Distinct(StringComparer.Ordinal));
        var reason = overCount
            ? $"more than the {options.MaxClusters} cluster(s) allowed"
            : $"more than {options.MaxFleetShare:P0} of the fleet of {fleetSize}";
        throw new FleetInputException(FleetErrorIds.DeletionLimitExceeded, FleetErrorCategory.LimitsExceeded, what,
            $"Refusing to delete {what} from {count} clusters ({clusters}): {reason}.",
            recommendedAction: "Narrow the selection, or raise -MaxClusters if removing it from all of them is intended (-Force only skips the prompts).");
    }

    private static FleetResourceResult ListFailed(string cluster, string what, FleetException error,
        string apiVersion, string kind, string? ns, string name)
    {
        var message = $"Cannot read cluster '{cluster}', so it is not known whether it holds {what}: {error.Message}";
        return new FleetResourceResult
        {
            Cluster = cluster,
            ApiVersion = apiVersion,
            Kind = kind,
            Namespace = ns,
            Name = name,
            Action = FleetResourceAction.Failed,
            Message = message,
            Error = new FleetClusterException(FleetErrorIds.ClusterListFailed, error.Category, cluster, message, error, error.RecommendedAction),
        };
    }
}
