using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Workloads;

namespace MultiCluster.Engine.Federation;

/// <summary>Reads presence, generation and replica readiness (<see cref="RolloutState"/>) off a live object.</summary>
internal static class WorkloadStatusReader
{
    public static FleetWorkloadStatus Read(string cluster, WorkloadReference workload, string? ns, KubeObject? live)
    {
        if (live is null)
        {
            return new FleetWorkloadStatus
            {
                Cluster = cluster, Workload = workload.Name, ApiVersion = workload.ApiVersion, Kind = workload.Kind,
                Namespace = ns, Name = workload.Name, Present = false,
            };
        }

        var state = RolloutState.Read(live);
        return new FleetWorkloadStatus
        {
            Cluster = cluster,
            Workload = workload.Name,
            ApiVersion = live.ApiVersion,
            Kind = live.Kind,
            Namespace = live.Namespace,
            Name = live.Name,
            Present = true,
            Generation = state.Generation,
            ObservedGeneration = state.ObservedGeneration,
            DesiredReplicas = state.DesiredReplicas,
            ReadyReplicas = state.ReadyReplicas,
            UpdatedReplicas = state.UpdatedReplicas,
            Ready = state.Ready,
        };
    }
}
