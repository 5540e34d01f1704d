using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.ClusterApi;

/// <summary>Finds the management cluster a cmdlet talks to (Cluster API, Argo CD): the named one, else the fleet's only cluster with role management.</summary>
public static class ManagementClusters
{
    /// <summary>
    /// The cluster of <paramref name="fleet"/> named (or aliased) <paramref name="name"/> (case-insensitive), or
    /// when no name is given the one with role management. Throws FleetInputException
    /// ClusterNotFound or ManagementClusterNotFound (none, or several to choose from);
    /// <paramref name="runs"/> names what the cluster runs, for the messages.
    /// </summary>
    public static FleetCluster Resolve(IReadOnlyList<FleetCluster> fleet, string? name, string runs = "Cluster API")
    {
        if (!string.IsNullOrEmpty(name))
        {
            // A name first, then an alias (aliases are unique across the fleet, the parser sees to that).
            return fleet.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? fleet.FirstOrDefault(c => c.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase)))
                ?? throw new FleetInputException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
                    $"-ManagementCluster '{name}' is not a cluster of the fleet.{NameSuggestions.DidYouMean(name, fleet.Select(c => c.Name))}",
                    recommendedAction: "Run Get-FleetCluster to see the clusters of the fleet.");
        }
        var management = fleet.Where(c => c.Role == FleetClusterRole.Management).ToList();
        return management.Count switch
        {
            1 => management[0],
            0 => throw new FleetInputException(ClusterApiErrorIds.ManagementClusterNotFound, FleetErrorCategory.ObjectNotFound, "(management cluster)",
                $"The fleet has no cluster with role management to run {runs} on.",
                recommendedAction: "Name it with -ManagementCluster, or give it 'role: management' in the fleet file."),
            _ => throw new FleetInputException(ClusterApiErrorIds.ManagementClusterNotFound, FleetErrorCategory.InvalidArgument, "(management cluster)",
                $"The fleet has several management clusters ({string.Join(", ", management.Select(c => c.Name))}); say which runs {runs} with -ManagementCluster."),
        };
    }
}
