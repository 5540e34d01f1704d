using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// The part of a live object this module owned, for a rollback: the fields field manager
/// <c>multicluster</c> had applied (its managedFields entry, fieldsV1) with their values then.
/// Applying that, forced, as <c>multicluster</c> puts our fields back and drops the ones a failed
/// wave added, while fields other managers own (replicas an autoscaler set, revision annotations,
/// defaults) are left to them instead of being taken over.
/// </summary>
internal static class OwnedFields
{
    /// <summary>apiVersion, kind, name and namespace of <paramref name="live"/>, plus every field the module applied in it.</summary>
    public static KubeObject Restorable(KubeObject live)
    {
        var owned = new JsonObject();
        foreach (var entry in live.Metadata?["managedFields"] as JsonArray ?? [])
        {
            if ((string?)entry?["manager"] == ResourceClient.FieldManager && (string?)entry?["operation"] == "Apply"
                && entry?["fieldsV1"] is JsonObject fields)
            {
                Merge(owned, Project(live.Json, fields) as JsonObject ?? new JsonObject());
            }
        }
        owned["apiVersion"] = live.ApiVersion;
        owned["kind"] = live.Kind;
        var metadata = owned["metadata"] as JsonObject ?? new JsonObject();
        owned["metadata"] = metadata;
        metadata["name"] = live.Name;
        if (live.Namespace is { } ns) metadata["namespace"] = ns;
        return new KubeObject(owned);
    }

    // The parts of value that the fieldsV1 set names: "f:<field>" for object fields, "k:<keys>" for
    // list items by merge key, "v:<value>" for set members; an empty set (or only ".") is the whole value.
    private static JsonNode? Project(JsonNode? value, JsonObject fields)
    {
        if (value is null || fields.All(f => f.Key == ".")) return value?.DeepClone();
        switch (value)
        {
            case JsonObject obj:
            {
                var projected = new JsonObject();
                foreach (var (key, child) in fields)
                {
                    if (!key.StartsWith("f:", StringComparison.Ordinal)) continue;
                    var name = key[2..];
                    if (obj.TryGetPropertyValue(name, out var field))
                        projected[name] = child is JsonObject childFields ? Project(field, childFields) : field?.DeepClone();
                }
                return projected;
            }
            case JsonArray array:
            {
                var projected = new JsonArray();
                foreach (var (key, child) in fields)
                {
                    if (key.StartsWith("k:", StringComparison.Ordinal))
                    {
                        var keys = JsonNode.Parse(key[2..]) as JsonObject ?? new JsonObject();
                        var item = array.OfType<JsonObject>().FirstOrDefault(i => keys.All(k => JsonNode.DeepEquals(i[k.Key], k.Value)));
                        if (item is null) continue;
                        var part = (child is JsonObject childFields ? Project(item, childFields) : item.DeepClone()) as JsonObject ?? new JsonObject();
                        foreach (var (name, keyValue) in keys) part[name] = keyValue?.DeepClone(); // the merge key identifies the item
                        projected.Add(part);
                    }
                    else if (key.StartsWith("v:", StringComparison.Ordinal))
                    {
                        var member = JsonNode.Parse(key[2..]);
                        if (array.Any(i => JsonNode.DeepEquals(i, member))) projected.Add(member);
                    }
                }
                // A list owned as a whole (atomic) has no per-item entries: it is ours as it is.
                return projected.Count == 0 && !fields.Any(f => f.Key.StartsWith("k:", StringComparison.Ordinal) || f.Key.StartsWith("v:", StringComparison.Ordinal))
                    ? array.DeepClone()
                    : projected;
            }
            default:
                return value.DeepClone();
        }
    }

    private static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (name, value) in from.ToList())
        {
            if (into[name] is JsonObject target && value is JsonObject source) Merge(target, source);
            else into[name] = value?.DeepClone();
        }
    }
}
