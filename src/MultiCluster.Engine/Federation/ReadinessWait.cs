using MultiCluster.Engine.FanOut;

namespace MultiCluster.Engine.Federation;

/// <summary>One workload and the clusters whose copy of it is awaited.</summary>
public sealed record WorkloadOnClusters(WorkloadReference Workload, IReadOnlyList<FleetCluster> Clusters);

/// <summary>How <see cref="WorkloadService.WaitUntilReadyAsync"/> waits.</summary>
public sealed record ReadinessWait
{
    /// <summary>How long to wait in all; null waits until ready or cancelled. Zero checks once.</summary>
    public TimeSpan? Timeout { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The progress activity the wait reports under.</summary>
    public string Activity { get; init; } = "Waiting for the workload to be ready";

    /// <summary>Throttle and per-cluster timeout of each poll.</summary>
    public FanOutOptions FanOut { get; init; } = new();
}
