using System.Management.Automation;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Reads an upgrade policy (a YAML file, or a ConfigMap with a policy.yaml key) and returns the
/// ordered waves it makes of the session's fleet for one Kubernetes version, each with its
/// clusters and the opening of its window. Contacts no cluster.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetUpgradePlan")]
[OutputType(typeof(FleetUpgradeWave))]
public sealed class GetFleetUpgradePlanCommand : FleetCmdlet
{
    /// <summary>Path of the policy file; files piped from Get-ChildItem bind by their FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Policy { get; set; } = "";

    /// <summary>The Kubernetes version to upgrade to, for example v1.33.0.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string KubernetesVersion { get; set; } = "";

    protected override void ProcessRecord()
    {
        UpgradePlan plan;
        IReadOnlyList<FleetCluster> fleet;
        try
        {
            fleet = RunspaceSessions.Current.GetFleet().Clusters;
            plan = UpgradePlanner.Plan(UpgradePolicy.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Policy)), fleet, KubernetesVersion, DateTimeOffset.UtcNow);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        // A management cluster is usually upgraded on its own, so leaving it out is no surprise.
        var management = fleet.Where(c => c.Role == FleetClusterRole.Management).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var unmatched = plan.Unmatched.Where(name => !management.Contains(name)).ToList();
        if (unmatched.Count > 0)
            WriteWarning($"No wave of the policy selects {string.Join(", ", unmatched)}; they are not upgraded.");
        foreach (var wave in plan.Waves) WriteObject(wave);
    }
}
