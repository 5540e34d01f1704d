using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Testing.Controllers.Workloads;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// The Deployment status the deployment controller derives from its ReplicaSets (calculateStatus and
/// syncRolloutStatus upstream): replicas, updatedReplicas, readyReplicas, availableReplicas and
/// unavailableReplicas summed over the ReplicaSets, and the conditions Available
/// (MinimumReplicasAvailable / MinimumReplicasUnavailable) and Progressing (ReplicaSetUpdated while
/// counts move, NewReplicaSetAvailable when done, False/ProgressDeadlineExceeded when
/// spec.progressDeadlineSeconds pass without progress), with the real messages.
/// </summary>
public static class DeploymentStatus
{
    /// <summary>
    /// Images from a registry host under this reserved top-level domain (RFC 2606), such as
    /// <c>registry.invalid/web:2</c>, can never be pulled by the simulated kubelet: a test puts one
    /// in a template (or a per-cluster override) to make a rollout that never becomes ready.
    /// </summary>
    public const string UnpullableRegistrySuffix = ".invalid";

    /// <summary>The first container or init container image of a pod spec the simulated kubelet cannot pull, or null.</summary>
    public static string? UnpullableImage(JsonNode? podSpec)
    {
        var containers = new[] { podSpec?["initContainers"], podSpec?["containers"] }.OfType<JsonArray>().SelectMany(list => list);
        return containers.Select(c => (string?)c?["image"]).FirstOrDefault(image => image is not null && IsUnpullable(image));
    }

