using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>
/// What a policy's <c>track</c> chooses from: the versions the management cluster's Cluster API offers
/// (its ClusterClasses' <c>spec.kubernetesVersions</c>, the versions clusters of those classes may run),
/// where that list came from, and each cluster's current version.
/// </summary>
public sealed record UpgradeVersionFacts(IReadOnlyList<string> Offered, string OfferedBy, IReadOnlyDictionary<string, string> Current)
{
    public static readonly UpgradeVersionFacts None = new([], "nothing was read", new Dictionary<string, string>());
}

/// <summary>The version a wave upgrades to and why it was chosen.</summary>
public sealed record UpgradeTarget(string Version, string Reason);

/// <summary>
/// Chooses each wave's version. Without a track the wave takes -KubernetesVersion. <c>latest</c> takes
/// -KubernetesVersion when given, else the newest version Cluster API offers. <c>stable</c> takes the
/// newest offered patch of the minor the wave's clusters run now (they must share one). A wave whose
/// version cannot be chosen is refused, naming what was missing.
/// </summary>
public static partial class UpgradeTrack
{
    public const string Stable = "stable";
    public const string Latest = "latest";

    /// <summary>Whether choosing needs what the management cluster knows (offered and current versions).</summary>
    public static bool NeedsFacts(UpgradePolicy policy, string? requested) =>
        policy.Waves.Any(w => w.Track == Stable || (w.Track == Latest && requested is null));

    public static UpgradeTarget Choose(UpgradePolicyWave wave, IReadOnlyList<string> members, string? requested, UpgradeVersionFacts facts)
    {
        switch (wave.Track)
        {
            case null:
                return requested is not null
                    ? new UpgradeTarget(requested, "-KubernetesVersion")
                    : throw Unresolved(wave, "has no track, so it needs -KubernetesVersion", "Give -KubernetesVersion, or track: stable|latest in the policy.");
            case Latest:
                if (requested is not null) return new UpgradeTarget(requested, "track latest: -KubernetesVersion");
                var newest = Newest(facts.Offered, minor: null)
                    ?? throw Unresolved(wave, $"has track latest, but {facts.OfferedBy} offers no Kubernetes version",
                        "Give -KubernetesVersion, or list the versions in a ClusterClass's spec.kubernetesVersions.");
                return new UpgradeTarget(newest, $"track latest: the newest version {facts.OfferedBy} offers");
            default:
                var minors = members.Select(m => (Cluster: m, Minor: CurrentMinor(facts.Current.GetValueOrDefault(m)))).ToList();
                var unknown = minors.Where(m => m.Minor is null).Select(m => m.Cluster).ToList();
                if (unknown.Count > 0)
                    throw Unresolved(wave, $"has track stable, but the current version of {string.Join(", ", unknown)} is not known",
                        "Give the clusters k8s_version in the fleet file, or check their Cluster objects on the management cluster.");
                var byMinor = minors.GroupBy(m => m.Minor!.Value).ToList();
                if (byMinor.Count == 0)
                    throw Unresolved(wave, "has track stable but no cluster, so there is no current minor to stay on", "Check the entry's name glob.");
                if (byMinor.Count > 1)
                    throw Unresolved(wave, $"has track stable, but its clusters run several minors ({string.Join("; ", byMinor.Select(g => $"1.{g.Key}: {string.Join(", ", g.Select(m => m.Cluster))}"))}), and a wave moves to one version",
                        "Split the entry so each runs one minor.");
                var minor = byMinor[0].Key;
                if (Newest(facts.Offered, minor) is { } patch)
                    return new UpgradeTarget(patch, $"track stable: the newest patch of 1.{minor} {facts.OfferedBy} offers");
                if (requested is not null && Minor(requested) == minor)
                    return new UpgradeTarget(requested, $"track stable: -KubernetesVersion, in the clusters' minor 1.{minor}");
                throw Unresolved(wave, $"has track stable, but {facts.OfferedBy} offers no 1.{minor} version",
                    $"Give -KubernetesVersion v1.{minor}.N, or list it in a ClusterClass's spec.kubernetesVersions.");
        }
    }

    private static string? Newest(IReadOnlyList<string> versions, int? minor) => versions
        .Select(v => (Text: v, Ok: ClusterSpecValidator.TryParseKubernetesVersion(v, out var parsed), Parsed: parsed))
        .Where(v => v.Ok && (minor is null || v.Parsed.Minor == minor))
        .OrderByDescending(v => v.Parsed.Minor).ThenByDescending(v => v.Parsed.Patch)
        .Select(v => v.Text).FirstOrDefault();

    // A fleet file writes the current version as 1.29; Cluster API as v1.29.4.
    private static int? CurrentMinor(string? version) =>
        version is not null && CurrentVersionPattern().Match(version.Trim()) is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"^v?1\.(0|[1-9][0-9]*)(\.[0-9]+)?([-+].*)?\z")]
    private static partial System.Text.RegularExpressions.Regex CurrentVersionPattern();

    private static int Minor(string version) => ClusterSpecValidator.TryParseKubernetesVersion(version, out var parsed) ? parsed.Minor : -1;

    private static FleetInputException Unresolved(UpgradePolicyWave wave, string problem, string action) =>
        new(LifecycleErrorIds.UpgradeVersionUnresolved, FleetErrorCategory.InvalidOperation, wave.Name,
            $"Wave '{wave.Name}' {problem}; no version was chosen.", recommendedAction: action);
}
