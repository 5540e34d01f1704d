namespace MultiCluster.Engine.Traffic;

/// <summary>Stable error ids of Set-FleetTrafficPolicy, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class TrafficPolicyErrorIds
{
    /// <summary>A source's weights are outside 1-100 or do not add up to 100.</summary>
    public const string LocalityWeightsInvalid = nameof(LocalityWeightsInvalid);

    /// <summary>A locality Istio would refuse (a misplaced '*', a zone in a failover, from equal to to).</summary>
    public const string LocalityInvalid = nameof(LocalityInvalid);

    /// <summary>A region named in -Distribute or -Failover that no cluster of the fleet is in.</summary>
    public const string LocalityRegionUnknown = nameof(LocalityRegionUnknown);

    /// <summary>A selected cluster has no region, so its proxies have no locality.</summary>
    public const string ClusterRegionMissing = nameof(ClusterRegionMissing);

    /// <summary>-Distribute and -Failover together, which Istio refuses; or neither.</summary>
    public const string LocalityPolicyConflict = nameof(LocalityPolicyConflict);

    /// <summary>The same cluster is given twice.</summary>
    public const string ClusterDuplicate = nameof(ClusterDuplicate);

    /// <summary>A service, namespace or host name that is not a DNS name.</summary>
    public const string TrafficNameInvalid = nameof(TrafficNameInvalid);
}
