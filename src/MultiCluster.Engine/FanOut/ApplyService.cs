using System.Collections.Concurrent;
using System.Diagnostics;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>How an apply runs.</summary>
public sealed record ApplyOptions
{
    /// <summary>Report what would change (server-side dry run and diff) instead of changing anything.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Take over fields another field manager owns (-ForceConflicts).</summary>
    public bool ForceConflicts { get; init; }

    public FanOutOptions FanOut { get; init; } = new();

    /// <summary>
    /// Objects applied at once on one cluster. Requests share one HTTP/2 connection per cluster, so
    /// this bounds streams, not connections.
    /// </summary>
    public int ObjectConcurrency { get; init; } = 32;

    /// <summary>
    /// Asked (with a description of the cluster, object and change) before a binding whose roleRef
    /// changed is deleted and created again; false leaves it as it is. Null replaces without asking.
    /// </summary>
    public Func<string, Task<bool>>? ConfirmReplace { get; init; }

    /// <summary>
    /// For objects whose fields are set into an object someone else owns (and which server-side
    /// apply would otherwise create bare): given an object the cluster lacks and the cluster's
    /// name, the error to report instead of creating it, or null to create it as usual.
    /// </summary>
    public Func<KubeObject, string, FleetException?>? MissingObjectError { get; init; }
}

/// <summary>
/// Server-side apply of objects to clusters. Per cluster, CRDs and Namespaces the cluster does not
/// have yet go first, then everything else at once (bounded). What exists is listed once per (type, namespace) before the
/// phases instead of read per object, so a fleet apply costs about two round trips per cluster
/// beyond discovery and those lists. Results stream as each (cluster, object) finishes.
/// </summary>
public sealed class ApplyService
{
    private static readonly TimeSpan CrdEstablishWait = TimeSpan.FromSeconds(10);

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;

    public ApplyService(IClusterConnector connector) : this(connector, null) { }

