using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.FanOut;

/// <summary>
/// The guard of commands whose damage grows with every cluster (removing, upgrading, resizing
/// clusters): more than <see cref="DefaultMaxClusters"/> cluster is refused unless the caller
/// raised the limit on purpose (-MaxClusters). Skipping prompts (-Force) never raises it, so a
/// script that silences prompts keeps its guard.
/// </summary>
public static class ClusterCircuitBreaker
{
    public const int DefaultMaxClusters = 1;

    /// <summary>
    /// Throws FleetInputException ClusterLimitExceeded (LimitsExceeded) naming the clusters when
    /// <paramref name="clusters"/> are more than <paramref name="maxClusters"/> (the default when null).
    /// </summary>
    public static void Check(string action, IReadOnlyCollection<string> clusters, int? maxClusters)
    {
        var limit = maxClusters ?? DefaultMaxClusters;
        if (clusters.Count <= limit) return;
        throw new FleetInputException(ClusterLimitExceeded, FleetErrorCategory.LimitsExceeded, string.Join(", ", clusters),
            $"Refusing to {action} {clusters.Count} clusters ({NameList.Brief(clusters)}): more than the {limit} cluster(s) allowed.",
            recommendedAction: $"Name fewer clusters, or pass -MaxClusters {clusters.Count} if all of them are meant (-Force only skips the prompts).");
    }

    /// <summary>The error id of a refusal.</summary>
    public const string ClusterLimitExceeded = nameof(ClusterLimitExceeded);
}
