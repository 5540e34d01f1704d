namespace MultiCluster;

/// <summary>How a cluster's managed RBAC differs from its definition.</summary>
public enum FleetRbacDriftType
{
    MissingRole,
    MissingBinding,

    /// <summary>A rule of the definition the role lacks.</summary>
    MissingRule,

    /// <summary>A rule the role holds that the definition does not have.</summary>
    ExtraRule,

    /// <summary>A rule on the same resources (or URLs) as the definition's, with other verbs.</summary>
    ChangedRule,

    MissingSubject,
    ExtraSubject,

    /// <summary>The binding refers to another role than the definition's.</summary>
    ChangedRoleRef,

    /// <summary>The cluster could not be read, so whether it drifted is unknown.</summary>
    Unknown,
}

/// <summary>
/// One difference between an RBAC definition and one cluster. Every property but Error is text
/// or an enum, so drift exports as is (Export-Csv, ConvertTo-Json).
/// </summary>
public sealed class FleetRbacDrift
{
    public required string Cluster { get; init; }

    /// <summary>The RBAC definition's name.</summary>
    public required string Rbac { get; init; }

    public FleetRbacDriftType DriftType { get; init; }

    /// <summary>The object concerned: ClusterRole, Role, ClusterRoleBinding or RoleBinding; empty for Unknown.</summary>
    public string Kind { get; init; } = "";

    /// <summary>Null for cluster-wide definitions.</summary>
    public string? Namespace { get; init; }

    /// <summary>The rule (as text) or subject (<c>Group:ops</c>) concerned; null for missing objects.</summary>
    public string? Detail { get; init; }

    /// <summary>What the definition says (the rule, subject or role), when it says something there.</summary>
    public string? Expected { get; init; }

    /// <summary>What the cluster holds instead, when it holds something there.</summary>
    public string? Actual { get; init; }

    public string? Message { get; init; }

    /// <summary>Why the cluster could not be compared (Unknown only). Never contains secrets.</summary>
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster}: {Rbac} {DriftType}{(Detail is null ? "" : " " + Detail)}";
}
