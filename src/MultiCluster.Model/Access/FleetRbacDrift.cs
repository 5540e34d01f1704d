namespace MultiCluster;

/// <summary>How a cluster's managed RBAC differs from its definition.</summary>
public enum FleetRbacDriftType
{
    MissingRole,
    MissingBinding,

    /// <summary>A rule of the definition the role lacks (or holds changed).</summary>
    MissingRule,

    /// <summary>A rule the role holds that the definition does not have.</summary>
    ExtraRule,

    MissingSubject,
    ExtraSubject,

    /// <summary>The binding refers to another role than the definition's.</summary>
    ChangedRoleRef,

    /// <summary>The cluster could not be read, so whether it drifted is unknown.</summary>
    Unknown,
}

/// <summary>One difference between an RBAC definition and one cluster.</summary>
public sealed class FleetRbacDrift
{
    public required string Cluster { get; init; }

    /// <summary>The RBAC definition's name.</summary>
    public required string Rbac { get; init; }

    public FleetRbacDriftType DriftType { get; init; }

    /// <summary>Null for cluster-wide definitions.</summary>
    public string? Namespace { get; init; }

    /// <summary>The rule (as text) or subject (<c>Group:ops</c>) concerned; null for missing objects.</summary>
    public string? Detail { get; init; }

    public string? Message { get; init; }

    public override string ToString() => $"{Cluster}: {Rbac} {DriftType}{(Detail is null ? "" : " " + Detail)}";
}
