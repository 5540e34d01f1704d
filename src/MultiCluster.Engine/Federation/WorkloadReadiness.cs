using System.Globalization;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Federation;

/// <summary>Says in words why a workload is not ready on a cluster, for wave failures and Get-FleetWorkload -Wait.</summary>
public static class WorkloadReadiness
{
    /// <summary>"prod-b: Deployment shop/web 3/3 ready, 1/3 updated" and the like.</summary>
    public static string Describe(FleetWorkloadStatus status)
    {
        var what = $"{status.Cluster}: {status.Kind} {(status.Namespace is null ? status.Name : status.Namespace + "/" + status.Name)}";
        return what + " " + Reason(status);
    }

    /// <summary>The error for one cluster whose workload was still not ready when a wait of <paramref name="waited"/> ended.</summary>
    public static FleetClusterException NotReady(FleetWorkloadStatus status, TimeSpan waited) =>
        new(FederationErrorIds.WorkloadNotReady, status.Present is null ? FleetErrorCategory.ConnectionError : FleetErrorCategory.OperationTimeout,
            status.Cluster,
            $"Workload {status.Workload} is not ready on cluster '{status.Cluster}' after waiting {Seconds(waited)}: {Reason(status)}.",
            status.Error,
            recommendedAction: status.Present == false
                ? "Publish the workload there, or leave the cluster out with -Cluster or -Selector."
                : "Look at the workload's events on that cluster (kubectl describe), or wait longer with -TimeoutSeconds.",
            objectRef: $"{status.Kind} {(status.Namespace is null ? status.Name : status.Namespace + "/" + status.Name)}");

    /// <summary>"30 s", "10 min" or "2 min 5 s".</summary>
    public static string Seconds(TimeSpan time) => time.TotalSeconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Round(time.TotalSeconds)} s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalMinutes} min") + (time.Seconds > 0 ? $" {time.Seconds} s" : "");

    private static string Reason(FleetWorkloadStatus status)
    {
        if (status.Present is null) return $"cannot be read ({status.Error?.Message})";
        if (status.Present == false) return "is not there";
        if (status.ObservedGeneration is { } observed && status.Generation is { } generation && observed < generation)
            return $"generation {generation} is not yet seen by its controller (it saw {observed})";
        if (status.DesiredReplicas is not { } desired) return "is ready";
        var counts = $"{status.ReadyReplicas ?? 0}/{desired} ready";
        if (status.UpdatedReplicas is { } updated) counts += $", {updated}/{desired} updated";
        if (!status.Ready && status.ReadyReplicas >= desired && (status.UpdatedReplicas ?? desired) >= desired)
            counts += ", old replicas still running";
        return counts;
    }
}
