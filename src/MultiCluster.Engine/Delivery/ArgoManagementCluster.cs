using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Delivery;

/// <summary>Finds the cluster running Argo CD: the one named by -ManagementCluster, else the fleet's only cluster with role management.</summary>
public static class ArgoManagementCluster
{
    public static FleetCluster Resolve(IReadOnlyList<FleetCluster> fleet, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            return fleet.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new FleetInputException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
                    $"-ManagementCluster '{name}' is not a cluster of the fleet.{NameSuggestions.DidYouMean(name, fleet.Select(c => c.Name))}",
                    recommendedAction: "Run Get-FleetCluster to see the clusters of the fleet.");
        }
        var management = fleet.Where(c => c.Role == FleetClusterRole.Management).ToList();
        return management.Count switch
        {
            1 => management[0],
            0 => throw new FleetInputException(DeliveryErrorIds.ManagementClusterNotFound, FleetErrorCategory.ObjectNotFound, "(management cluster)",
                "The fleet has no cluster with role management to run Argo CD on.",
                recommendedAction: "Name it with -ManagementCluster, or give it 'role: management' in the fleet file."),
            _ => throw new FleetInputException(DeliveryErrorIds.ManagementClusterNotFound, FleetErrorCategory.InvalidArgument, "(management cluster)",
                $"The fleet has several management clusters ({string.Join(", ", management.Select(c => c.Name))}); say which runs Argo CD with -ManagementCluster."),
        };
    }
}
