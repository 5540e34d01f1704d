using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Workloads;

/// <summary>
/// How far a live workload (Deployment, StatefulSet, DaemonSet, ReplicaSet or anything with
/// spec.replicas) has rolled out, read off its generation and status as <c>kubectl rollout status</c>
/// does. Shared by Federation (waves, Get-FleetWorkload -Wait) and Configuration (restarts after a
/// secret changed).
/// </summary>
public sealed record RolloutState
{
    // Kinds whose spec.replicas defaults to 1 when the template leaves it out.
    private static readonly HashSet<string> ReplicatedKinds = new(StringComparer.Ordinal) { "Deployment", "StatefulSet", "ReplicaSet" };

    // Kinds that roll a new pod template out and count the replicas already on it (status.updatedReplicas).
    private static readonly HashSet<string> RolledKinds = new(StringComparer.Ordinal) { "Deployment", "StatefulSet" };

    public long? Generation { get; init; }
    public long? ObservedGeneration { get; init; }
    public long? DesiredReplicas { get; init; }
    public long? ReadyReplicas { get; init; }
    public long? UpdatedReplicas { get; init; }

    /// <summary>The controller saw the latest generation and every replica runs it and is ready.</summary>
    public bool Ready { get; init; }

    public static RolloutState Read(KubeObject live)
    {
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
        return new RolloutState
        {
            Generation = generation,
            ObservedGeneration = observed,
            DesiredReplicas = desired,
            ReadyReplicas = ready,
            UpdatedReplicas = updated,
            Ready = desired is null || (generationSeen && ready >= desired && (updated ?? desired) >= desired && !oldPending),
        };
    }

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : node is JsonValue element && element.TryGetValue<System.Text.Json.JsonElement>(out var json) && json.TryGetInt64(out var parsed) ? parsed
        : null;
}