    internal ApplyService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
    }

    /// <summary>
    /// The (cluster, object) targets of an apply, for ShouldProcess, in apply order. Throws
    /// <see cref="FleetInputException"/> before any cluster is touched when there is nothing to
    /// apply or an object appears twice. Contacts no cluster.
    /// </summary>
    public IReadOnlyList<FleetTarget> Plan(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<KubeObject> objects) =>
        Plan(ClusterObjects.Everywhere(clusters, objects));

    /// <summary>
    /// The (cluster, object) targets of an apply where each cluster has its own objects (objects
    /// piped from a cluster go back to that cluster only). Checks as the other overload does.
    /// </summary>
    public IReadOnlyList<FleetTarget> Plan(IReadOnlyList<ClusterObjects> work)
    {
        if (work.Count == 0)
        {
            throw new FleetInputException(FleetErrorIds.NoClustersSelected, FleetErrorCategory.ObjectNotFound, "(clusters)",
                "No clusters were selected to apply to.");
        }
        if (work.All(w => w.Objects.Count == 0))
        {
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, "(manifests)",
                "The input holds no Kubernetes objects to apply.");
        }
        foreach (var (_, objects) in work)
        {
            var duplicate = objects.GroupBy(o => (o.ApiVersion, o.Kind, o.Namespace, o.Name)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is null) continue;
            var first = duplicate.First();
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, first.Reference,
                $"{first.Reference} appears more than once in the input ({string.Join("; ", duplicate.Select(o => o.Origin?.ToString() ?? "input object"))}).");
        }

        // Building a connection reads certificates and keys; do the clusters side by side, not one after another.
        var defaultNamespaces = work.AsParallel().AsOrdered().Select(w => TryDefaultNamespace(w.Cluster)).ToList();
        var targets = new List<FleetTarget>();
        foreach (var ((cluster, objects), defaultNamespace) in work.Zip(defaultNamespaces))
        {
            var crdKinds = ObjectScope.CrdKinds(objects);
            foreach (var obj in objects.OrderBy(o => IsFirstPhase(o) ? 0 : 1))
            {
                var shownNamespace = ObjectScope.LooksClusterScoped(obj, crdKinds) ? null : obj.Namespace ?? defaultNamespace;
                targets.Add(new FleetTarget(cluster, obj, "apply", shownNamespace));
            }
        }
        return targets;
    }

    /// <summary>
    /// Applies (or, with <see cref="ApplyOptions.WhatIf"/>, previews) the targets: one result per
    /// target, streamed as each finishes. Never throws for a cluster's failure; those are Failed
    /// results carrying the <see cref="FleetException"/>.
    /// </summary>
    public IAsyncEnumerable<FleetResourceResult> ApplyAsync(IEnumerable<FleetTarget> targets, ApplyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ObjectConcurrency, 1, nameof(options.ObjectConcurrency));
        var confirmed = targets.ToList();
        var byCluster = confirmed.GroupBy(t => t.Cluster.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Object).ToList(), StringComparer.Ordinal);
        var clusters = confirmed.Select(t => t.Cluster).DistinctBy(c => c.Name, StringComparer.Ordinal).ToList();

        return FleetRunner.RunAsync<FleetResourceResult>(
            clusters,
            options.FanOut with { Activity = options.WhatIf ? "Previewing apply (server-side dry run)" : "Applying manifests" },
            (cluster, sink, token) => ApplyToClusterAsync(cluster, byCluster[cluster.Name], options, sink, token),
            (cluster, error, emitted) => byCluster[cluster.Name]
                .Where(obj => !emitted.Any(r => Same(r, obj)))
                .Select(obj => Failed(cluster.Name, obj, error, TimeSpan.Zero)),
            cancellationToken);
    }

    private async Task ApplyToClusterAsync(FleetCluster cluster, IReadOnlyList<KubeObject> objects, ApplyOptions options,
        IFleetResultSink<FleetResourceResult> sink, CancellationToken cancellationToken)
    {
        var connection = _connector.Connect(cluster);
        var resources = ClusterResources.For(connection, _apiFactory);
        var batch = new ClusterBatch(objects);
        var live = new LiveVersions(resources.Client, cancellationToken);
        if (!options.WhatIf) await StartListingAsync(resources, objects, batch, live, cancellationToken).ConfigureAwait(false);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.ObjectConcurrency, CancellationToken = cancellationToken };
        var reporter = FleetCallContext.Reporter;
        var done = 0;

        var phases = options.WhatIf
            ? [objects.Where(IsFirstPhase).ToList(), objects.Where(o => !IsFirstPhase(o)).ToList()]
            : await PhasesAsync(resources, objects, live, cancellationToken).ConfigureAwait(false);
        foreach (var phase in phases)
        {
            var loop = Parallel.ForEachAsync(phase, parallel, async (obj, token) =>
            {
                var result = await ApplyOneAsync(resources, obj, batch, live, options, token).ConfigureAwait(false);
                await sink.EmitAsync(result).ConfigureAwait(false);
                var count = Interlocked.Increment(ref done);
                reporter.Verbose($"Cluster {cluster.Name}: {(options.WhatIf ? "preview" : "apply")} {obj.Reference}: {result.Action} ({result.Duration.TotalMilliseconds:0} ms)");
                reporter.Progress(cluster.Name, options.WhatIf ? "Previewing" : "Applying", $"{count}/{objects.Count} objects", count * 100 / objects.Count);
            });
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (Exception) when (loop.Exception?.InnerExceptions.OfType<FleetException>().FirstOrDefault() is { } clusterWide)
            {
                // The loop cancels its other objects when one fails the cluster; report that failure, not their cancellation.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(clusterWide);
            }
        }
        reporter.Progress(cluster.Name, options.WhatIf ? "Previewing" : "Applying", $"{done}/{objects.Count} objects", 100, completed: true);
    }

    // The objects that must exist before the rest are applied, then the rest. Namespaced objects wait only so
    // that their namespace exists: a namespace the cluster already has (as the list the apply reads anyway
    // shows) is applied alongside them, which saves a round trip per cluster on every run after the first.
    // CRDs always go first, so that their objects are checked against the schema this run applies.
    private static async Task<List<KubeObject>[]> PhasesAsync(ClusterResources resources, IReadOnlyList<KubeObject> objects, LiveVersions live,
        CancellationToken cancellationToken)
    {
        var first = new List<KubeObject>();
        var rest = new List<KubeObject>();
        foreach (var obj in objects)
        {
            if (IsFirstPhase(obj) && !(ObjectScope.IsNamespace(obj) && await NamespaceExistsAsync(resources, live, obj.Name, cancellationToken).ConfigureAwait(false)))
                first.Add(obj);
            else
                rest.Add(obj);
        }
        return [first, rest];
    }

    private static async Task<bool> NamespaceExistsAsync(ClusterResources resources, LiveVersions live, string name, CancellationToken cancellationToken)
    {
        try
        {
            var type = await resources.Discovery.ResolveAsync("v1", "Namespace", cancellationToken).ConfigureAwait(false);
            return await live.VersionAsync(type, null, name, cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not known to exist: it keeps its place first, and its own apply reports what went wrong.
            return false;
        }
    }

    // Resolves the batch's kinds at once (discovery, needed first anyway) and starts listing what exists for
    // every (type, namespace) without waiting: all lists cost one round trip together, and those of the second
    // phase run during the first. Kinds a CRD of this batch defines are listed when first needed. A cluster
    // that cannot be reached fails here, once.
    private static async Task StartListingAsync(ClusterResources resources, IReadOnlyList<KubeObject> objects, ClusterBatch batch,
        LiveVersions live, CancellationToken cancellationToken)
    {
        var kinds = objects.Where(o => !batch.DefinesKind(o)).GroupBy(o => (o.ApiVersion, o.Kind)).ToList();
        var resolved = await Task.WhenAll(kinds.Select(async kind =>
        {
            try
            {
                return await resources.Discovery.ResolveAsync(kind.Key.ApiVersion, kind.Key.Kind, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var error = KubernetesErrors.Translate(ex, resources.Name, $"{kind.Key.ApiVersion} {kind.Key.Kind}", cancellationToken);
                if (IsClusterWide(error)) throw error;
                // Anything else (an unknown kind) fails only its own objects, which resolve it again and report it.
                return (ResourceType?)null;
            }
        })).ConfigureAwait(false);

        foreach (var (kind, type) in kinds.Zip(resolved))
        {
            if (type is null) continue;
            foreach (var ns in kind.Select(o => TargetNamespace(o, type, resources.Connection.DefaultNamespace)).Distinct())
            {
                live.Start(type, ns);
            }
        }
    }

    private static async Task<FleetResourceResult> ApplyOneAsync(ClusterResources resources, KubeObject given, ClusterBatch batch,
        LiveVersions live, ApplyOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        KubeObject? prepared = null;
        try
        {
            ResourceType type;
            try
            {
                type = await ResolveAsync(resources, given, batch, options.WhatIf, cancellationToken).ConfigureAwait(false);
            }
            catch (FleetException ex) when (options.WhatIf && ex.ErrorId == FleetErrorIds.ResourceKindUnknown && batch.DefinesKind(given))
            {
                return Result(resources.Name, given, FleetResourceAction.WouldCreate, stopwatch.Elapsed,
                    "Its CustomResourceDefinition is applied in the same run, so the server cannot validate it yet.");
            }

            prepared = Prepare(given, type, resources.Connection.DefaultNamespace);
            return options.WhatIf
                ? await PreviewAsync(resources, type, prepared, batch, options, stopwatch, cancellationToken).ConfigureAwait(false)
                : await ApplyAsync(resources, type, prepared, live, options, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = KubernetesErrors.Translate(ex, resources.Name, (prepared ?? given).Reference, cancellationToken);
            // A cluster that cannot be reached fails as a whole, once, instead of once per object.
            if (IsClusterWide(error)) throw error;
            return Failed(resources.Name, prepared ?? given, error, stopwatch.Elapsed);
        }
    }

    // A CRD applied moments ago is served once the API server has established it (usually within
    // a second or two); until then its kind is unknown, so wait a little for kinds this batch defines.
    private static async Task<ResourceType> ResolveAsync(ClusterResources resources, KubeObject obj, ClusterBatch batch, bool whatIf,
        CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await resources.Discovery.ResolveAsync(obj.ApiVersion, obj.Kind, cancellationToken).ConfigureAwait(false);
            }
            catch (FleetException ex) when (ex.ErrorId == FleetErrorIds.ResourceKindUnknown && !whatIf && batch.DefinesKind(obj)
                                            && deadline.Elapsed < CrdEstablishWait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<FleetResourceResult> ApplyAsync(ClusterResources resources, ResourceType type, KubeObject obj, LiveVersions live,
        ApplyOptions options, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var before = await live.VersionAsync(type, obj.Namespace, obj.Name, cancellationToken).ConfigureAwait(false);
        if (before is null && options.MissingObjectError?.Invoke(obj, resources.Name) is { } missing)
            return Failed(resources.Name, obj, missing, stopwatch.Elapsed);
        if (before is not null && BindingRoleRef.IsBinding(type)
            && await resources.Client.GetAsync(type, obj.Namespace, obj.Name, cancellationToken).ConfigureAwait(false) is { } current
            && BindingRoleRef.Change(current, obj) is { } change)
        {
            return await ReplaceAsync(resources, type, obj, change, options, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        var applied = await resources.Client.ApplyAsync(type, obj, options.ForceConflicts, dryRun: false, cancellationToken).ConfigureAwait(false);
        return Result(resources.Name, obj, ActionOf(before, applied), stopwatch.Elapsed, null);
    }

    // The server refuses a new roleRef on an existing binding; the binding is deleted and applied anew, once confirmed.
    private static async Task<FleetResourceResult> ReplaceAsync(ClusterResources resources, ResourceType type, KubeObject obj, string change,
        ApplyOptions options, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var description = $"{obj.Reference} on cluster '{resources.Name}' (its roleRef changes from {change}: delete and recreate)";
        if (options.ConfirmReplace is { } confirm && !await confirm(description).ConfigureAwait(false))
        {
            return Result(resources.Name, obj, FleetResourceAction.Unchanged, stopwatch.Elapsed,
                $"Not replaced: its roleRef would change from {change}, which needs the binding deleted and recreated.");
        }
        await resources.Client.DeleteAsync(type, obj.Namespace, obj.Name, dryRun: false, cancellationToken).ConfigureAwait(false);
        await resources.Client.ApplyAsync(type, obj, options.ForceConflicts, dryRun: false, cancellationToken).ConfigureAwait(false);
        return Result(resources.Name, obj, FleetResourceAction.Replaced, stopwatch.Elapsed, $"roleRef changed from {change}: deleted and recreated.");
    }

    /// <summary>
    /// Created, Unchanged or Configured. A controller writing status between the list and the apply
    /// moves the resourceVersion although the apply wrote nothing, so a moved version is a change
    /// only when something besides status and bookkeeping differs.
    /// </summary>
    internal static FleetResourceAction ActionOf(LiveVersion? before, ApplyResponse applied)
    {
        if (applied.Created || before is null) return FleetResourceAction.Created;
        return before.ResourceVersion == applied.Object.ResourceVersion || before.Content == LiveVersion.ContentOf(applied.Object.Json)
            ? FleetResourceAction.Unchanged
            : FleetResourceAction.Configured;
    }

    private static async Task<FleetResourceResult> PreviewAsync(ClusterResources resources, ResourceType type, KubeObject obj, ClusterBatch batch,
        ApplyOptions options, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var liveTask = resources.Client.GetAsync(type, obj.Namespace, obj.Name, cancellationToken);
        var dryRunTask = resources.Client.ApplyAsync(type, obj, options.ForceConflicts, dryRun: true, cancellationToken);
        try
        {
            await Task.WhenAll(liveTask, dryRunTask).ConfigureAwait(false);
        }
        catch (Exception) when (liveTask.IsCompletedSuccessfully)
        {
            // Only the dry run failed: looked at below, where a namespace created in this run explains it.
        }
        var live = liveTask.Result;
        if (live is null && options.MissingObjectError?.Invoke(obj, resources.Name) is { } missing)
        {
            _ = dryRunTask.Exception;
            return Failed(resources.Name, obj, missing, stopwatch.Elapsed);
        }
        if (live is not null && BindingRoleRef.IsBinding(type) && BindingRoleRef.Change(live, obj) is { } roleRefChange)
        {
            // The dry run refuses the new roleRef as the real apply would; replacing is what would happen.
            _ = dryRunTask.Exception;
            return Result(resources.Name, obj, FleetResourceAction.WouldReplace, stopwatch.Elapsed,
                $"roleRef changes from {roleRefChange}: the binding would be deleted and recreated.");
        }
        ApplyResponse dryRun;
        try
        {
            dryRun = await dryRunTask.ConfigureAwait(false);
        }
        catch (FleetException ex) when (ex.ErrorId == FleetErrorIds.ResourceNotFound && live is null && obj.Namespace is { } ns && batch.CreatesNamespace(ns))
        {
            return Result(resources.Name, obj, FleetResourceAction.WouldCreate, stopwatch.Elapsed,
                $"Namespace {ns} is created in the same run, so the server cannot validate this object yet.");
        }

        if (live is null) return Result(resources.Name, obj, FleetResourceAction.WouldCreate, stopwatch.Elapsed, null);
        var changes = ObjectDiff.Compare(live.Json, dryRun.Object.Json, hideValues: IsSecret(obj));
        if (changes.Count == 0) return Result(resources.Name, obj, FleetResourceAction.Unchanged, stopwatch.Elapsed, null);

        var shown = string.Join(", ", changes.Take(5).Select(c => c.Path)) + (changes.Count > 5 ? ", ..." : "");
        return Result(resources.Name, obj, FleetResourceAction.WouldChange, stopwatch.Elapsed,
            $"{changes.Count} field{(changes.Count == 1 ? "" : "s")} would change: {shown}", changes);
    }

    /// <summary>
    /// The object as it is sent: what its server owns removed (an object read from one cluster
    /// carries another's uid and resourceVersion), namespace defaulted or dropped by scope,
    /// managed-by label set.
    /// </summary>
    internal static KubeObject Prepare(KubeObject given, ResourceType type, string defaultNamespace)
    {
        var prepared = given.Clone();
        ServerOwnedFields.Remove(prepared.Json);
        prepared.Namespace = TargetNamespace(given, type, defaultNamespace);
        prepared.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        return prepared;
    }

    private static string? TargetNamespace(KubeObject given, ResourceType type, string defaultNamespace) =>
        type.Namespaced ? given.Namespace ?? defaultNamespace : null;

    private static bool IsSecret(KubeObject obj) => obj.Kind == "Secret" && obj.ApiVersion == "v1";

    private static bool IsFirstPhase(KubeObject obj) => ObjectScope.IsNamespace(obj) || ObjectScope.IsCrd(obj);

    private static bool IsClusterWide(FleetException error) => error.ErrorId is FleetErrorIds.ClusterUnreachable
        or FleetErrorIds.ClusterAuthenticationFailed or FleetErrorIds.ClusterCertificateInvalid or FleetErrorIds.ClusterTimeout;

    private string? TryDefaultNamespace(FleetCluster cluster)
    {
        try
        {
            return _connector.Connect(cluster).DefaultNamespace;
        }
        catch (FleetException)
        {
            // Reported when the apply runs; the description just cannot name the namespace.
            return null;
        }
    }

    private static bool Same(FleetResourceResult result, KubeObject obj) =>
        result.ApiVersion == obj.ApiVersion && result.Kind == obj.Kind && result.Name == obj.Name &&
        (obj.Namespace is null || result.Namespace == obj.Namespace);

    internal static FleetResourceResult Result(string cluster, KubeObject obj, FleetResourceAction action, TimeSpan duration, string? message,
        IReadOnlyList<FleetFieldChange>? changes = null) => new()
    {
        Cluster = cluster,
        ApiVersion = obj.ApiVersion,
        Kind = obj.Kind,
        Namespace = obj.Namespace,
        Name = obj.Name,
        Action = action,
        Message = message,
        Changes = changes ?? Array.Empty<FleetFieldChange>(),
        Duration = duration,
    };

    internal static FleetResourceResult Failed(string cluster, KubeObject obj, FleetException error, TimeSpan duration) => new()
    {
        Cluster = cluster,
        ApiVersion = obj.ApiVersion,
        Kind = obj.Kind,
        Namespace = obj.Namespace,
        Name = obj.Name,
        Action = FleetResourceAction.Failed,
        Message = error.Message,
        Duration = duration,
        Error = error,
    };

    /// <summary>
    /// The resourceVersion each object had before this apply, from one list per (type, namespace),
    /// started once and shared by the objects that need it. Where a list cannot be read (RBAC may
    /// allow get and patch but not list) the object is read on its own, as before.
    /// </summary>
    private sealed class LiveVersions(ResourceClient client, CancellationToken clusterToken)
    {
        private readonly ConcurrentDictionary<string, Lazy<Task<ListOutcome>>> _lists = new(StringComparer.Ordinal);

        public void Start(ResourceType type, string? ns) => _ = List(type, ns);

        /// <summary>The live object's version, or null when it does not exist.</summary>
        public async Task<LiveVersion?> VersionAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
        {
            var outcome = await List(type, ns).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.ClusterWideError is { } error) throw error;
            if (outcome.Versions is { } versions) return versions.GetValueOrDefault(name);

            var obj = await client.GetAsync(type, ns, name, cancellationToken).ConfigureAwait(false);
            return obj is null ? null : LiveVersion.Of(obj);
        }

        private Task<ListOutcome> List(ResourceType type, string? ns) =>
            _lists.GetOrAdd(type.CollectionPath(ns), _ => new Lazy<Task<ListOutcome>>(() => FetchAsync(type, ns))).Value;

        // Never faults, so a list nobody ends up waiting for leaves no unobserved exception behind.
        private async Task<ListOutcome> FetchAsync(ResourceType type, string? ns)
        {
            try
            {
                return new ListOutcome(await client.ListVersionsAsync(type, ns, clusterToken).ConfigureAwait(false), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !clusterToken.IsCancellationRequested)
            {
                var error = KubernetesErrors.Translate(ex, client.Cluster, $"{type.ApiVersion} {type.Kind} list", clusterToken);
                return new ListOutcome(null, IsClusterWide(error) ? error : null);
            }
        }

        private sealed record ListOutcome(IReadOnlyDictionary<string, LiveVersion>? Versions, FleetException? ClusterWideError);
    }

    /// <summary>What one cluster's batch creates, so a preview can explain what the server cannot check yet.</summary>
    private sealed class ClusterBatch(IReadOnlyList<KubeObject> objects)
    {
        private readonly HashSet<string> _namespaces = objects.Where(ObjectScope.IsNamespace).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        private readonly IReadOnlyDictionary<(string Group, string Kind), bool> _crdKinds = ObjectScope.CrdKinds(objects);

        public bool CreatesNamespace(string name) => _namespaces.Contains(name);

        public bool DefinesKind(KubeObject obj) => _crdKinds.ContainsKey((obj.Group, obj.Kind));
    }
}
