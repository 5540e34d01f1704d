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
    /// matches no cluster becomes a ClusterNotFound error in the result, with the closest names. Names
    /// and patterns match a cluster's name or any of its <see cref="FleetCluster.Aliases"/>.
    /// </summary>
    public static ClusterSelectionResult Select(IReadOnlyList<FleetCluster> fleet, ClusterPlacement selection)
    {
        if (selection.Clusters is { Count: > 0 } given) fleet = given;
        var labelSelector = string.IsNullOrWhiteSpace(selection.LabelSelector) ? null : LabelSelector.Parse(selection.LabelSelector);
        var names = (selection.Names ?? Array.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => new WildcardName(n.Trim())).ToList();
        var regions = (selection.Regions ?? Array.Empty<string>()).Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => new WildcardName(r.Trim())).ToList();
        var roles = selection.Roles ?? Array.Empty<FleetClusterRole>();

        // Plain names are looked up in a set of every name and alias, patterns tried one by one: a pipeline
        // of 500 clusters brings 500 names, and trying each against each cluster was 250,000 matches.
        var plainNames = new HashSet<string>(names.Where(n => n.IsPlainName).Select(n => n.Pattern), StringComparer.OrdinalIgnoreCase);
        var patterns = names.Where(n => !n.IsPlainName).ToList();
        var fleetNames = plainNames.Count == 0 ? [] : new HashSet<string>(fleet.SelectMany(c => c.Aliases.Prepend(c.Name)), StringComparer.OrdinalIgnoreCase);
        var notFound = names
            .Where(n => !n.HasWildcards && (n.IsPlainName ? !fleetNames.Contains(n.Pattern) : !fleet.Any(n.IsMatch)))
            .Select(n => NotFound(n.Literal, fleet))
            .ToList();

        bool Named(FleetCluster cluster)
        {
            if (plainNames.Contains(cluster.Name)) return true;
            foreach (var alias in cluster.Aliases)
                if (plainNames.Contains(alias)) return true;
            foreach (var pattern in patterns)
                if (pattern.IsMatch(cluster)) return true;
            return false;
        }

        var picked = fleet.Where(c =>
                (names.Count == 0 || Named(c))
                && (regions.Count == 0 || (c.Region is { } region && regions.Any(r => r.IsMatch(region))))
                && (roles.Count == 0 || roles.Contains(c.Role))
                && (labelSelector is null || labelSelector.Matches(c.Labels)))
            .ToList();
        return new ClusterSelectionResult { Clusters = picked, NotFound = notFound };
    }

    /// <summary>The ClusterNotFound error for a name no cluster has, suggesting the closest names and aliases.</summary>
    public static FleetClusterException NotFound(string name, IReadOnlyList<FleetCluster> fleet)
    {
        var known = fleet.SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
        var hint = NameSuggestions.DidYouMean(name, known);
        if (hint.Length == 0 && known.Count > 0)
        {
            // Nothing near enough to be a typo: still say which names come closest, so the reader sees what the fleet calls its clusters.
            var closest = known.Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(k => NameSuggestions.Distance(name, k)).ThenBy(k => k, StringComparer.OrdinalIgnoreCase).Take(3);
            hint = $" The closest names: {string.Join(", ", closest.Select(c => $"'{c}'"))}.";
        }
        return new(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name, $"The fleet has no cluster named '{name}'.{hint}",
            recommendedAction: "Run Get-FleetCluster to list the clusters of the current fleet, or add the name to a cluster's aliases in the fleet file.");
    }
}
