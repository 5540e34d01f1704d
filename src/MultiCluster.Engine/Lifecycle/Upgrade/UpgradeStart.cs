using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>A wave still to run under -WhatIf, with its clusters that have not succeeded yet.</summary>
public sealed record UpgradePendingWave(FleetUpgradeWave Wave, IReadOnlyList<string> Clusters);

/// <summary>
/// What Start-FleetUpgrade gets back: under -WhatIf the waves still to run (nothing written, not even
/// the checkpoint); otherwise the rollout's status and, when it stopped on a failure, the error to report.
/// </summary>
public sealed record UpgradeStartResult(IReadOnlyList<UpgradePendingWave> Pending, FleetUpgradeStatus? Status, FleetClusterException? Failure);

/// <summary>
/// Start-FleetUpgrade's engine: the plan from a policy or from given waves, then one rollout run
/// (or its what-if preview). Approval, confirmation and checks come in as the options' delegates,
/// so the caller decides on which thread they run.
/// </summary>
public sealed class UpgradeStart(IClusterConnector connector)
{
    /// <summary>Given waves in order; refused when empty or when they mix Kubernetes versions (a rollout moves to one version).</summary>
    public static IReadOnlyList<FleetUpgradeWave> PlanFromWaves(IEnumerable<FleetUpgradeWave> waves)
    {
        var plan = waves.OrderBy(w => w.Order).ToList();
        var versions = plan.Select(w => w.KubernetesVersion).Distinct(StringComparer.Ordinal).ToList();
        if (versions.Count != 1)
        {
            throw new FleetInputException(LifecycleErrorIds.UpgradePolicyInvalid, FleetErrorCategory.InvalidArgument, "Plan",
                versions.Count == 0 ? "-Plan holds no waves." : $"-Plan mixes Kubernetes versions ({string.Join(", ", versions)}); a rollout moves to one version.");
        }
        return plan;
    }

    /// <summary>The rollout id when none is given: from the plan's version, or (resuming without a plan) the empty version's.</summary>
    public static string DefaultRolloutId(IReadOnlyList<FleetUpgradeWave>? plan) => UpgradeCheckpoint.DefaultRolloutId(plan?[0].KubernetesVersion ?? "");

    /// <summary>
    /// Prepares the rollout (<paramref name="plan"/> null resumes the checkpointed one); under
    /// <paramref name="whatIf"/> returns the waves still to run, otherwise runs it.
    /// </summary>
    public async Task<UpgradeStartResult> RunAsync(IReadOnlyList<FleetUpgradeWave>? plan, IEnumerable<FleetCluster> fleet, UpgradeRolloutOptions options, bool whatIf,
        CancellationToken cancellationToken)
    {
        var rollout = new UpgradeRollout(connector);
        var prepared = await rollout.PrepareAsync(plan, options, cancellationToken).ConfigureAwait(false);
        if (whatIf) return new UpgradeStartResult(Pending(prepared), null, null);

        var status = await rollout.RunAsync(prepared, fleet, options, cancellationToken).ConfigureAwait(false);
        var failure = status.State == FleetUpgradeState.Failed
            ? new FleetClusterException(LifecycleErrorIds.UpgradeCheckFailed, FleetErrorCategory.InvalidOperation,
                options.ManagementCluster.Name, $"Rollout '{status.RolloutId}' stopped: {status.StoppedReason}",
                recommendedAction: "Fix the cause, then run Start-FleetUpgrade -Resume to continue where it stopped.")
            : null;
        return new UpgradeStartResult([], status, failure);
    }

    private static List<UpgradePendingWave> Pending(UpgradeRolloutRecord prepared)
    {
        var pending = new List<UpgradePendingWave>();
        for (var i = 0; i < prepared.Plan.Count; i++)
        {
            var state = prepared.Status.Waves[i];
            if (state.State == FleetUpgradeState.Succeeded) continue;
            pending.Add(new UpgradePendingWave(prepared.Plan[i],
                state.Clusters.Where(c => c.State != FleetUpgradeState.Succeeded).Select(c => c.Cluster).ToList()));
        }
        return pending;
    }
}
