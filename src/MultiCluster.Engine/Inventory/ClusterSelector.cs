using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Inventory;

/// <summary>The clusters picked, in fleet order, and one ClusterNotFound error per literal name that named no cluster.</summary>
public sealed class ClusterSelectionResult
{
    public required IReadOnlyList<FleetCluster> Clusters { get; init; }
    public required IReadOnlyList<FleetClusterException> NotFound { get; init; }
}

public static class ClusterSelector
{
    /// <summary>
    /// Picks clusters of <paramref name="fleet"/>, or of the placement's own
    /// <see cref="ClusterPlacement.Clusters"/>; an empty placement picks them all. Throws
    /// <see cref="FleetInputException"/> (SelectorInvalid) for a label selector that does not parse; a name without wildcards that
    /// matches no cluster becomes a ClusterNotFound error in the result, with the closest names.
    /// </summary>
    public static ClusterSelectionResult Select(IReadOnlyList<FleetCluster> fleet, ClusterPlacement selection)
    {
        if (selection.Clusters is { Count: > 0 } given) fleet = given;
        var labelSelector = string.IsNullOrWhiteSpace(selection.LabelSelector) ? null : LabelSelector.Parse(selection.LabelSelector);
        var names = (selection.Names ?? Array.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => new WildcardName(n.Trim())).ToList();
        var regions = (selection.Regions ?? Array.Empty<string>()).Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => new WildcardName(r.Trim())).ToList();
        var roles = selection.Roles ?? Array.Empty<FleetClusterRole>();

        var notFound = names
            .Where(n => !n.HasWildcards && !fleet.Any(c => n.IsMatch(c.Name)))
            .Select(n => NotFound(n.Literal, fleet))
            .ToList();

        var picked = fleet.Where(c =>
                (names.Count == 0 || names.Any(n => n.IsMatch(c.Name)))
                && (regions.Count == 0 || (c.Region is { } region && regions.Any(r => r.IsMatch(region))))
                && (roles.Count == 0 || roles.Contains(c.Role))
                && (labelSelector is null || labelSelector.Matches(c.Labels)))
            .ToList();
        return new ClusterSelectionResult { Clusters = picked, NotFound = notFound };
    }

    private static FleetClusterException NotFound(string name, IReadOnlyList<FleetCluster> fleet) =>
        new(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
            $"The fleet has no cluster named '{name}'.{NameSuggestions.DidYouMean(name, fleet.Select(c => c.Name))}",
            recommendedAction: "Run Get-FleetCluster to list the clusters of the current fleet.");
}
