namespace MultiCluster;

/// <summary>
/// A federated workload on one cluster: whether it is there, its generation, and for kinds with
/// replicas how many are ready. A cluster that could not be read carries <see cref="Error"/> and
/// a null <see cref="Present"/> (unknown, never taken for absent).
/// </summary>
public sealed class FleetWorkloadStatus
{
    public required string Cluster { get; init; }

    /// <summary>The workload's name (its <c>multicluster.io/workload</c> label).</summary>
    public required string Workload { get; init; }

    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";

    /// <summary>Null for cluster-scoped objects.</summary>
    public string? Namespace { get; init; }

    public string Name { get; init; } = "";

    /// <summary>True when the object exists, false when it does not, null when the cluster could not be read.</summary>
    public bool? Present { get; init; }

    public long? Generation { get; init; }

    /// <summary>The generation the object's controller has seen (status.observedGeneration), when it reports one.</summary>
    public long? ObservedGeneration { get; init; }

    /// <summary>spec.replicas, for kinds with replicas.</summary>
    public long? DesiredReplicas { get; init; }

    /// <summary>status.readyReplicas (0 when the status does not say yet), for kinds with replicas.</summary>
    public long? ReadyReplicas { get; init; }

    /// <summary>
    /// Replicas already running the current pod template (status.updatedReplicas; for DaemonSets
    /// updatedNumberScheduled), for Deployments, StatefulSets and DaemonSets.
    /// </summary>
    public long? UpdatedReplicas { get; init; }

    /// <summary>
    /// Present and, for kinds with replicas, rolled out: the controller saw the current generation,
    /// every desired replica runs the current template and is ready, and no old replica is left.
    /// </summary>
    public bool Ready { get; init; }

    /// <summary>Why the cluster could not be read. Never contains secrets.</summary>
    public Exception? Error { get; init; }

    /// <summary>"3/3", "1/3", or "" for kinds without replicas: a display column.</summary>
    public string Replicas => DesiredReplicas is { } desired ? $"{ReadyReplicas ?? 0}/{desired}" : "";

    public override string ToString() =>
        $"{Cluster}: {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)} " +
        (Present switch { true => Ready ? "Ready" : "NotReady", false => "Absent", null => "Unknown" });
}
