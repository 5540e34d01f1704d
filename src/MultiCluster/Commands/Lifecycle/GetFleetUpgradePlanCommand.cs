using System.Management.Automation;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Reads an upgrade policy (a YAML file, or a ConfigMap with a policy.yaml key) and returns the
/// ordered waves it makes of the session's fleet, each with its clusters, the opening of its window
/// and the version it moves to: -KubernetesVersion, or what the wave's track chooses from the
/// versions the management cluster's Cluster API offers (the only case that contacts a cluster).
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetUpgradePlan")]
[OutputType(typeof(FleetUpgradeWave))]
public sealed class GetFleetUpgradePlanCommand : UpgradeCmdlet
{
    /// <summary>Path of the policy file; files piped from Get-ChildItem bind by their FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Policy { get; set; } = "";

    /// <summary>The Kubernetes version to upgrade to, for example v1.33.0; a policy's track chooses one without it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersion { get; set; }

    protected override void ProcessRecord()
    {
        var session = RunspaceSessions.Current;
        IReadOnlyList<FleetCluster> fleet;
        UpgradePolicy policy;
        try
        {
            fleet = session.GetFleet().Clusters;
            policy = UpgradePolicy.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Policy));
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        if (KubernetesVersion is not null) RequireKubernetesVersion(KubernetesVersion);

        UpgradePlan? plan = null;
        RunEngine(async cancel => plan = await new UpgradePlanReader(session.Connector)
            .PlanAsync(policy, fleet, KubernetesVersion, ManagementCluster, Namespace, DateTimeOffset.UtcNow, cancel).ConfigureAwait(false));
        if (plan is null) return;
        // A management cluster is usually upgraded on its own, so leaving it out is no surprise.
        var managementNames = fleet.Where(c => c.Role == FleetClusterRole.Management).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var unmatched = plan.Unmatched.Where(name => !managementNames.Contains(name)).ToList();
        if (unmatched.Count > 0)
            WriteWarning($"No wave of the policy selects {string.Join(", ", unmatched)}; they are not upgraded.");
        foreach (var wave in plan.Waves)
            WriteObject(wave);
    }
}
