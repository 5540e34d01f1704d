using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Reads rollouts from their checkpoints on the management cluster: one by -RolloutId, or every
/// rollout in the namespace, newest first, with each wave's and cluster's state and why the
/// rollout stopped.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetUpgradeStatus")]
[OutputType(typeof(FleetUpgradeStatus))]
public sealed class GetFleetUpgradeStatusCommand : UpgradeCmdlet
{
    /// <summary>The rollout to read; every rollout of the namespace when omitted. FleetUpgradeStatus objects bind by their RolloutId.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? RolloutId { get; set; }

    protected override void ProcessRecord()
    {
        var management = ResolveManagementCluster();
        var rollout = new UpgradeRollout(RunspaceSessions.Current.Connector);
        RunEngine(async cancel =>
        {
            if (RolloutId is null)
            {
                foreach (var record in await rollout.ListAsync(management, Namespace, cancel).ConfigureAwait(false)) Emit(record.Status);
                return;
            }
            var found = await rollout.GetAsync(management, Namespace, RolloutId, cancel).ConfigureAwait(false);
            if (found is not null)
            {
                Emit(found.Status);
                return;
            }
            EmitError(new FleetClusterException(LifecycleErrorIds.UpgradeRolloutNotFound, FleetErrorCategory.ObjectNotFound, management.Name,
                $"Management cluster '{management.Name}' has no rollout '{RolloutId}' (ConfigMap {Namespace}/{UpgradeCheckpoint.ConfigMapName(RolloutId)}).",
                recommendedAction: "Run Get-FleetUpgradeStatus without -RolloutId to list the rollouts."));
        });
    }
}
