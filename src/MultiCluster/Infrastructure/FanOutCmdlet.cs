using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Infrastructure;

/// <summary>
/// A cmdlet that acts on clusters of the fleet: takes them from the pipeline (anything with a
/// ClusterName or Cluster property, such as FleetCluster or a previous result) or from
/// -Cluster and -Selector, and runs them in parallel within -ThrottleLimit and -TimeoutSeconds.
/// </summary>
public abstract class FanOutCmdlet : FleetCmdlet
{
    private readonly List<string> _clusterNames = new();

    /// <summary>Cluster names; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[]? Cluster { get; set; }

    /// <summary>A label selector over the fleet's cluster labels, as kubectl writes them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Selector { get; set; }

    /// <summary>How many clusters to work on at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>How long each cluster may take; 0 means no limit.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int TimeoutSeconds { get; set; }

    /// <summary>The cluster names collected so far (from -Cluster and piped clusters), as given.</summary>
    protected IReadOnlyList<string> ClusterNames => _clusterNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Call from ProcessRecord: remembers the clusters named by this pipeline input.</summary>
    protected void CollectClusters()
    {
        if (Cluster is not null) _clusterNames.AddRange(Cluster);
    }

    /// <summary>Call from ProcessRecord for an object piped from a cluster: that cluster is selected too.</summary>
    protected void CollectCluster(string name) => _clusterNames.Add(name);

    /// <summary>
    /// The clusters this call acts on (-Cluster, piped clusters and -Selector), in fleet order. Writes
    /// one ClusterNotFound error per name that names no cluster; stops the call (a terminating
    /// ClusterNotFound or NoClustersSelected) when nothing is left, and on a selector that does not parse.
    /// </summary>
    protected IReadOnlyList<FleetCluster> SelectClusters() => SelectClusters(new ClusterPlacement
    {
        Names = _clusterNames.Count > 0 ? _clusterNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList() : null,
        LabelSelector = Selector,
    });

    /// <summary>The clusters <paramref name="placement"/> picks of the session's fleet, with the errors of <see cref="SelectClusters()"/>.</summary>
    protected IReadOnlyList<FleetCluster> SelectClusters(ClusterPlacement placement)
    {
        ClusterSelectionResult result;
        try
        {
            result = RunspaceSessions.Current.Select(placement);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            throw; // not reached
        }
        // Nothing left to act on makes the whole call meaningless: it stops, as kubectl does for an unknown
        // context. With some clusters left, each name that found none is an error and the rest go on.
        if (result.Clusters.Count == 0 && result.NotFound.Count > 0)
        {
            foreach (var missing in result.NotFound.Skip(1))
                WriteError(ErrorRecords.From(missing));
            Terminate(result.NotFound[0]);
        }
        foreach (var missing in result.NotFound)
            WriteError(ErrorRecords.From(missing));
        if (result.Clusters.Count == 0)
        {
            var selector = placement.LabelSelector;
            var names = placement.Names is { Count: > 0 } given ? string.Join(", ", given) : null;
            var what = (names, selector) switch
            {
                (not null, not null) => $"No cluster of the fleet matches -Cluster '{names}' and the selector '{selector}'",
                (not null, null) => $"No cluster of the fleet matches -Cluster '{names}'",
                (null, not null) => $"No cluster of the fleet matches the selector '{selector}'",
                _ => "The fleet has no clusters",
            };
            Terminate(new FleetException(FleetErrorIds.NoClustersSelected, FleetErrorCategory.ObjectNotFound,
                selector ?? names ?? "fleet", what + ".", recommendedAction: "Run Get-FleetCluster to see the clusters and their labels."));
        }
        return result.Clusters;
    }

    /// <summary>-ThrottleLimit and -TimeoutSeconds as the engine takes them (0 seconds means no limit).</summary>
    protected FanOutOptions FanOutSettings() =>
        new() { ThrottleLimit = ThrottleLimit, TimeoutSeconds = TimeoutSeconds > 0 ? TimeoutSeconds : null };

