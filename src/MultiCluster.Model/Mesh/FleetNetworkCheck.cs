namespace MultiCluster;

/// <summary>How one network check came out.</summary>
public enum FleetCheckStatus
{
    Pass,
    Warn,
    Fail,
}

/// <summary>
/// One finding of <c>Test-FleetNetwork</c>: a check on one cluster, or on a pair of clusters
/// (<see cref="Peer"/> set), with the values it looked at and where each came from.
/// </summary>
public sealed record FleetNetworkCheck
{
    public required string Cluster { get; init; }

    /// <summary>The other cluster of a pairwise check (CIDR overlap, duplicate id, root CA); null for a check of one cluster.</summary>
    public string? Peer { get; init; }

    /// <summary>Stable check name: PodCidr, ServiceCidr, CidrOverlap, ClusterId, ClusterName, MeshNetwork, RootCa, TrustDomain, Reachability.</summary>
    public required string Check { get; init; }

    public FleetCheckStatus Status { get; init; }

    /// <summary>The value checked on <see cref="Cluster"/> (a range, an id, a fingerprint), when there is one.</summary>
    public string? Value { get; init; }

    /// <summary>Where <see cref="Value"/> came from: <c>fleet file</c>, <c>kube-system/kubeadm-config</c>, <c>Node podCIDRs</c> ...</summary>
    public string? Source { get; init; }

    public required string Message { get; init; }

    /// <summary>What to do about a Warn or Fail ("pick another range", "enable Submariner Globalnet").</summary>
    public string? RecommendedAction { get; init; }

    /// <summary>The failure behind a Reachability Fail (also written as a non-terminating error).</summary>
    public Exception? Error { get; init; }

    public override string ToString() => $"{Status} {Check} {Cluster}{(Peer is null ? "" : " / " + Peer)}: {Message}";
}
