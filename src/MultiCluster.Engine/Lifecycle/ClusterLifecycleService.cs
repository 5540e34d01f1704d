using System.Runtime.CompilerServices;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>How long a lifecycle command waits on Cluster API for each cluster, and how often it looks.</summary>
public sealed record ClusterWaitOptions
{
    /// <summary>How long one cluster may take to become ready (or gone); null waits until cancelled.</summary>
    public TimeSpan? Timeout { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The per-cluster work of Wait-, Resize-, Update-, Remove-FleetCluster and
/// Get-FleetClusterCredential, run on <see cref="FleetRunner"/>: at most -ThrottleLimit clusters at
/// once, each within -TimeoutSeconds, one outcome per cluster as it finishes, a failure on one
/// never stopping the others. Where the session's fleet follows (a removed cluster leaves it, a
/// merged one joins it), the session is changed here, before the outcomes reach the pipeline.
/// </summary>
public sealed class ClusterLifecycleService(FleetSession session)
{
    // A command that waits on Cluster API has its own time limit (the waiter's error names the
    // cluster's phase); the fan-out's limit is a backstop a little later for calls that hang.
    private static readonly TimeSpan BackstopGrace = TimeSpan.FromSeconds(60);

    private readonly ManagedClusterClient _client = new(session.Connector);

    /// <summary>Waits until each cluster is ready; its FleetCluster in its new phase, or ClusterNotReady (with phase and failing condition).</summary>
    public IAsyncEnumerable<FleetOutcome<FleetCluster>> WaitAsync(IReadOnlyList<LifecycleTarget> targets, ClusterWaitOptions wait,
        FanOutOptions fanOut, CancellationToken cancellationToken = default)
    {
        var waiter = new ClusterWaiter(_client) { PollInterval = wait.PollInterval };
        return RunAsync<FleetCluster>(targets, Backstop(fanOut, wait.Timeout) with { Activity = "Waiting for Cluster API clusters" }, async (target, cancel) =>
        {
            var state = await waiter.WaitUntilReadyAsync(target.Management, target.Namespace, target.Name, wait.Timeout, cancel).ConfigureAwait(false);
            return state.ToFleetCluster(target.Known, target.Management.Name);
        }, cancellationToken);
    }

    /// <summary>Sets each cluster's worker count; the cluster as it stands afterwards.</summary>
    public IAsyncEnumerable<FleetOutcome<FleetCluster>> ResizeAsync(IReadOnlyList<LifecycleTarget> targets, int workerReplicas, string? machineDeployment,
        FanOutOptions fanOut, CancellationToken cancellationToken = default) =>
        RunAsync<FleetCluster>(targets, fanOut with { Activity = "Scaling Cluster API clusters" }, async (target, cancel) =>
        {
            var scaled = await _client.ScaleWorkersAsync(target.Management, target.Namespace, target.Name, workerReplicas, machineDeployment, cancel)
                .ConfigureAwait(false);
            FleetCallContext.Reporter.Verbose($"Cluster '{target.Name}': machine deployment {scaled} scaled to {workerReplicas}.");
            var state = await _client.GetStateAsync(target.Management, target.Namespace, target.Name, cancel).ConfigureAwait(false);
            return state?.ToFleetCluster(target.Known, target.Management.Name);
        }, cancellationToken);

    /// <summary>Upgrades each cluster, control plane then workers (see <see cref="ManagedClusterClient.UpgradeAsync"/>).</summary>
    public IAsyncEnumerable<FleetOutcome<FleetClusterUpgrade>> UpgradeAsync(IReadOnlyList<LifecycleTarget> targets, string kubernetesVersion,
        ClusterUpgradeOptions upgrade, FanOutOptions fanOut, CancellationToken cancellationToken = default) =>
        RunAsync(targets, Backstop(fanOut, upgrade.Timeout) with { Activity = $"Upgrading Cluster API clusters to {kubernetesVersion}" },
            (target, cancel) => _client.UpgradeAsync(target.Management, target.Namespace, target.Name, kubernetesVersion, upgrade, cancel)!,
            cancellationToken);

    /// <summary>
    /// Deletes each cluster's Cluster object (with a wait until it is gone when <paramref name="wait"/>
    /// is given) and takes the removed clusters out of the session's fleet.
    /// </summary>
    public async IAsyncEnumerable<FleetOutcome<FleetResourceResult>> RemoveAsync(IReadOnlyList<LifecycleTarget> targets, ClusterWaitOptions? wait,
        FanOutOptions fanOut, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var waiter = wait is null ? null : new ClusterWaiter(_client) { PollInterval = wait.PollInterval };
        var removed = new List<string>();
        var outcomes = RunAsync<FleetResourceResult>(targets, Backstop(fanOut, wait?.Timeout) with { Activity = "Deleting Cluster API clusters" },
            async (target, cancel) =>
            {
                var (existed, apiVersion) = await _client.DeleteClusterAsync(target.Management, target.Namespace, target.Name, cancel).ConfigureAwait(false);
                if (existed && waiter is not null)
                    await waiter.WaitUntilGoneAsync(target.Management, target.Namespace, target.Name, wait!.Timeout, cancel).ConfigureAwait(false);
                // A Cluster object that is not there leaves the fleet only if the fleet knew it as a
                // cluster of this management cluster: a wrong -Namespace must not drop a fleet member.
                if (existed || string.Equals(target.Known?.ManagementCluster, target.Management.Name, StringComparison.OrdinalIgnoreCase))
                    lock (removed) removed.Add(target.Name);
                return new FleetResourceResult
                {
                    Cluster = target.Management.Name,
                    ApiVersion = apiVersion,
                    Kind = "Cluster",
                    Namespace = target.Namespace,
                    Name = target.Name,
                    Action = existed ? FleetResourceAction.Deleted : FleetResourceAction.NotFound,
                    Message = existed ? (waiter is not null ? "deleted with its machines" : "deletion started") : "no such Cluster",
                };
            }, cancellationToken);
        try
        {
            await foreach (var outcome in outcomes.ConfigureAwait(false)) yield return outcome;
        }
        finally
        {
            // Also when stopped part way: the clusters already deleted leave the fleet.
            lock (removed) session.RemoveClusters(removed.ToList());
        }
    }

    /// <summary>Reads each cluster's admin kubeconfig (secret NAME-kubeconfig on its management cluster).</summary>
    public IAsyncEnumerable<FleetOutcome<FleetClusterCredential>> GetCredentialsAsync(IReadOnlyList<LifecycleTarget> targets, FanOutOptions fanOut,
        CancellationToken cancellationToken = default)
    {
        var reader = new ClusterKubeconfigReader(session.Connector);
        return RunAsync<FleetClusterCredential>(targets, fanOut with { Activity = "Reading Cluster API kubeconfigs" }, async (target, cancel) =>
        {
            var (kubeconfig, secretName, summary) = await ReadKubeconfigAsync(reader, target, cancel).ConfigureAwait(false);
            return new FleetClusterCredential(kubeconfig)
            {
                Cluster = target.Name,
                ManagementCluster = target.Management.Name,
                Namespace = target.Namespace,
                SecretName = secretName,
                Context = summary.Context,
                Server = summary.Server,
            };
        }, cancellationToken);
    }

    /// <summary>
    /// Adds each cluster's context to the kubeconfig file at <paramref name="path"/> (written
    /// owner-only) and the clusters to the session's fleet. The clusters come out in the order
    /// given, once all are merged and the fleet holds them, so the next cmdlet finds them; errors
    /// come out as they happen.
    /// </summary>
    public async IAsyncEnumerable<FleetOutcome<FleetCluster>> MergeCredentialsAsync(IReadOnlyList<LifecycleTarget> targets, string path,
        FanOutOptions fanOut, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = new ClusterKubeconfigReader(session.Connector);
        var merged = new List<FleetOutcome<FleetCluster>>();
        var outcomes = RunAsync<FleetCluster>(targets, fanOut with { Activity = "Merging Cluster API kubeconfigs" }, async (target, cancel) =>
        {
            var (kubeconfig, _, summary) = await ReadKubeconfigAsync(reader, target, cancel).ConfigureAwait(false);
            ClusterKubeconfigFile.Merge(path, kubeconfig, Source(target));
            FleetCallContext.Reporter.Verbose($"Cluster '{target.Name}': context '{summary.Context}' merged into {path}.");
            var member = target.Known ?? new FleetCluster { Name = target.Name, Role = FleetClusterRole.Workload };
            return member with
            {
                Context = summary.Context ?? ClusterKubeconfigReader.ContextName(target.Name),
                Kubeconfig = path,
                ManagementCluster = target.Management.Name,
                ClusterApiNamespace = target.Namespace,
            };
        }, cancellationToken);
        await foreach (var outcome in outcomes.ConfigureAwait(false))
        {
            if (outcome.Error is null) merged.Add(outcome);
            else yield return outcome;
        }
        if (merged.Count == 0) yield break;
        session.AddClusters(merged.Select(o => o.Value!).ToList());
        var order = targets.Select(t => t.Name).ToList();
        foreach (var outcome in merged.OrderBy(o => order.IndexOf(o.Cluster))) yield return outcome;
    }

    private static async Task<(string Kubeconfig, string SecretName, KubeconfigSummary Summary)> ReadKubeconfigAsync(
        ClusterKubeconfigReader reader, LifecycleTarget target, CancellationToken cancellationToken)
    {
        var kubeconfig = await reader.ReadAsync(target.Management, target.Namespace, target.Name, cancellationToken).ConfigureAwait(false);
        return (kubeconfig, ClusterKubeconfigReader.SecretName(target.Name), ClusterKubeconfigFile.Describe(kubeconfig, Source(target)));
    }

    private static string Source(LifecycleTarget target) =>
        $"secret {target.Namespace}/{ClusterKubeconfigReader.SecretName(target.Name)} on '{target.Management.Name}'";

    private static FanOutOptions Backstop(FanOutOptions fanOut, TimeSpan? own) =>
        fanOut.TimeoutSeconds is null && own is { } limit ? fanOut with { TimeoutSeconds = (int)Math.Ceiling((limit + BackstopGrace).TotalSeconds) } : fanOut;

    /// <summary>
    /// Runs <paramref name="work"/> for every target on <see cref="FleetRunner"/>. The runner works on
    /// fleet clusters, so each target goes in as its workload cluster and is found again by reference.
    /// </summary>
    private static IAsyncEnumerable<FleetOutcome<T>> RunAsync<T>(IReadOnlyList<LifecycleTarget> targets, FanOutOptions fanOut,
        Func<LifecycleTarget, CancellationToken, Task<T?>> work, CancellationToken cancellationToken) where T : class
    {
        var byCluster = new Dictionary<FleetCluster, LifecycleTarget>(ReferenceEqualityComparer.Instance);
        foreach (var target in targets)
            byCluster[target.Known is { } known ? known with { } : new FleetCluster { Name = target.Name }] = target;
        return FleetRunner.RunAsync<FleetOutcome<T>>(
            byCluster.Keys.ToList(),
            fanOut,
            async (cluster, sink, cancel) =>
            {
                if (await work(byCluster[cluster], cancel).ConfigureAwait(false) is { } value)
                    sink.Emit(FleetOutcome<T>.Success(cluster.Name, value));
            },
            (cluster, error, _) => [FleetOutcome<T>.Failure(cluster.Name, error)],
            cancellationToken);
    }
}