    /// <summary>
    /// The circuit breaker's settings with the fan-out's: -MaxClusters against the session's fleet
    /// (given explicitly, it is the whole limit, the half-the-fleet share included) and -MaxObjects
    /// (given explicitly, it allows emptying a kind in a namespace). -Force is no part of it.
    /// </summary>
    protected DeleteOptions DeleteSettings(bool whatIf, int maxClusters, int maxObjects)
    {
        var defaults = new DeleteOptions();
        var clustersRaised = MyInvocation.BoundParameters.ContainsKey("MaxClusters");
        var objectsRaised = MyInvocation.BoundParameters.ContainsKey("MaxObjects");
        return new DeleteOptions
        {
            WhatIf = whatIf,
            MaxClusters = maxClusters,
            MaxFleetShare = clustersRaised ? 1 : defaults.MaxFleetShare,
            MaxObjects = maxObjects,
            AllowEveryObjectOfAKind = objectsRaised,
            FleetSize = RunspaceSessions.Current.GetFleet().Clusters.Count,
            FanOut = FanOutSettings(),
        };
    }

    /// <summary>
    /// The delete flow every removing cmdlet shares: plan (reads every cluster, may refuse with the
    /// circuit breaker), write what planning already knows, ask ShouldProcess per target unless
    /// -WhatIf or <paramref name="force"/>, then delete (or dry-run) the confirmed ones.
    /// </summary>
    protected void RunDelete(string action, bool whatIf, bool force,
        Func<CancellationToken, Task<DeletePlan>> plan,
        Func<IReadOnlyList<FleetTarget>, CancellationToken, IAsyncEnumerable<FleetResourceResult>> delete)
    {
        DeletePlan? planned = null;
        RunEngine(async cancel => planned = await plan(cancel).ConfigureAwait(false));
        if (planned is null) return;
        foreach (var known in planned.KnownResults)
        {
            WriteObject(known);
            if (known.Error is { } error) EmitError(error);
        }
        var confirmed = whatIf || force ? planned.Targets : planned.Targets.Where(t => ShouldProcess(t.Description, action)).ToList();
        if (confirmed.Count == 0) return;
        RunEngine(async cancel =>
        {
            await foreach (var result in delete(confirmed, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }

    /// <summary>
    /// Writes <paramref name="objects"/> to <paramref name="outputPath"/> (one file per cluster), or
    /// applies them to every cluster, asking ShouldProcess per cluster and object, and emits each result.
    /// </summary>
    protected void ApplyOrRender(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<KubeObject> objects, string? outputPath,
        bool forceConflicts = false) =>
        ApplyOrRender(ClusterObjects.Everywhere(clusters, objects), outputPath, forceConflicts);

    /// <summary>
    /// As the other overload, where each cluster has its own objects (a cluster with none gets no file and no request).
    /// <paramref name="missingObjectError"/>: objects that must already exist (see ApplyOptions.MissingObjectError).
    /// </summary>
    protected void ApplyOrRender(IReadOnlyList<ClusterObjects> work, string? outputPath, bool forceConflicts = false,
        Func<KubeObject, string, FleetException?>? missingObjectError = null)
    {
        if (outputPath is not null)
        {
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(outputPath);
            foreach (var (cluster, objects) in work.Where(w => w.Objects.Count > 0))
                foreach (var manifest in RunEngineStep(() => ManifestWriter.Render(cluster.Name, objects, directory)))
                    WriteObject(manifest);
            return;
        }
        var service = new ApplyService(RunspaceSessions.Current.Connector);
        IReadOnlyList<FleetTarget> targets;
        try { targets = service.Plan(work); }
        catch (Exception ex) { Terminate(ex); return; }
        var whatIf = IsWhatIf;
        var confirmed = whatIf ? targets : targets.Where(t => ShouldProcess(t.Description, "apply")).ToList();
        if (confirmed.Count == 0) return;
        var options = new ApplyOptions { WhatIf = whatIf, ForceConflicts = forceConflicts, FanOut = FanOutSettings(), MissingObjectError = missingObjectError };
        RunEngine(async cancel =>
        {
            await foreach (var result in service.ApplyAsync(confirmed, options, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
