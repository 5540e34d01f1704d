using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// The status the deployment controller writes, in its two phases: <see cref="Rolling"/> right
/// after a spec change (pods not ready yet) and <see cref="Complete"/> once the rollout is done.
/// Condition types, reasons and messages are the real controller's (Available:
/// MinimumReplicasAvailable / MinimumReplicasUnavailable; Progressing: ReplicaSetUpdated /
/// NewReplicaSetAvailable), with the new ReplicaSet named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c>.
/// A third, <see cref="Stuck"/>, is a rollout whose new pods can never pull their image.
/// </summary>
public static class DeploymentStatus
{
    /// <summary>
    /// Images from a registry host under this reserved top-level domain (RFC 2606), such as
    /// <c>registry.invalid/web:2</c>, can never be pulled by the simulated kubelet: a test puts one
    /// in a template (or a per-cluster override) to make a rollout that never becomes ready.
    /// </summary>
    public const string UnpullableRegistrySuffix = ".invalid";

    /// <summary>The first container or init container image the simulated kubelet cannot pull, or null.</summary>
    public static string? UnpullableImage(JsonObject deployment)
    {
        var podSpec = deployment["spec"]?["template"]?["spec"];
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

    /// <summary>True when the status already describes a finished rollout of the current spec.</summary>
    public static bool IsComplete(JsonObject deployment)
    {
        var status = deployment["status"] as JsonObject;
        var desired = DesiredReplicas(deployment);
        return status is not null
            && Int(status, "observedGeneration") == Generation(deployment)
            && Int(status, "replicas") == desired
            && Int(status, "updatedReplicas") == desired
            && Int(status, "readyReplicas") == desired
            && Int(status, "availableReplicas") == desired;
    }

    /// <summary>
    /// The status just after the controller saw a new spec: every replica belongs to the new
    /// ReplicaSet, but only as many are ready as were ready before (never more than desired).
    /// </summary>
    public static JsonObject Rolling(JsonObject deployment, DateTimeOffset now)
    {
        var desired = DesiredReplicas(deployment);
        var previous = deployment["status"] as JsonObject;
        var ready = Math.Min(Int(previous, "readyReplicas"), desired);
        var available = Math.Min(Int(previous, "availableReplicas"), desired);
        var progressing = Condition(previous, "Progressing", "True", "ReplicaSetUpdated",
            $"ReplicaSet \"{ReplicaSetName(deployment)}\" is progressing.", now);
        return Build(deployment, desired, desired, desired, ready, available, progressing, now);
    }

    /// <summary>
    /// The status of a rolling update whose new pods stay in ImagePullBackOff, as the real controller
    /// leaves it: the new ReplicaSet is scaled up as far as maxSurge and maxUnavailable allow and
    /// none of its pods become ready; the old ReplicaSet keeps the replicas that were ready before
    /// (none for a new Deployment or a Recreate one), so updatedReplicas and readyReplicas never
    /// both reach spec.replicas.
    /// </summary>
    public static JsonObject Stuck(JsonObject deployment, DateTimeOffset now)
    {
        var desired = DesiredReplicas(deployment);
        var previous = deployment["status"] as JsonObject;
        var recreate = (string?)deployment["spec"]?["strategy"]?["type"] == "Recreate";
        var oldReady = recreate ? 0 : Math.Min(Int(previous, "readyReplicas"), desired);
        var oldKept = Math.Min(oldReady, desired - MaxUnavailable(deployment, desired));
        var updated = oldKept == 0 ? desired : Math.Min(desired, desired + MaxSurge(deployment, desired) - oldKept);
        var timedOutMessage = $"ReplicaSet \"{ReplicaSetName(deployment)}\" has timed out progressing.";
        var timedOut = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => (string?)c["type"] == "Progressing"
                && (string?)c["reason"] == "ProgressDeadlineExceeded" && (string?)c["message"] == timedOutMessage) == true
            || (ProgressDeadline(deployment) is { } deadline && now >= deadline);
        var progressing = timedOut
            ? Condition(previous, "Progressing", "False", "ProgressDeadlineExceeded",
                timedOutMessage, now)
            : Condition(previous, "Progressing", "True", "ReplicaSetUpdated",
                $"ReplicaSet \"{ReplicaSetName(deployment)}\" is progressing.", now);
        return Build(deployment, desired, oldKept + updated, updated, oldKept, oldKept, progressing, now);
    }

