using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>A condition that explains why a cluster is not ready yet.</summary>
public sealed record ClusterCondition(string Type, string Status, string? Reason, string? Message)
{
    public override string ToString() => $"{Type}={Status}{(Reason is null ? "" : $" ({Reason})")}{(Message is null ? "" : $": {Message}")}";
}

/// <summary>How far a Cluster API cluster has come, read from its Cluster object's status.</summary>
public sealed record ClusterProvisioningStatus(
    string Phase,
    bool InfrastructureReady,
    bool ControlPlaneReady,
    int? ControlPlaneReadyReplicas,
    int? ControlPlaneDesiredReplicas,
    int? WorkerReadyReplicas,
    int? WorkerDesiredReplicas,
    ClusterCondition? FailingCondition)
{
    public bool IsFailed => Phase == "Failed";

    /// <summary>Provisioned, control plane ready with all its machines, and at least <paramref name="workers"/> ready workers (the desired count when null).</summary>
    public bool IsReady(int? workers = null) =>
        Phase == "Provisioned" && InfrastructureReady && ControlPlaneReady
        && (ControlPlaneDesiredReplicas is not { } desired || ControlPlaneReadyReplicas >= desired)
        && (WorkerReadyReplicas ?? 0) >= (workers ?? WorkerDesiredReplicas ?? 0);
}

/// <summary>
/// Reads a Cluster's status in either API version: v1beta2 keeps replica counts in
/// <c>status.controlPlane</c>/<c>status.workers</c> and readiness in <c>status.initialization</c>;
/// v1beta1 has <c>controlPlaneReady</c>/<c>infrastructureReady</c> and, since Cluster API 1.9, the
/// new counts under <c>status.v1beta2</c>.
/// </summary>
public static class ClusterStatusReader
{
    /// <summary>v1beta2 conditions where True is the unhealthy side, so they are never the "failing" one when False.</summary>
    private static readonly string[] NegativePolarity = ["Deleting", "Paused", "RollingOut", "ScalingUp", "ScalingDown", "Remediating", "TopologyReconciled"];

    public static ClusterProvisioningStatus Read(KubeObject cluster)
    {
        var status = cluster.Json["status"] as JsonObject ?? new JsonObject();
        var phase = Text(status["phase"]) ?? "Pending";
        var isV1Beta2 = cluster.Version == "v1beta2";

        bool infrastructureReady, controlPlaneReady;
        JsonObject? counts;
        JsonArray? conditions;
        if (isV1Beta2)
        {
            infrastructureReady = Flag(status["initialization"]?["infrastructureProvisioned"]);
            controlPlaneReady = Flag(status["initialization"]?["controlPlaneInitialized"]);
            counts = status;
            conditions = status["conditions"] as JsonArray;
        }
        else
        {
            infrastructureReady = Flag(status["infrastructureReady"]);
            controlPlaneReady = Flag(status["controlPlaneReady"]);
            counts = status["v1beta2"] as JsonObject;
            conditions = (counts?["conditions"] as JsonArray) ?? status["conditions"] as JsonArray;
        }

        var failing = FailingCondition(conditions);
        if (Text(status["failureMessage"]) is { } failureMessage)
            failing = new ClusterCondition("Failure", "True", Text(status["failureReason"]), failureMessage);

        return new ClusterProvisioningStatus(
            phase,
            infrastructureReady,
            controlPlaneReady,
            Number(counts?["controlPlane"]?["readyReplicas"]),
            Number(counts?["controlPlane"]?["desiredReplicas"]),
            Number(counts?["workers"]?["readyReplicas"]),
            Number(counts?["workers"]?["desiredReplicas"]),
            failing);
    }

    /// <summary>The summary condition (Available, or Ready in v1beta1) when it is False, else the first other False condition.</summary>
    private static ClusterCondition? FailingCondition(JsonArray? conditions)
    {
        var failing = (conditions ?? [])
            .OfType<JsonObject>()
            .Select(c => new ClusterCondition(Text(c["type"]) ?? "", Text(c["status"]) ?? "", Text(c["reason"]), Text(c["message"])))
            .Where(c => c.Status == "False" && !NegativePolarity.Contains(c.Type))
            .ToList();
        return failing.FirstOrDefault(c => c.Type is "Available" or "Ready") ?? failing.FirstOrDefault();
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static bool Flag(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static int? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;
}
