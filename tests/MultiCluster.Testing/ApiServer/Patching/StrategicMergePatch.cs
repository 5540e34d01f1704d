using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>
/// Strategic merge patch (application/strategic-merge-patch+json) for the built-in kinds, as
/// apimachinery's strategicpatch applies it: maps merge, lists replace unless the field's patch
/// strategy is merge (by merge key for lists of objects, as a set for lists of scalars), and the
/// directives <c>$patch</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/</c> and <c>$setElementOrder/</c>.
/// </summary>
public static class StrategicMergePatch
{
    private const string PatchDirective = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";
    private const string SetElementOrderPrefix = "$setElementOrder/";

    /// <summary>Returns the patched object; <paramref name="target"/> is not modified.</summary>
    public static JsonNode Apply(JsonNode target, JsonNode patch, string group, string kind) =>
        Apply(target, patch, PatchSchema.ForKind(group, kind));

    /// <summary>Applies with an explicit schema (null: every list is replaced, as for an unknown kind).</summary>
    public static JsonNode Apply(JsonNode target, JsonNode patch, PatchSchema? schema)
    {
        if (patch is not JsonObject patchObject)
            throw new PatchException("strategic merge patch must be a JSON object", malformed: true);
        var original = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        return MergeMap(original, patchObject, schema);
    }

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, PatchSchema? schema)
    {
        if (patch[PatchDirective] is { } directive)
        {
            switch (DirectiveValue(directive))
            {
                case "replace": return (JsonObject)StripDirectives(patch, schema);
                // As apimachinery does: the map is emptied, the field itself stays.
                case "delete": return new JsonObject();
                case "merge": break;
                case var other: throw new PatchException($"unknown patch type: {other} in map: {patch.ToJsonString()}");
            }
        }

        if (patch[RetainKeysDirective] is { } retainKeysValue)
        {
            if (retainKeysValue is not JsonArray retainKeys)
                throw new PatchException("invalid patch format of retainKeys");
            var retained = retainKeys.Select(k => k?.GetValue<string>()).ToHashSet();
            // Every field the patch sets must be listed.
            if (patch.Any(p => !IsDirectiveKey(p.Key) && !JsonValues.IsNull(p.Value) && !retained.Contains(p.Key)))
                throw new PatchException("invalid patch format of retainKeys");
            foreach (var key in original.Select(p => p.Key).Where(k => !retained.Contains(k)).ToList())
                original.Remove(key);
        }

        foreach (var (key, values) in patch)
        {
            if (!key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)) continue;
            var field = key[DeleteFromPrimitiveListPrefix.Length..];
            if (values is not JsonArray toDelete)
                throw new PatchException("invalid patch format of primitive list");
            if (original[field] is JsonArray list)
            {
                // apimachinery's deleteFromSlice: what remains comes back de-duplicated and sorted by its %v text.
                var remaining = list.Where(item => !toDelete.Any(d => JsonValues.DeepEquals(d, item)))
                    .DistinctBy(ScalarText).OrderBy(ScalarText, StringComparer.Ordinal).Select(item => item?.DeepClone());
                original[field] = new JsonArray(remaining.ToArray());
            }
            else if (!original.ContainsKey(field))
            {
                // apimachinery takes the patch value when the original has no such list, so the
                // "deleted" values end up as the list; the emulator does the same.
                original[field] = toDelete.DeepClone();
            }
        }

        foreach (var (key, patchValue) in patch)
        {
            if (IsDirectiveKey(key)) continue;
            var fieldSchema = schema?.Field(key);
            if (JsonValues.IsNull(patchValue))
            {
                original.Remove(key);
                continue;
            }
            var originalValue = original[key];
            original[key] = (originalValue, patchValue) switch
            {
                (JsonObject o, JsonObject p) when !(fieldSchema?.HasStrategy("replace") ?? false) => MergeMap(o, p, fieldSchema),
                (JsonArray o, JsonArray p) => MergeList(o, p, fieldSchema, patch[SetElementOrderPrefix + key] as JsonArray),
                (_, JsonObject p) => MergeMapIntoNothing(p, fieldSchema),
                (_, JsonArray p) => MergeList(new JsonArray(), p, fieldSchema, patch[SetElementOrderPrefix + key] as JsonArray),
                _ => patchValue!.DeepClone(),
            };
        }

        // Order-only directives for lists the patch does not otherwise touch.
        foreach (var (key, order) in patch)
        {
            if (!key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal) || order is not JsonArray orderList) continue;
            var field = key[SetElementOrderPrefix.Length..];
            if (patch.ContainsKey(field) || original[field] is not JsonArray list) continue;
            original[field] = Reorder(list, orderList, schema?.Field(field)?.PatchMergeKey, list);
        }
        return original;
    }

    private static JsonObject MergeMapIntoNothing(JsonObject patch, PatchSchema? schema) => MergeMap(new JsonObject(), patch, schema);

    private static JsonArray MergeList(JsonArray original, JsonArray patch, PatchSchema? schema, JsonArray? order)
    {
        if (schema is null || !schema.HasStrategy("merge"))
            return (JsonArray)StripDirectives(patch, schema);

        var items = patch.Where(item => !IsDirectiveItem(item)).ToList();
        var directives = patch.Where(IsDirectiveItem).Cast<JsonObject>().ToList();
        if (directives.Any(d => DirectiveValue(d[PatchDirective]) == "replace"))
            return (JsonArray)StripDirectives(new JsonArray(items.Select(i => i?.DeepClone()).ToArray()), schema);

        var mergeKey = schema.PatchMergeKey;
        JsonArray result;
        if (original.Concat(patch).All(i => i is not JsonObject))
        {
            // A list of scalars with the merge strategy is a set: keep the original, add what is new.
            result = (JsonArray)original.DeepClone();
            foreach (var item in items)
                if (!result.Any(existing => JsonValues.DeepEquals(existing, item)))
                    result.Add(item?.DeepClone());
        }
        else
        {
            if (mergeKey is null)
                throw new PatchException("cannot merge lists without merge key for type map");
            result = (JsonArray)original.DeepClone();
            foreach (var directive in directives)
            {
                var action = DirectiveValue(directive[PatchDirective]);
                if (action == "merge")
                    throw new PatchException("merging lists cannot yet be specified in the patch");
                if (action != "delete")
                    throw new PatchException($"unknown patch type: {action} in map: {directive.ToJsonString()}");
                var keyValue = directive[mergeKey] ?? throw new PatchException("delete patch type with no merge key defined");
                foreach (var match in result.Where(r => r is JsonObject o && JsonValues.DeepEquals(o[mergeKey], keyValue)).ToList())
                    result.Remove(match);
            }
            foreach (var item in items)
            {
                if (item is not JsonObject itemObject || !itemObject.TryGetPropertyValue(mergeKey, out var keyValue))
                    throw new PatchException($"map: {item?.ToJsonString() ?? "null"} does not contain declared merge key: {mergeKey}");
                var index = IndexOf(result, mergeKey, keyValue);
                if (index >= 0)
                    result[index] = MergeMap((JsonObject)result[index]!.DeepClone(), itemObject, schema.Items);
                else
                    result.Add(MergeMap(new JsonObject(), itemObject, schema.Items));
            }
        }
        return order is null ? result : Reorder(result, order, mergeKey, original);
    }

    private static int IndexOf(JsonArray list, string mergeKey, JsonNode? keyValue)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] is JsonObject o && JsonValues.DeepEquals(o[mergeKey], keyValue)) return i;
        return -1;
    }

    /// <summary>
    /// Applies a <c>$setElementOrder</c> list as apimachinery's normalizeElementOrder does: the listed
    /// elements take the given order, the elements only the server has keep their live order, and
    /// the two runs are merged by live position where both elements have one.
    /// </summary>
    private static JsonArray Reorder(JsonArray list, JsonArray order, string? mergeKey, JsonArray live)
    {
        JsonNode? Identity(JsonNode? item) => mergeKey is not null && item is JsonObject o ? o[mergeKey] : item;
        int LiveIndex(JsonNode? item) => live.Select((l, i) => (l, i)).FirstOrDefault(x => JsonValues.DeepEquals(Identity(x.l), Identity(item)), (null, -1)).Item2;

        var remaining = list.Select(i => i?.DeepClone()).ToList();
        var listed = new List<JsonNode?>();
        foreach (var wanted in order)
        {
            var index = remaining.FindIndex(i => JsonValues.DeepEquals(Identity(i), Identity(wanted)));
            if (index < 0) continue;
            listed.Add(remaining[index]);
            remaining.RemoveAt(index);
        }
        // Merge the two sorted runs: a server-only element goes first only when both are in the live list and it came earlier there.
        var merged = new List<JsonNode?>();
        int left = 0, right = 0;
        while (left < remaining.Count || right < listed.Count)
        {
            var takeLeft = right >= listed.Count ||
                (left < remaining.Count && LiveIndex(remaining[left]) is var li && LiveIndex(listed[right]) is var ri && li >= 0 && ri >= 0 && li < ri);
            merged.Add(takeLeft ? remaining[left++] : listed[right++]);
        }
        return new JsonArray(merged.ToArray());
    }

    private static string ScalarText(JsonNode? item) =>
        item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : JsonValues.GoValue(item);

    private static bool IsDirectiveKey(string key) =>
        key == PatchDirective || key == RetainKeysDirective ||
        key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal) ||
        key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal);

    private static bool IsDirectiveItem(JsonNode? item) => item is JsonObject o && o.ContainsKey(PatchDirective);

    private static string? DirectiveValue(JsonNode? directive) =>
        directive is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : directive?.ToJsonString();

    /// <summary>A copy of a patch fragment with every directive removed, as stored when it replaces a value.</summary>
    private static JsonNode StripDirectives(JsonNode node, PatchSchema? schema) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => !IsDirectiveKey(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : StripDirectives(p.Value, schema?.Field(p.Key))))),
        JsonArray a => new JsonArray(a.Where(i => !IsDirectiveItem(i)).Select(i => i is null ? null : StripDirectives(i, schema?.Items)).ToArray()),
        _ => node.DeepClone(),
    };
}
