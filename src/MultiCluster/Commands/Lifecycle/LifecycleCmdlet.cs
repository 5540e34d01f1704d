using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// A cmdlet that acts on Cluster API workload clusters: takes them as FleetCluster objects from the
/// pipeline (New-FleetCluster's output carries its management cluster and namespace) or by -Name,
/// finds their management cluster (-ManagementCluster, else the fleet's one with role
/// management) before touching anything, and works on them side by side within -ThrottleLimit,
/// one error per cluster.
/// </summary>
public abstract class LifecycleCmdlet : FleetCmdlet
{
    protected const string NameSet = "Name";
    protected const string InputSet = "InputObject";
    private readonly List<LifecycleRequest> _requests = new();

    /// <summary>Names of the workload clusters (the Cluster objects' names).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Clusters from the pipeline, such as New-FleetCluster's output.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [ValidateNotNull]
    public FleetCluster[] InputObject { get; set; } = [];

    /// <summary>The management cluster running Cluster API; the cluster's own, else the fleet's cluster with role management.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? ManagementCluster { get; set; }

    /// <summary>The namespace of the Cluster objects on the management cluster; the cluster's own, else default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterApiNamespace")]
    public string? Namespace { get; set; }

    /// <summary>How many clusters to work on at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = FanOutOptions.DefaultThrottleLimit;

    /// <summary>Call from ProcessRecord: remembers the clusters of this pipeline input.</summary>
    protected void CollectTargets()
    {
        if (ParameterSetName == InputSet)
        {
            foreach (var cluster in InputObject)
                _requests.Add(new LifecycleRequest(cluster.Name, NonEmpty(ManagementCluster) ?? cluster.ManagementCluster, NonEmpty(Namespace) ?? cluster.ClusterApiNamespace, cluster));
            return;
        }
        foreach (var name in Name)
            _requests.Add(new LifecycleRequest(name, NonEmpty(ManagementCluster), NonEmpty(Namespace), null));
    }

    /// <summary>
    /// The collected clusters with their management cluster resolved, once each. Terminates on a
    /// management cluster that is not in the fleet (or none to default to) or an invalid namespace,
    /// before any cluster is contacted.
    /// </summary>
    protected IReadOnlyList<LifecycleTarget> ResolveTargets()
    {
        try
        {
            return LifecycleTarget.Resolve(RunspaceSessions.Current.GetFleet().Clusters, _requests);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            throw; // not reached: Terminate throws
        }
    }

    /// <summary>-ThrottleLimit and a per-cluster time limit (null for none) as the engine takes them.</summary>
    protected FanOutOptions FanOutSettings(int? timeoutSeconds) =>
        new() { ThrottleLimit = ThrottleLimit, TimeoutSeconds = timeoutSeconds is > 0 ? timeoutSeconds : null };

    /// <summary>
    /// The targets to act on: all of them with -WhatIf (ShouldProcess writes each what-if line) or
    /// <paramref name="force"/> (no prompts), else those the user confirms one by one. The prompt
    /// names each cluster, with <paramref name="detail"/> after it.
    /// </summary>
    protected IReadOnlyList<LifecycleTarget> Confirm(IReadOnlyList<LifecycleTarget> targets, string action, bool force = false, string detail = "") =>
        force && !IsWhatIf ? targets : targets.Where(t => ShouldProcess(t.Description + detail, action)).ToList();

    /// <summary>
    /// Terminates with ClusterLimitExceeded when the targets are more clusters than
    /// <paramref name="maxClusters"/> allows (one unless raised), before anything is asked or changed.
    /// </summary>
    protected void CheckClusterLimit(IReadOnlyList<LifecycleTarget> targets, string action, int? maxClusters)
    {
        try
        {
            ClusterCircuitBreaker.Check(action, targets.Select(t => t.Name).ToList(), maxClusters);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
        }
    }

    /// <summary>Runs one engine fan-out and writes each cluster's value, or its error, as it arrives.</summary>
    protected void RunLifecycle<T>(Func<CancellationToken, IAsyncEnumerable<FleetOutcome<T>>> run) where T : class
    {
        RunEngine(async cancel =>
        {
            await foreach (var outcome in run(cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else Emit(outcome.Value);
            }
        });
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
