using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>
/// A policy's plan with every wave's version: <c>-KubernetesVersion</c>, or what the wave's track chooses from the
/// versions the management cluster's ClusterClasses offer, read only when a track needs them. Get-FleetUpgradePlan
/// and Start-FleetUpgrade -Policy both plan through it, so both choose alike.
/// </summary>
public sealed class UpgradePlanReader(IClusterConnector connector)
{
    public async Task<UpgradePlan> PlanAsync(UpgradePolicy policy, IReadOnlyList<FleetCluster> fleet, string? kubernetesVersion,
        string? managementCluster, string clusterApiNamespace, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reporter = FleetCallContext.Reporter;
        UpgradeVersionFacts? facts = null;
        if (UpgradeTrack.NeedsFacts(policy, kubernetesVersion))
        {
            var management = ManagementClusters.Resolve(fleet, managementCluster);
            facts = await new ManagedClusterClient(connector).ReadVersionFactsAsync(management, clusterApiNamespace, fleet, cancellationToken)
                .ConfigureAwait(false);
            reporter.Verbose($"Versions offered by {facts.OfferedBy}: {(facts.Offered.Count == 0 ? "none" : string.Join(", ", facts.Offered))}.");
        }
        var plan = UpgradePlanner.Plan(policy, fleet, kubernetesVersion, now, facts);
        foreach (var wave in plan.Waves)
            reporter.Verbose($"Wave '{wave.Name}' upgrades to {wave.KubernetesVersion}: {wave.VersionReason}.");
        return plan;
    }
}
