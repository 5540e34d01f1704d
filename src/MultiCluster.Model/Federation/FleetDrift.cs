namespace MultiCluster;

/// <summary>How a cluster differs from what a federated workload says it should hold.</summary>
public enum FleetDriftType
{
    /// <summary>A field differs from the template and overrides (changed by hand, or by another tool).</summary>
    Changed,

    /// <summary>The cluster is placed but the object is not there.</summary>
    Missing,

    /// <summary>The cluster holds the workload but is not in its placement.</summary>
    NotPlaced,

    /// <summary>The cluster could not be read, so whether it drifted is unknown.</summary>
    Unknown,
}

/// <summary>
/// One difference between a federated workload and one cluster: per changed field (with the
/// expected and actual values), or the whole object missing or unexpected there.
/// </summary>
public sealed class FleetDrift
{
    public required string Cluster { get; init; }

    /// <summary>The workload's name (its <c>multicluster.io/workload</c> label).</summary>
    public required string Workload { get; init; }

    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";

    /// <summary>Null for cluster-scoped objects.</summary>
    public string? Namespace { get; init; }

    public string Name { get; init; } = "";
    public FleetDriftType DriftType { get; init; }

    /// <summary>The field (<c>spec.replicas</c>, <c>spec.template.spec.containers[name=web].image</c>) for Changed; null otherwise.</summary>
    public string? Path { get; init; }

    /// <summary>What the template and overrides say (null when the field should be absent).</summary>
    public object? Expected { get; init; }

    /// <summary>What the cluster holds (null when the field is absent there).</summary>
    public object? Actual { get; init; }

    public string? Message { get; init; }

    /// <summary>Why the cluster could not be compared (Unknown only). Never contains secrets.</summary>
    public Exception? Error { get; init; }

    public override string ToString() =>
        $"{Cluster}: {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)} {DriftType}{(Path is null ? "" : " " + Path)}";
}
