using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>Reads presence, generation and replica readiness off a live object.</summary>
internal static class WorkloadStatusReader
{
    // Kinds whose spec.replicas defaults to 1 when the template leaves it out.
    private static readonly HashSet<string> ReplicatedKinds = new(StringComparer.Ordinal) { "Deployment", "StatefulSet", "ReplicaSet" };

    // Kinds that roll a new pod template out and count the replicas already on it (status.updatedReplicas).
    private static readonly HashSet<string> RolledKinds = new(StringComparer.Ordinal) { "Deployment", "StatefulSet" };

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

        var generation = Number(live.Metadata?["generation"]);
        var status = live.Json["status"];
        var observed = Number(status?["observedGeneration"]);
        long? desired = null;
        long? ready = null;
        long? updated = null;
        var oldPending = false;
        if (live.Kind == "DaemonSet")
        {
            desired = Number(status?["desiredNumberScheduled"]) ?? 0;
            ready = Number(status?["numberReady"]) ?? 0;
            updated = Number(status?["updatedNumberScheduled"]) ?? 0;
        }
        else if (ReplicatedKinds.Contains(live.Kind) || live.Json["spec"]?["replicas"] is JsonValue)
        {
            desired = Number(live.Json["spec"]?["replicas"]) ?? 1;
            ready = Number(status?["readyReplicas"]) ?? 0;
            if (RolledKinds.Contains(live.Kind))
            {
                // Zero counts are omitted from status, so absent means none.
                updated = Number(status?["updatedReplicas"]) ?? 0;
                // Pods of the old template still running (a Deployment's surge that cannot finish).
                oldPending = live.Kind == "Deployment" && Number(status?["replicas"]) > updated;
            }
        }

        var generationSeen = observed is null || generation is null || observed >= generation;
        var rolledOut = desired is null || (generationSeen && ready >= desired && (updated ?? desired) >= desired && !oldPending);
        return new FleetWorkloadStatus
        {
            Cluster = cluster,
            Workload = workload.Name,
            ApiVersion = live.ApiVersion,
            Kind = live.Kind,
            Namespace = live.Namespace,
            Name = live.Name,
            Present = true,
            Generation = generation,
            ObservedGeneration = observed,
            DesiredReplicas = desired,
            ReadyReplicas = ready,
            UpdatedReplicas = updated,
            Ready = rolledOut,
        };
    }

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : node is JsonValue element && element.TryGetValue<System.Text.Json.JsonElement>(out var json) && json.TryGetInt64(out var parsed) ? parsed
        : null;
}
