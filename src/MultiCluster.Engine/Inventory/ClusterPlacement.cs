namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Which clusters a call, a workload, a role or a wave is about: the one placement every
/// capability uses. <see cref="Clusters"/> (objects from the pipeline) replaces the fleet as the
/// candidates; <see cref="Names"/> (wildcards allowed) are ORed; names, regions, roles and the
/// label selector are ANDed. <see cref="ClusterSelector.Select"/> takes an empty placement for the
/// whole fleet; a caller for which "nothing named" must not mean "everywhere" (a workload, a
/// grant) checks <see cref="IsEmpty"/> first and uses <see cref="Everywhere"/> on purpose.
/// </summary>
public sealed record ClusterPlacement
{
    public static ClusterPlacement Everywhere { get; } = new() { Names = ["*"] };

    /// <summary>Names or wildcard patterns (<c>prod-*</c>, <c>?-euc1</c>), case-insensitive.</summary>
    public IReadOnlyList<string>? Names { get; init; }

    /// <summary>A label selector in kubectl's syntax (<c>env=prod,tier in (gold,silver)</c>).</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Regions (wildcards allowed), case-insensitive.</summary>
    public IReadOnlyList<string>? Regions { get; init; }

    public IReadOnlyList<FleetClusterRole>? Roles { get; init; }

    /// <summary>Clusters given as objects (the pipeline): the candidates instead of the fleet.</summary>
    public IReadOnlyList<FleetCluster>? Clusters { get; init; }

    public bool IsEmpty => (Names is null || Names.All(string.IsNullOrWhiteSpace))
                           && string.IsNullOrWhiteSpace(LabelSelector)
                           && (Regions is null || Regions.All(string.IsNullOrWhiteSpace))
                           && (Roles is null || Roles.Count == 0)
                           && (Clusters is null || Clusters.Count == 0);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Clusters is { Count: > 0 }) parts.Add("clusters " + string.Join(", ", Clusters.Select(c => c.Name)));
        if (Names is { Count: > 0 }) parts.Add("names " + string.Join(", ", Names));
        if (!string.IsNullOrWhiteSpace(LabelSelector)) parts.Add($"labels '{LabelSelector}'");
        if (Regions is { Count: > 0 }) parts.Add("regions " + string.Join(", ", Regions));
        if (Roles is { Count: > 0 }) parts.Add("roles " + string.Join(", ", Roles));
        return parts.Count == 0 ? "(no placement)" : string.Join(" and ", parts);
    }
}

/// <summary>Stable error ids of placement, which every capability that places things shares.</summary>
public static class PlacementErrorIds
{
    /// <summary>The placement selects no cluster of the fleet.</summary>
    public const string PlacementEmpty = nameof(PlacementEmpty);

    /// <summary>A placement was given for documents (KubeFed) that carry their own, or documents are placed differently.</summary>
    public const string PlacementConflict = nameof(PlacementConflict);

    /// <summary>A KubeFed document has a shape this module does not know.</summary>
    public const string KubeFedDocumentInvalid = nameof(KubeFedDocumentInvalid);
}