    // An image reference names a registry host when its first path segment has a dot or a port.
    private static bool IsUnpullable(string image)
    {
        var slash = image.IndexOf('/');
        if (slash < 0) return false;
        var host = image[..slash];
        var colon = host.IndexOf(':');
        if (colon >= 0) host = host[..colon];
        return host.EndsWith(UnpullableRegistrySuffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>spec.replicas, defaulting to 1 as the API server does.</summary>
    public static int DesiredReplicas(JsonObject deployment) => (int)(Number(deployment["spec"]?["replicas"]) ?? 1);

    public static long Generation(JsonObject deployment) => Number(deployment["metadata"]?["generation"]) ?? 0;

    /// <summary>A JSON number however it was built (parsed, or created from an int or a long).</summary>
    public static long? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        _ => null,
    };

    /// <summary>
    /// The status for <paramref name="deployment"/> given its ReplicaSets (<paramref name="newReplicaSet"/>
    /// is the one whose template matches, null before it exists).
    /// </summary>
    public static JsonObject Calculate(JsonObject deployment, JsonObject? newReplicaSet, IReadOnlyList<JsonObject> replicaSets, DateTimeOffset now)
    {
        var desired = DesiredReplicas(deployment);
        var previous = deployment["status"] as JsonObject;
        int Sum(string field) => replicaSets.Sum(rs => WorkloadObjects.Int(rs["status"]?[field]));
        var replicas = Sum("replicas");
        var updated = newReplicaSet is null ? 0 : WorkloadObjects.Int(newReplicaSet["status"]?["replicas"]);
        var ready = Sum("readyReplicas");
        var available = Sum("availableReplicas");
        var specReplicas = replicaSets.Sum(rs => WorkloadObjects.Int(rs["spec"]?["replicas"]));
        var status = new JsonObject
        {
            ["observedGeneration"] = Generation(deployment),
            ["replicas"] = replicas,
            ["updatedReplicas"] = updated,
        };
        // The real controller omits zero counts (omitempty), so do we.
        WorkloadObjects.SetOrOmit(status, "readyReplicas", ready);
        WorkloadObjects.SetOrOmit(status, "availableReplicas", available);
        WorkloadObjects.SetOrOmit(status, "unavailableReplicas", Math.Max(specReplicas - available, 0));
        if (replicas == 0) status.Remove("replicas");
        if (updated == 0) status.Remove("updatedReplicas");

        var minimumAvailable = desired - MaxUnavailable(deployment, desired);
        var availableCondition = available >= minimumAvailable
            ? Condition(previous, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now)
            : Condition(previous, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now);
        var name = newReplicaSet is null ? ReplicaSetName(deployment) : WorkloadObjects.Name(newReplicaSet);
        var progressingBefore = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Progressing");
        JsonObject progressing;
        if (updated == desired && replicas == desired && available == desired && newReplicaSet is not null)
            progressing = Condition(previous, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{name}\" has successfully progressed.", now);
        else if (progressingBefore is null || MadeProgress(previous, status))
        {
            // Progress renews lastUpdateTime, which the progress deadline counts from.
            progressing = Condition(previous, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{name}\" is progressing.", now);
            progressing["lastUpdateTime"] = WorkloadObjects.Timestamp(now);
        }
        else if ((string?)progressingBefore["reason"] == "ProgressDeadlineExceeded"
                 || (ProgressDeadline(deployment) is { } deadline && now >= deadline))
            progressing = Condition(previous, "Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{name}\" has timed out progressing.", now);
        else
            progressing = progressingBefore.DeepClone().AsObject();
        status["conditions"] = new JsonArray(availableCondition, progressing);
        if (Number(previous?["collisionCount"]) is { } collisions)
            status["collisionCount"] = collisions;
        return status;
    }

    // util.DeploymentProgressing: more pods updated, ready or available, or fewer old ones.
    private static bool MadeProgress(JsonObject? previous, JsonObject next)
    {
        int Count(JsonObject? s, string field) => WorkloadObjects.Int(s?[field]);
        var oldPodsBefore = Count(previous, "replicas") - Count(previous, "updatedReplicas");
        var oldPodsNow = Count(next, "replicas") - Count(next, "updatedReplicas");
        return Count(next, "updatedReplicas") > Count(previous, "updatedReplicas") || oldPodsNow < oldPodsBefore
            || Count(next, "readyReplicas") > Count(previous, "readyReplicas")
            || Count(next, "availableReplicas") > Count(previous, "availableReplicas");
    }

    /// <summary>
    /// When a stalled rollout times out: spec.progressDeadlineSeconds (default 600) after the last
    /// progress, the lastUpdateTime of Progressing True/ReplicaSetUpdated; null when no rollout is under way.
    /// </summary>
    public static DateTimeOffset? ProgressDeadline(JsonObject deployment)
    {
        var progressing = (deployment["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["type"] == "Progressing");
        if (progressing is null || (string?)progressing["status"] != "True" || (string?)progressing["reason"] != "ReplicaSetUpdated") return null;
        if (!DateTimeOffset.TryParse((string?)progressing["lastUpdateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
            return null;
        return since + TimeSpan.FromSeconds(Number(deployment["spec"]?["progressDeadlineSeconds"]) ?? 600);
    }

    /// <summary>The new ReplicaSet's name: <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c> (see <see cref="WorkloadObjects.TemplateHash"/>).</summary>
    public static string ReplicaSetName(JsonObject deployment) =>
        $"{(string?)deployment["metadata"]?["name"]}-{TemplateHash(deployment)}";

    /// <summary>The pod-template-hash of the deployment's template and status.collisionCount.</summary>
    public static string TemplateHash(JsonObject deployment) =>
        WorkloadObjects.TemplateHash(deployment["spec"]?["template"], Number(deployment["status"]?["collisionCount"]));

    /// <summary>
    /// spec.strategy.rollingUpdate.maxUnavailable (an int or a percentage rounded down, default
    /// 25%); Recreate deployments need every replica available. Never 0 together with maxSurge 0.
    /// </summary>
    public static int MaxUnavailable(JsonObject deployment, int desired)
    {
        var strategy = deployment["spec"]?["strategy"];
        if ((string?)strategy?["type"] == "Recreate" || desired == 0)
            return 0;
        var unavailable = Math.Min(IntOrPercent(strategy?["rollingUpdate"]?["maxUnavailable"], desired, roundUp: false), desired);
        return unavailable == 0 && MaxSurge(deployment, desired) == 0 ? 1 : unavailable;
    }

    /// <summary>spec.strategy.rollingUpdate.maxSurge (an int or a percentage rounded up, default 25%); none for Recreate.</summary>
    public static int MaxSurge(JsonObject deployment, int desired)
    {
        var strategy = deployment["spec"]?["strategy"];
        if ((string?)strategy?["type"] == "Recreate")
            return 0;
        return IntOrPercent(strategy?["rollingUpdate"]?["maxSurge"], desired, roundUp: true);
    }

    private static int IntOrPercent(JsonNode? value, int total, bool roundUp)
    {
        if (Number(value) is { } count)
            return (int)count;
        var text = value is JsonValue s && s.TryGetValue<string>(out var str) ? str : "25%";
        if (!text.EndsWith('%') || !int.TryParse(text[..^1], CultureInfo.InvariantCulture, out var percent))
            return 0;
        return roundUp ? (total * percent + 99) / 100 : total * percent / 100;
    }

    /// <summary>A Deployment condition that keeps lastTransitionTime while its status holds and lastUpdateTime while nothing changes.</summary>
    private static JsonObject Condition(JsonObject? previousStatus, string type, string status, string reason, string message, DateTimeOffset now)
    {
        var stamp = WorkloadObjects.Timestamp(now);
        var earlier = (previousStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        var transition = earlier is not null && (string?)earlier["status"] == status ? (string?)earlier["lastTransitionTime"] ?? stamp : stamp;
        var unchanged = earlier is not null && (string?)earlier["reason"] == reason && (string?)earlier["message"] == message
            && (string?)earlier["status"] == status;
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = unchanged ? (string?)earlier!["lastUpdateTime"] ?? stamp : stamp,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        };
    }
}
