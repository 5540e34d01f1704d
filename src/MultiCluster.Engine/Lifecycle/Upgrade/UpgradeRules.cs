using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>
/// Kubernetes' version skew policy as Update-FleetCluster and the versionSkew pre-check apply it,
/// before anything is touched: the control plane moves one minor version at a time and never
/// down, and kubelets may trail the API server by at most <see cref="MaxKubeletSkew"/> minor versions.
/// </summary>
public static class UpgradeRules
{
    /// <summary>Kubelets may be up to three minor versions older than the API server (Kubernetes 1.28 and newer).</summary>
    public const int MaxKubeletSkew = 3;

    /// <summary>
    /// Throws UpgradeNotAllowed (naming <paramref name="cluster"/> and what to do instead) when
    /// moving the control plane from <paramref name="controlPlaneVersion"/> to
    /// <paramref name="targetVersion"/> breaks the policy, given the versions of the worker pools.
    /// </summary>
    public static void CheckControlPlaneUpgrade(string cluster, string controlPlaneVersion, string targetVersion,
        IEnumerable<KeyValuePair<string, string>> workerPoolVersions)
    {
        var target = Parse(cluster, "target", targetVersion);
        var current = Parse(cluster, "control plane", controlPlaneVersion);
        if (target.Minor < current.Minor || (target.Minor == current.Minor && target.Patch < current.Patch))
        {
            throw NotAllowed(cluster, $"Cluster '{cluster}' runs {controlPlaneVersion}; Kubernetes cannot be downgraded to {targetVersion}.",
                "Give a version at or above the one the cluster runs.");
        }
        if (target.Minor > current.Minor + 1)
        {
            throw NotAllowed(cluster,
                $"Cluster '{cluster}' runs {controlPlaneVersion}; upgrading to {targetVersion} would skip minor version{(target.Minor - current.Minor > 2 ? "s" : "")} {string.Join(", ", Enumerable.Range(current.Minor + 1, target.Minor - current.Minor - 1).Select(m => $"1.{m}"))}.",
                $"Upgrade to the newest v1.{current.Minor + 1}.x first, then to {targetVersion}.");
        }
        foreach (var (pool, version) in workerPoolVersions)
        {
            var worker = Parse(cluster, $"machine deployment {pool}", version);
            if (target.Minor - worker.Minor > MaxKubeletSkew)
            {
                throw NotAllowed(cluster,
                    $"Machine deployment '{pool}' of cluster '{cluster}' runs {version}; with the control plane at {targetVersion} its kubelets would be {target.Minor - worker.Minor} minor versions behind, more than the {MaxKubeletSkew} Kubernetes supports.",
                    $"Upgrade '{pool}' to at least v1.{target.Minor - MaxKubeletSkew}.0 first.");
            }
        }
    }

    /// <summary>Throws UpgradeNotAllowed when a worker pool would be moved past its control plane.</summary>
    public static void CheckWorkerUpgrade(string cluster, string controlPlaneVersion, string pool, string targetVersion)
    {
        var target = Parse(cluster, "target", targetVersion);
        var controlPlane = Parse(cluster, "control plane", controlPlaneVersion);
        if (target.Minor > controlPlane.Minor || (target.Minor == controlPlane.Minor && target.Patch > controlPlane.Patch))
        {
            throw NotAllowed(cluster,
                $"Machine deployment '{pool}' of cluster '{cluster}' cannot run {targetVersion} while the control plane runs {controlPlaneVersion}; kubelets must not be newer than the API server.",
                "Upgrade the control plane first.");
        }
    }

    private static (int Minor, int Patch) Parse(string cluster, string what, string version) =>
        ClusterSpecValidator.TryParseKubernetesVersion(version, out var parsed)
            ? parsed
            : throw new FleetInputException(LifecycleErrorIds.KubernetesVersionInvalid, FleetErrorCategory.InvalidArgument, cluster,
                $"The {what} version '{version}' of cluster '{cluster}' is not a Kubernetes version of the form v1.x.y.");

    private static FleetClusterException NotAllowed(string cluster, string message, string action) =>
        new(LifecycleErrorIds.UpgradeNotAllowed, FleetErrorCategory.InvalidOperation, cluster, message, recommendedAction: action);
}
