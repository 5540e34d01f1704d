using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// Polls a Cluster API cluster on its management cluster until it is ready (Wait-FleetCluster)
/// or gone (Remove-FleetCluster -Wait), reporting progress per cluster. Judges only what Cluster
/// API writes in status, never how long its controllers usually take.
/// </summary>
public sealed class ClusterWaiter(ManagedClusterClient operations)
{
    private const string ReadyActivity = "Waiting for Cluster API clusters";
    private const string GoneActivity = "Waiting for Cluster API clusters to be deleted";

    /// <summary>How long to wait between two reads of the cluster's status.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Returns the state once the cluster is ready (see <see cref="ClusterLifecycleState.IsReady"/>).
    /// Throws FleetClusterException ClusterProvisioningFailed when the Cluster reports phase Failed,
    /// ClusterNotFound when it does not exist, and ClusterNotReady (OperationTimeout) naming the
    /// phase and failing condition when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<ClusterLifecycleState> WaitUntilReadyAsync(FleetCluster management, string ns, string cluster, TimeSpan? timeout,
        CancellationToken cancellationToken = default)
    {
        var deadline = Deadline(timeout);
        var reporter = FleetCallContext.Reporter;
        while (true)
        {
            var state = await operations.GetStateAsync(management, ns, cluster, cancellationToken).ConfigureAwait(false)
                ?? throw new FleetClusterException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, cluster,
                    $"Management cluster '{management.Name}' has no Cluster {ns}/{cluster}.", recommendedAction: "Check the name and -Namespace, or create it with New-FleetCluster.");
            reporter.Progress(cluster, ReadyActivity, $"{cluster}: {state.Summary}", state.PercentComplete, completed: state.IsReady);
            if (state.IsReady) return state;
            if (state.IsFailed)
            {
                throw new FleetClusterException(LifecycleErrorIds.ClusterProvisioningFailed, FleetErrorCategory.InvalidOperation, cluster,
                    $"Cluster '{cluster}' failed to provision: {state.Summary}.",
                    recommendedAction: $"Look at the Cluster's conditions and its controller logs on '{management.Name}' (clusterctl describe cluster {cluster} -n {ns}).");
            }
            if (DateTimeOffset.UtcNow >= deadline)
            {
                reporter.Progress(cluster, ReadyActivity, $"{cluster}: timed out", state.PercentComplete, completed: true);
                throw new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.OperationTimeout, cluster,
                    $"Cluster '{cluster}' is not ready after {timeout!.Value.TotalSeconds:0} s: {state.Summary}.",
                    recommendedAction: $"Wait longer with -TimeoutSeconds, or see why with 'clusterctl describe cluster {cluster} -n {ns}' on '{management.Name}'.");
            }
            await DelayAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns once the Cluster object is gone; ClusterNotReady (OperationTimeout) with its phase when <paramref name="timeout"/> passes first.</summary>
    public async Task WaitUntilGoneAsync(FleetCluster management, string ns, string cluster, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline(timeout);
        var reporter = FleetCallContext.Reporter;
        while (true)
        {
            var state = await operations.GetStateAsync(management, ns, cluster, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                reporter.Progress(cluster, GoneActivity, $"{cluster}: deleted", 100, completed: true);
                return;
            }
            reporter.Progress(cluster, GoneActivity, $"{cluster}: phase {state.Phase}", 50);
            if (DateTimeOffset.UtcNow >= deadline)
            {
                reporter.Progress(cluster, GoneActivity, $"{cluster}: timed out", 50, completed: true);
                throw new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.OperationTimeout, cluster,
                    $"Cluster '{cluster}' is still there after {timeout!.Value.TotalSeconds:0} s (phase {state.Phase}).",
                    recommendedAction: $"Cluster API may be waiting on the infrastructure; see 'clusterctl describe cluster {cluster} -n {ns}' on '{management.Name}'.");
            }
            await DelayAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Deadline(TimeSpan? timeout) => timeout is { } limit ? DateTimeOffset.UtcNow + limit : DateTimeOffset.MaxValue;

    private Task DelayAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - DateTimeOffset.UtcNow;
        var delay = remaining < PollInterval ? remaining : PollInterval;
        return Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, cancellationToken);
    }
}
