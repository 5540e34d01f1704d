namespace MultiCluster;

/// <summary>One rule of a role, as the cluster holds it.</summary>
public sealed class FleetRbacRule
{
    public IReadOnlyList<string> ApiGroups { get; init; } = [];
    public IReadOnlyList<string> Resources { get; init; } = [];
    public IReadOnlyList<string> Verbs { get; init; } = [];
    public IReadOnlyList<string> ResourceNames { get; init; } = [];
    public IReadOnlyList<string> NonResourceUrls { get; init; } = [];

    public override string ToString() =>
        NonResourceUrls.Count > 0
            ? $"[{string.Join(",", Verbs)}] {string.Join(",", NonResourceUrls)}"
            : $"[{string.Join(",", Verbs)}] {string.Join(",", ApiGroups.Select(g => g.Length == 0 ? "core" : g))}/{string.Join(",", Resources)}"
              + (ResourceNames.Count > 0 ? $" ({string.Join(",", ResourceNames)})" : "");
}

/// <summary>What one managed role grants on one cluster, and to whom (its managed binding's subjects).</summary>
public sealed class FleetRbacGrant
{
    public required string Cluster { get; init; }

    /// <summary>The RBAC definition's name (the <c>multicluster.io/rbac</c> label).</summary>
    public required string Rbac { get; init; }

    /// <summary>ClusterRole or Role.</summary>
    public required string RoleKind { get; init; }

    /// <summary>Null for a ClusterRole.</summary>
    public string? Namespace { get; init; }

    public required string RoleName { get; init; }
    public IReadOnlyList<FleetRbacRule> Rules { get; init; } = [];

    /// <summary>Subjects as <c>Group:ops</c>, <c>User:jane</c>, <c>ServiceAccount:ns/name</c>.</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>The rules as one line (<c>[get,list] core/configmaps; [get] apps/deployments</c>), for exports.</summary>
    public string RuleText => string.Join("; ", Rules);

    /// <summary>The subjects as one line (<c>Group:ops, User:jane</c>), for exports.</summary>
    public string SubjectText => string.Join(", ", Subjects);

    public override string ToString() => $"{Cluster}: {RoleKind} {(Namespace is null ? RoleName : Namespace + "/" + RoleName)}";
}