    /// <summary>
    /// When a stuck rollout times out: spec.progressDeadlineSeconds (default 600) after the last
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

    /// <summary>The status of a finished rollout: all desired replicas updated, ready and available.</summary>
    public static JsonObject Complete(JsonObject deployment, DateTimeOffset now)
    {
        var desired = DesiredReplicas(deployment);
        var progressing = Condition(deployment["status"] as JsonObject, "Progressing", "True", "NewReplicaSetAvailable",
            $"ReplicaSet \"{ReplicaSetName(deployment)}\" has successfully progressed.", now);
        return Build(deployment, desired, desired, desired, desired, desired, progressing, now);
    }

    /// <summary>
    /// The new ReplicaSet's name: the deployment's name and a hash of its pod template, spelt with
    /// the alphabet Kubernetes uses for generated suffixes.
    /// </summary>
    public static string ReplicaSetName(JsonObject deployment)
    {
        var template = deployment["spec"]?["template"]?.ToJsonString() ?? "";
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(template))
            hash = (hash ^ b) * 16777619u;
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var suffix = new StringBuilder();
        foreach (var digit in hash.ToString(CultureInfo.InvariantCulture))
            suffix.Append(alphabet[(digit - '0' + suffix.Length) % alphabet.Length]);
        return $"{(string?)deployment["metadata"]?["name"]}-{suffix}";
    }

    private static JsonObject Build(JsonObject deployment, int desired, int replicas, int updated, int ready, int available,
        JsonObject progressing, DateTimeOffset now)
    {
        var previous = deployment["status"] as JsonObject;
        var minimumAvailable = desired - MaxUnavailable(deployment, desired);
        var availableCondition = available >= minimumAvailable
            ? Condition(previous, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now)
            : Condition(previous, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now);
        var status = new JsonObject
        {
            ["observedGeneration"] = Generation(deployment),
            ["replicas"] = replicas,
            ["updatedReplicas"] = updated,
        };
        // The real controller omits zero counts (omitempty), so do we.
        if (ready > 0)
            status["readyReplicas"] = ready;
        if (available > 0)
            status["availableReplicas"] = available;
        if (replicas - available > 0)
            status["unavailableReplicas"] = replicas - available;
        status["conditions"] = new JsonArray(availableCondition, progressing);
        return status;
    }

    /// <summary>
    /// spec.strategy.rollingUpdate.maxUnavailable (an int or a percentage rounded down, default
    /// 25%); Recreate deployments need every replica available.
    /// </summary>
    private static int MaxUnavailable(JsonObject deployment, int desired)
    {
        var strategy = deployment["spec"]?["strategy"];
        if ((string?)strategy?["type"] == "Recreate" || desired == 0)
            return 0;
        var value = strategy?["rollingUpdate"]?["maxUnavailable"];
        if (Number(value) is { } count)
            return (int)Math.Min(count, desired);
        var text = value is JsonValue s && s.TryGetValue<string>(out var str) ? str : "25%";
        return text.EndsWith('%') && int.TryParse(text[..^1], CultureInfo.InvariantCulture, out var percent)
            ? Math.Min(desired * percent / 100, desired)
            : 0;
    }

    /// <summary>
    /// spec.strategy.rollingUpdate.maxSurge (an int or a percentage rounded up, default 25%); none
    /// for Recreate deployments.
    /// </summary>
    private static int MaxSurge(JsonObject deployment, int desired)
    {
        var strategy = deployment["spec"]?["strategy"];
        if ((string?)strategy?["type"] == "Recreate")
            return 0;
        var value = strategy?["rollingUpdate"]?["maxSurge"];
        if (Number(value) is { } count)
            return (int)count;
        var text = value is JsonValue s && s.TryGetValue<string>(out var str) ? str : "25%";
        return text.EndsWith('%') && int.TryParse(text[..^1], CultureInfo.InvariantCulture, out var percent)
            ? (desired * percent + 99) / 100
            : 0;
    }

    /// <summary>A condition that keeps its lastTransitionTime while its status does not change.</summary>
    private static JsonObject Condition(JsonObject? previousStatus, string type, string status, string reason, string message, DateTimeOffset now)
    {
        var stamp = now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
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

    private static int Int(JsonObject? obj, string property) => (int)(Number(obj?[property]) ?? 0);
}
