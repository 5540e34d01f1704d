using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>Whether a KubeadmControlPlane or MachineDeployment has rolled, and if not, what it still waits for.</summary>
public sealed record MachineRolloutState(bool Rolled, string Waiting);

/// <summary>
/// Reads a KubeadmControlPlane's or MachineDeployment's status as Cluster API reports it, the
/// way <c>clusterctl</c> and <c>kubectl rollout</c> judge a rollout: the controller saw the
/// latest spec (observedGeneration), every desired machine is up to date and ready, no extra
/// machine is left over, and for a control plane status.version is the wanted one. v1beta2 counts
/// up-to-date machines in <c>upToDateReplicas</c>; v1beta1 in <c>updatedReplicas</c> (and, since
/// Cluster API 1.9, also under <c>status.v1beta2</c>).
/// </summary>
public static class MachineRollout
{
    public static MachineRolloutState Read(KubeObject owner, string? version)
    {
        var spec = owner.Json["spec"] as JsonObject;
        var status = owner.Json["status"] as JsonObject;
        var what = $"{owner.Kind} {owner.Name}";
        if (status is null) return new(false, $"{what} has no status yet");

        var generation = Number(owner.Json["metadata"]?["generation"]) ?? 0;
        var observed = Number(status["observedGeneration"]) ?? 0;
        if (observed < generation)
            return new(false, $"{what}: the controller has not seen generation {generation} yet (observedGeneration {observed})");

        var desired = Number(spec?["replicas"]) ?? 1;
        var replicas = Number(status["replicas"]) ?? 0;
        var upToDate = owner.Version == "v1beta1"
            ? Number(status["v1beta2"]?["upToDateReplicas"]) ?? Number(status["updatedReplicas"]) ?? 0
            : Number(status["upToDateReplicas"]) ?? 0;
        var ready = Number(status["readyReplicas"]) ?? 0;
        var reported = owner.Kind == "KubeadmControlPlane" ? Text(status["version"]) : null;

        var waiting = new List<string>();
        if (version is not null && owner.Kind == "KubeadmControlPlane" && reported != version)
            waiting.Add($"status.version {reported ?? "(none)"}, not {version}");
        if (upToDate < desired) waiting.Add($"{upToDate}/{desired} machines up to date");
        if (ready < desired) waiting.Add($"{ready}/{desired} ready");
        if (replicas > desired) waiting.Add($"{replicas - desired} old machine{(replicas - desired == 1 ? "" : "s")} still to remove");
        if (waiting.Count == 0) return new(true, "");
        var condition = FalseCondition(status, owner.Version);
        return new(false, $"{what}: {string.Join(", ", waiting)}{(condition is null ? "" : $" ({condition})")}");
    }

    /// <summary>The first False condition that explains the wait (v1beta2 conditions where True is bad, such as RollingOut, are skipped).</summary>
    private static string? FalseCondition(JsonObject status, string version)
    {
        var conditions = version == "v1beta1" ? status["v1beta2"]?["conditions"] as JsonArray ?? status["conditions"] as JsonArray : status["conditions"] as JsonArray;
        var failing = (conditions ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => Text(c["status"]) == "False" && Text(c["type"]) is "Available" or "Ready" or "MachinesReady" or "ControlPlaneComponentsHealthy");
        if (failing is null) return null;
        var message = Text(failing["message"]) ?? Text(failing["reason"]);
        return $"{Text(failing["type"])}=False{(message is null ? "" : $": {message}")}";
    }

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
