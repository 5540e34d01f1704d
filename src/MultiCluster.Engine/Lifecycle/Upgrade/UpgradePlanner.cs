using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>An upgrade plan: its waves in order, and the fleet's clusters no wave selects.</summary>
public sealed record UpgradePlan(IReadOnlyList<FleetUpgradeWave> Waves, IReadOnlyList<string> Unmatched);

/// <summary>
/// Turns an <see cref="UpgradePolicy"/> and a fleet into ordered <see cref="FleetUpgradeWave"/>s
/// (Get-FleetUpgradePlan). Waves keep the policy's order; a cluster joins the first wave whose
/// patterns match its name; each scheduled wave opens at its schedule's first occurrence after
/// the previous wave opened (or after <c>now</c>), so dev goes first, then staging, then prod in
/// its own window. Contacts no cluster.
/// </summary>
public static class UpgradePlanner
{
    /// <summary>
    /// The plan; each wave's version is <paramref name="kubernetesVersion"/>, or what its <c>track</c> chooses
    /// from <paramref name="facts"/> (see <see cref="UpgradeTrack"/>), with the reason on the wave.
    /// </summary>
    public static UpgradePlan Plan(UpgradePolicy policy, IEnumerable<FleetCluster> fleet, string? kubernetesVersion, DateTimeOffset now,
        UpgradeVersionFacts? facts = null)
    {
        if (kubernetesVersion is not null && !ClusterSpecValidator.TryParseKubernetesVersion(kubernetesVersion, out _))
        {
            throw new FleetInputException(LifecycleErrorIds.KubernetesVersionInvalid, FleetErrorCategory.InvalidArgument, kubernetesVersion,
                $"-KubernetesVersion '{kubernetesVersion}' is not a Kubernetes version of the form v1.x.y, for example v1.32.3.");
        }

        var remaining = fleet.DistinctBy(c => c.Name, StringComparer.Ordinal).ToList();
        var waves = new List<FleetUpgradeWave>();
        var previousStart = now;
        foreach (var wave in policy.Waves)
        {
            // A pattern may name a cluster by an alias, as every other selection does.
            var members = remaining.Where(cluster => wave.Patterns.Any(p => p.IsMatch(cluster))).Select(c => c.Name).ToList();
            remaining.RemoveAll(c => members.Contains(c.Name));
            var target = UpgradeTrack.Choose(wave, members, kubernetesVersion, facts ?? UpgradeVersionFacts.None);

            DateTimeOffset? start = null;
            if (wave.Schedule is { } schedule)
            {
                start = schedule.GetNextOccurrence(previousStart, wave.TimeZone)
                        ?? throw new FleetInputException(LifecycleErrorIds.UpgradePolicyInvalid, FleetErrorCategory.InvalidData, wave.Name,
                            $"The schedule '{wave.ScheduleText}' of wave '{wave.Name}' never occurs after {previousStart:u}.");
                previousStart = start.Value;
            }

            waves.Add(new FleetUpgradeWave
            {
                Order = waves.Count + 1,
                Name = wave.Name,
                KubernetesVersion = target.Version,
                Track = wave.Track,
                VersionReason = target.Reason,
                Patterns = wave.Patterns.Select(p => p.Pattern).ToList(),
                Clusters = members,
                Schedule = wave.ScheduleText,
                TimeZone = wave.TimeZone.Id,
                WindowStart = start,
                Window = wave.Window,
                Strategy = wave.Strategy,
                MaxUnavailable = UpgradePolicy.ResolveMaxUnavailable(wave.MaxUnavailable, members.Count),
                Approval = wave.Approval,
                PreChecks = wave.PreChecks,
                PostChecks = wave.PostChecks,
            });
        }
        return new UpgradePlan(waves, remaining.Select(c => c.Name).ToList());
    }
}
