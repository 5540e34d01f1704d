using System.Management.Automation;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>One workload cluster a lifecycle cmdlet acts on, and where its Cluster object lives.</summary>
public sealed record LifecycleTarget(string Name, FleetCluster Management, string Namespace, FleetCluster? Known);

/// <summary>
/// A cmdlet that acts on Cluster API workload clusters: takes them as FleetCluster objects from the
/// pipeline (New-FleetCluster's output carries its management cluster and namespace) or by -Name,
/// finds their management cluster (-ManagementCluster, else the fleet's one with role
/// management) before touching anything, and works on them side by side, one error per cluster.
/// </summary>
public abstract class LifecycleCmdlet : FleetCmdlet
{
    protected const string NameSet = "Name";
    protected const string InputSet = "InputObject";
    private const string DefaultNamespace = "default";

    private readonly List<(string Name, string? Management, string? Namespace, FleetCluster? Known)> _requests = new();

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

    /// <summary>Call from ProcessRecord: remembers the clusters of this pipeline input.</summary>
    protected void CollectTargets()
    {
        if (ParameterSetName == InputSet)
        {
            foreach (var cluster in InputObject)
                _requests.Add((cluster.Name, NonEmpty(ManagementCluster) ?? cluster.ManagementCluster, NonEmpty(Namespace) ?? cluster.ClusterApiNamespace, cluster));
            return;
        }
        foreach (var name in Name)
            _requests.Add((name, NonEmpty(ManagementCluster), NonEmpty(Namespace), null));
    }

    /// <summary>
    /// The collected clusters with their management cluster resolved, once each. Terminates on a
    /// management cluster that is not in the fleet (or none to default to) or an invalid namespace,
    /// before any cluster is contacted.
    /// </summary>
    protected IReadOnlyList<LifecycleTarget> ResolveTargets()
    {
        var fleet = RunspaceSessions.Current.GetFleet().Clusters;
        var targets = new List<LifecycleTarget>();
        foreach (var request in _requests.DistinctBy(r => (r.Name.ToLowerInvariant(), r.Management?.ToLowerInvariant(), r.Namespace)))
        {
            try
            {
                // A cluster named, not piped, still has its management cluster and namespace when the fleet knows it.
                var known = request.Known ?? fleet.FirstOrDefault(c => string.Equals(c.Name, request.Name, StringComparison.OrdinalIgnoreCase));
                var ns = request.Namespace ?? known?.ClusterApiNamespace ?? DefaultNamespace;
                ClusterSpecValidator.ValidateNamespace(request.Name, ns);
                targets.Add(new LifecycleTarget(request.Name, ManagementClusters.Resolve(fleet, request.Management ?? known?.ManagementCluster), ns, known));
            }
            catch (FleetException ex)
            {
                Terminate(ex);
            }
        }
        return targets;
    }

    /// <summary>
    /// Runs <paramref name="work"/> for every target side by side; a failure is that cluster's
    /// non-terminating error and the others go on.
    /// </summary>
    protected void RunPerCluster(IReadOnlyList<LifecycleTarget> targets, Func<LifecycleTarget, CancellationToken, Task> work)
    {
        if (targets.Count == 0) return;
        RunEngine(cancel => Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                await work(target, cancel).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                EmitError(ex);
            }
        })));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
