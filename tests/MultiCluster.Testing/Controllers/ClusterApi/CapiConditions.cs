using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers.ClusterApi;

/// <summary>One condition before it is written: v1beta1 conditions that are not True carry a severity.</summary>
internal sealed record CapiCondition(string Type, bool? IsTrue, string Reason, string Message = "", string Severity = "Info")
{
    public static CapiCondition True(string type, string reason) => new(type, true, reason);

    public string Status => IsTrue switch { true => "True", false => "False", null => "Unknown" };
}

/// <summary>Writes conditions in the shape of each Cluster API version.</summary>
internal static class CapiConditions
{
    private static readonly string[] Severities = ["Error", "Warning", "Info"];

    /// <summary>v1beta2: metav1.Condition (reason and message always present, observedGeneration).</summary>
    public static JsonArray V1Beta2(JsonNode? old, long generation, DateTimeOffset now, IEnumerable<CapiCondition> conditions) =>
        new(conditions.Select(c => (JsonNode)new JsonObject
        {
            ["type"] = c.Type,
            ["status"] = c.Status,
            ["observedGeneration"] = generation,
            ["lastTransitionTime"] = TransitionTime(old, c.Type, c.Status, now),
            ["reason"] = c.Reason,
            ["message"] = c.Message,
        }).ToArray());

    /// <summary>
    /// v1beta1: Cluster API's own condition type, Ready first (the summary of the others, or of
    /// those named in <paramref name="summarized"/>: the first of the worst severity that is not
    /// True), then by type; True ones carry no reason.
    /// </summary>
    public static JsonArray V1Beta1(JsonNode? old, DateTimeOffset now, IReadOnlyList<CapiCondition> conditions, params string[] summarized)
    {
        var worst = conditions.Where(c => c.IsTrue != true && (summarized.Length == 0 || summarized.Contains(c.Type))).OrderBy(c => Array.IndexOf(Severities, c.Severity)).FirstOrDefault();
        var ready = worst is null ? CapiCondition.True("Ready", "") : worst with { Type = "Ready" };
        return new JsonArray(conditions.OrderBy(c => c.Type, StringComparer.Ordinal).Prepend(ready).Select(c =>
        {
            var condition = new JsonObject { ["type"] = c.Type, ["status"] = c.Status, ["lastTransitionTime"] = TransitionTime(old, c.Type, c.Status, now) };
            if (c.IsTrue != true)
            {
                condition["severity"] = c.Severity;
                condition["reason"] = c.Reason;
                if (c.Message.Length > 0) condition["message"] = c.Message;
            }
            return (JsonNode)condition;
        }).ToArray());
    }

    // lastTransitionTime moves only when the status flips, as the real helpers do; rewriting it
    // on every pass would also make each reconcile a change that queues the next.
    private static string TransitionTime(JsonNode? old, string type, string status, DateTimeOffset now)
    {
        var previous = (old as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        return previous is not null && (string?)previous["status"] == status && (string?)previous["lastTransitionTime"] is { } time
            ? time
            : ObjectStore.Timestamp(now);
    }
}
