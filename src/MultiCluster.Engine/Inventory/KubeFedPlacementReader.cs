using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Reads KubeFed's <c>spec.placement</c> (types.kubefed.io/v1beta1) onto a <see cref="ClusterPlacement"/>:
/// <c>clusters[].name</c> or, when no cluster list is given, <c>clusterSelector</c> (matchLabels
/// and matchExpressions; an empty selector picks every cluster). Workloads and RBAC documents
/// read their placement here; anything else in it is refused with the field it does not understand.
/// </summary>
public static class KubeFedPlacementReader
{
    private static readonly string[] PlacementFields = ["clusters", "clusterSelector"];
    private static readonly string[] SelectorFields = ["matchLabels", "matchExpressions"];

    /// <summary>The placement of a KubeFed document's spec; an empty one when it has none. Throws FleetInputException (KubeFedDocumentInvalid).</summary>
    public static ClusterPlacement Read(JsonObject spec, string source)
    {
        if (spec["placement"] is null) return new ClusterPlacement();
        if (spec["placement"] is not JsonObject placement) throw Invalid(source, "has a spec.placement that is not an object.");
        RefuseUnknown(source, "spec.placement", placement, PlacementFields);

        // KubeFed: a cluster list, even an empty one, wins over the selector.
        if (placement["clusters"] is { } clustersNode)
        {
            if (clustersNode is not JsonArray clusters) throw Invalid(source, "has a spec.placement.clusters that is not a list.");
            var names = new List<string>();
            foreach (var item in clusters)
            {
                var name = item is JsonObject entry ? Text(entry["name"]) : null;
                if (string.IsNullOrWhiteSpace(name)) throw Invalid(source, "has an entry in spec.placement.clusters without a name.");
                names.Add(name);
            }
            return new ClusterPlacement { Names = names };
        }
        if (placement["clusterSelector"] is null) return new ClusterPlacement();
        if (placement["clusterSelector"] is not JsonObject selector) throw Invalid(source, "has a spec.placement.clusterSelector that is not an object.");
        RefuseUnknown(source, "spec.placement.clusterSelector", selector, SelectorFields);
        var requirements = ReadSelector(selector, source);
        return requirements.Count == 0 ? ClusterPlacement.Everywhere : new ClusterPlacement { LabelSelector = string.Join(",", requirements) };
    }

    private static List<string> ReadSelector(JsonObject selector, string source)
    {
        var requirements = new List<string>();
        if (selector["matchLabels"] is { } labelsNode)
        {
            if (labelsNode is not JsonObject labels) throw Invalid(source, "has a clusterSelector.matchLabels that is not a map.");
            foreach (var (key, value) in labels)
            {
                requirements.Add($"{key}={Text(value) ?? throw Invalid(source, $"has a non-text value for clusterSelector.matchLabels.{key}.")}");
            }
        }
        if (selector["matchExpressions"] is { } expressionsNode)
        {
            if (expressionsNode is not JsonArray expressions) throw Invalid(source, "has a clusterSelector.matchExpressions that is not a list.");
            foreach (var item in expressions)
            {
                var key = Text(item?["key"]);
                var op = Text(item?["operator"]);
                var values = (item?["values"] as JsonArray ?? []).Select(Text).ToList();
                if (string.IsNullOrWhiteSpace(key) || op is null || values.Any(v => v is null))
                    throw Invalid(source, "has a clusterSelector.matchExpressions entry without key, operator or text values.");
                requirements.Add(op switch
                {
                    "In" when values.Count > 0 => $"{key} in ({string.Join(",", values)})",
                    "NotIn" when values.Count > 0 => $"{key} notin ({string.Join(",", values)})",
                    "Exists" when values.Count == 0 => key,
                    "DoesNotExist" when values.Count == 0 => "!" + key,
                    _ => throw Invalid(source, $"has the clusterSelector expression '{key} {op} ({string.Join(",", values)})'; " +
                                               "operators are In and NotIn with values, Exists and DoesNotExist without."),
                });
            }
        }
        return requirements;
    }

    internal static void RefuseUnknown(string source, string where, JsonObject map, string[] known)
    {
        var unknown = map.Select(p => p.Key).Where(k => !known.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw Invalid(source, $"has {string.Join(", ", unknown.Select(k => "'" + k + "'"))} in {where}, which KubeFed does not define there (known: {string.Join(", ", known)}).");
    }

    internal static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    internal static FleetInputException Invalid(string source, string problem) =>
        new(PlacementErrorIds.KubeFedDocumentInvalid, FleetErrorCategory.InvalidData, source, $"The KubeFed document {source} {problem}",
            recommendedAction: "Give a types.kubefed.io/v1beta1 Federated<Kind> with spec.template, spec.placement (clusters or clusterSelector) and spec.overrides[].clusterOverrides.");
}
