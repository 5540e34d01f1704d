using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>
/// Server-side apply and metadata.managedFields bookkeeping, following structured-merge-diff's
/// Updater: an Apply merges the configuration into the live object, fails on fields other managers
/// own whose value it changes (unless forced, which takes them over), makes the applier own exactly
/// what it applied, and removes fields it applied before and now omits when nobody else owns them;
/// an Update makes the writer own what it added or changed and takes those fields from the others.
/// </summary>
/// <remarks>
/// Not tracked, as in kube-apiserver: apiVersion, kind, and metadata name, generateName, namespace,
/// uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, managedFields, selfLink;
/// status on writes to the main resource, everything but status on writes to the status
/// subresource (when the kind has one). Lists without a list type (or a merge patch strategy) are atomic.
/// </remarks>
public static class ManagedFields
{
    private const string BeforeFirstApply = "before-first-apply";

    private static readonly HashSet<string> UntrackedMetadata =
    [
        "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink",
    ];

    /// <summary>Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (null = create).</summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, ManagedFieldsOptions options)
    {
        var schema = SchemaFor(options);
        var managers = ReadManagers(live, options);
        if (live is not null && live["metadata"]?["managedFields"] is not JsonArray { Count: > 0 })
        {
            // An object written before any field manager ran is owned as a whole by this pseudo-manager.
            var everything = new FieldSet();
            CollectApplied(Tracked(live, options), schema, [], everything);
            if (!everything.IsEmpty)
                managers.Add(new Manager(BeforeFirstApply, "Update", options.ApiVersion, null, options.Now, everything));
        }

        var liveTracked = Tracked(live ?? new JsonObject(), options);
        var merged = (JsonObject)Merge(live?.DeepClone() ?? new JsonObject(), applied, schema)!;
        ResetOtherPart(merged, live, options);
        var first = Compare(liveTracked, Tracked(merged, options), schema);
        var changed = first.Added.Union(first.Modified);

        var self = managers.FirstOrDefault(m => m.Is(options.Manager, "Apply", options.Subresource));
        var conflicts = new List<ApplyConflict>();
        foreach (var other in managers.Where(m => m != self))
            foreach (var path in other.Fields.Intersection(changed).Paths())
                conflicts.Add(new ApplyConflict(other.Name, FieldSet.Describe(path))
                {
                    Operation = other.Operation,
                    ManagerApiVersion = other.ApiVersion,
                    Subresource = other.Subresource,
                });
        if (conflicts.Count > 0 && !options.Force)
            return new ApplyResult((JsonObject)(live?.DeepClone() ?? applied.DeepClone()), conflicts);

        foreach (var other in managers.Where(m => m != self))
            other.Fields = other.Fields.Difference(changed).Difference(first.Removed);

        var appliedSet = new FieldSet();
        CollectApplied(Tracked(applied, options), schema, [], appliedSet);
        var previouslyApplied = self?.Fields ?? new FieldSet();
        if (self is null)
        {
            self = new Manager(options.Manager, "Apply", options.ApiVersion, options.Subresource, options.Now, appliedSet);
            managers.Add(self);
        }
        var sameOwnership = self.Fields.Difference(appliedSet).IsEmpty && appliedSet.Difference(self.Fields).IsEmpty && self.ApiVersion == options.ApiVersion;
        self.Fields = appliedSet;
        self.ApiVersion = options.ApiVersion;

        // Fields this manager applied before and omits now go away unless someone still owns them.
        var owned = managers.Aggregate(new FieldSet(), (all, m) => all.Union(m.Fields));
        var dropped = previouslyApplied.Difference(owned);
        foreach (var path in dropped.Paths().Where(p => !Enumerable.Range(1, p.Count - 1).Any(n => dropped.Contains(p.Take(n).ToList()))))
            RemovePath(merged, path, schema);
        var second = Compare(liveTracked, Tracked(merged, options), schema);
        foreach (var other in managers.Where(m => m != self))
            other.Fields = other.Fields.Difference(second.Removed);
        // structured-merge-diff's Updater drops every other manager left owning nothing (merge/update.go).
        managers.RemoveAll(m => m != self && m.Fields.IsEmpty);

        // A no-op apply leaves the manager's timestamp alone.
        if (!sameOwnership || !JsonValues.DeepEquals(WithoutManagedFields(live), WithoutManagedFields(merged)))
            self.Time = options.Now;
        WriteManagers(merged, managers);
        return new ApplyResult(merged, options.Force ? [] : conflicts);
    }

    /// <summary>Records an Update operation by the manager in <paramref name="updated"/>'s managedFields.</summary>
    public static void RecordUpdate(JsonObject? live, JsonObject updated, ManagedFieldsOptions options)
    {
        var schema = SchemaFor(options);
        var managers = ManagersOfUpdate(live, updated, options);
        var comparison = Compare(Tracked(live ?? new JsonObject(), options), Tracked(updated, options), schema);
        var changed = comparison.Added.Union(comparison.Modified);

        var self = managers.FirstOrDefault(m => m.Is(options.Manager, "Update", options.Subresource));
        foreach (var other in managers.Where(m => m != self))
            other.Fields = other.Fields.Difference(changed).Difference(comparison.Removed);
        var fields = (self?.Fields ?? new FieldSet()).Union(changed).Difference(comparison.Removed);
        if (self is null)
        {
            if (!fields.IsEmpty)
                managers.Add(new Manager(options.Manager, "Update", options.ApiVersion, options.Subresource, options.Now, fields));
        }
        else
        {
            self.Fields = fields;
            if (!changed.IsEmpty || !comparison.Removed.IsEmpty)
            {
                self.Time = options.Now;
                self.ApiVersion = options.ApiVersion;
            }
        }
        // As structured-merge-diff's Updater.Update: a manager (applier or updater) that owns nothing any more is dropped.
        managers.RemoveAll(m => m.Fields.IsEmpty);
        WriteManagers(updated, managers);
    }

    private sealed class Manager(string name, string operation, string apiVersion, string? subresource, DateTimeOffset time, FieldSet fields)
    {
        public string Name { get; } = name;
        public string Operation { get; } = operation;
        public string ApiVersion { get; set; } = apiVersion;
        public string? Subresource { get; } = subresource;
        public DateTimeOffset Time { get; set; } = time;
        public FieldSet Fields { get; set; } = fields;

        public bool Is(string name, string operation, string? subresource) =>
            Name == name && Operation == operation && (Subresource ?? "") == (subresource ?? "");
    }

    private static PatchSchema? SchemaFor(ManagedFieldsOptions options) =>
        options.Schema is not null ? PatchSchema.FromStructural(options.Schema.Root) : PatchSchema.ForKind(options.Group, options.Kind);

    // As kube-apiserver's field manager (decodeLiveOrNew): a main-resource write that sets managedFields
    // replaces them ([{}] resets them to none); one that leaves them out, or a subresource write, keeps the live ones.
    private static List<Manager> ManagersOfUpdate(JsonObject? live, JsonObject updated, ManagedFieldsOptions options)
    {
        if (!string.IsNullOrEmpty(options.Subresource) || updated["metadata"]?["managedFields"] is not JsonArray { Count: > 0 } sent)
            return ReadManagers(live, options);
        if (sent.Count == 1 && sent[0] is JsonObject { Count: 0 }) return [];
        return ReadManagers(updated, options);
    }

    private static List<Manager> ReadManagers(JsonObject? live, ManagedFieldsOptions options)
    {
        var managers = new List<Manager>();
        if (live?["metadata"]?["managedFields"] is not JsonArray entries) return managers;
        foreach (var entry in entries.OfType<JsonObject>())
        {
            var time = entry["time"]?.GetValue<string>() is { } text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : options.Now;
            managers.Add(new Manager(
                entry["manager"]?.GetValue<string>() ?? "",
                entry["operation"]?.GetValue<string>() ?? "Update",
                entry["apiVersion"]?.GetValue<string>() ?? options.ApiVersion,
                entry["subresource"]?.GetValue<string>(),
                time,
                FieldSet.FromFieldsV1(entry["fieldsV1"] as JsonObject)));
        }
        return managers;
    }

    private static JsonObject? WithoutManagedFields(JsonObject? obj)
    {
        if (obj?.DeepClone() is not JsonObject copy) return null;
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    /// <summary>Writes the entries in kube-apiserver's order: by operation, then time, manager and subresource.</summary>
    private static void WriteManagers(JsonObject obj, List<Manager> managers)
    {
        var entries = new JsonArray();
        var ordered = managers
            .Where(m => !m.Fields.IsEmpty || m.Operation == "Apply")
            .OrderBy(m => m.Operation, StringComparer.Ordinal)
            .ThenBy(m => m.Time.ToUnixTimeSeconds())
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Subresource ?? "", StringComparer.Ordinal);
        foreach (var manager in ordered)
        {
            var entry = new JsonObject
            {
                ["manager"] = manager.Name,
                ["operation"] = manager.Operation,
                ["apiVersion"] = manager.ApiVersion,
                ["time"] = manager.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = manager.Fields.ToFieldsV1(),
            };
            if (!string.IsNullOrEmpty(manager.Subresource)) entry["subresource"] = manager.Subresource;
            entries.Add(entry);
        }
        if (obj["metadata"] is not JsonObject metadata) obj["metadata"] = metadata = new JsonObject();
        metadata["managedFields"] = entries;
    }

    /// <summary>
    /// With a status subresource, an apply to the main resource keeps the live status and an apply
    /// to status keeps everything else live (kube-apiserver's reset fields).
    /// </summary>
    private static void ResetOtherPart(JsonObject merged, JsonObject? live, ManagedFieldsOptions options)
    {
        if (!options.HasStatusSubresource) return;
        if (options.Subresource == "status")
        {
            if (live is null) return;
            foreach (var key in merged.Select(p => p.Key).Where(k => k != "status").ToList()) merged.Remove(key);
            foreach (var (key, value) in live.Where(p => p.Key != "status")) merged[key] = value?.DeepClone();
        }
        else if (options.Subresource is null)
        {
            if (live?["status"] is { } status) merged["status"] = status.DeepClone();
            else merged.Remove("status");
        }
    }

    /// <summary>A copy holding only the fields the field manager tracks for this write.</summary>
    private static JsonObject Tracked(JsonObject obj, ManagedFieldsOptions options)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("apiVersion");
        copy.Remove("kind");
        if (options.Subresource == "status")
        {
            foreach (var key in copy.Select(p => p.Key).Where(k => k != "status").ToList()) copy.Remove(key);
            return copy;
        }
        if (options.HasStatusSubresource) copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var key in UntrackedMetadata) metadata.Remove(key);
            if (metadata.Count == 0) copy.Remove("metadata");
        }
        return copy;
    }

    private enum ListKind { Atomic, Map, Set }

    private static (ListKind Kind, IReadOnlyList<string> Keys) ListOf(PatchSchema? schema)
    {
        if (schema is null) return (ListKind.Atomic, []);
        if (schema.ListType == "map" && schema.ListMapKeys.Count > 0) return (ListKind.Map, schema.ListMapKeys);
        if (schema.ListType == "set") return (ListKind.Set, []);
        if (schema.ListType is null && schema.HasStrategy("merge"))
            return schema.PatchMergeKey is { } key ? (ListKind.Map, [key]) : (ListKind.Set, []);
        return (ListKind.Atomic, []);
    }

    private static bool IsGranularObject(JsonNode? node, PatchSchema? schema) => node is JsonObject && schema?.MapType != "atomic";

    /// <summary>
    /// The path element of a list item: its key fields for a map list (a missing key field takes its
    /// schema default, as structured-merge-diff does), its value for a set, else its index.
    /// </summary>
    private static string ItemElement(JsonNode? item, ListKind kind, IReadOnlyList<string> keys, int index, PatchSchema? itemSchema) => kind switch
    {
        ListKind.Map when item is JsonObject o => FieldSet.KeyElement(keys
            .Select(k => KeyValuePair.Create(k, o.TryGetPropertyValue(k, out var v) ? v : itemSchema?.Field(k)?.Default))
            .Where(k => k.Value is not null)),
        ListKind.Set => FieldSet.ValueElement(item),
        _ => FieldSet.IndexElement(index),
    };

    /// <summary>
    /// The fields a value sets: structured-merge-diff's ToFieldSet (leaves and associative list items)
    /// for an applied configuration; for a value an update added, also added maps (labels ...) and
    /// empty containers themselves, as its comparison reports them.
    /// </summary>
    private static void CollectApplied(JsonNode? node, PatchSchema? schema, List<string> path, FieldSet set, bool added = false)
    {
        if (added && path.Count > 0 && (node is JsonObject { Count: 0 } or JsonArray { Count: 0 } || (node is JsonObject && schema?.IsMap == true)))
            set.Insert(path);
        switch (node)
        {
            case JsonObject obj when IsGranularObject(obj, schema) || path.Count == 0:
                foreach (var (key, value) in obj)
                {
                    path.Add(FieldSet.FieldElement(key));
                    CollectApplied(value, schema?.Field(key), path, set, added);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonArray array when ListOf(schema) is var (kind, keys) && kind != ListKind.Atomic:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add(ItemElement(array[i], kind, keys, i, schema!.Items));
                    set.Insert(path);
                    if (kind == ListKind.Map && array[i] is JsonObject item)
                        foreach (var (key, value) in item)
                        {
                            path.Add(FieldSet.FieldElement(key));
                            CollectApplied(value, schema!.Items?.Field(key), path, set, added);
                            path.RemoveAt(path.Count - 1);
                        }
                    path.RemoveAt(path.Count - 1);
                }
                break;
            default:
                set.Insert(path);
                break;
        }
    }

    /// <summary>Every path inside a removed value, containers included.</summary>
    private static void CollectAll(JsonNode? node, PatchSchema? schema, List<string> path, FieldSet set)
    {
        if (path.Count > 0) set.Insert(path);
        switch (node)
        {
            case JsonObject obj when IsGranularObject(obj, schema):
                foreach (var (key, value) in obj)
                {
                    path.Add(FieldSet.FieldElement(key));
                    CollectAll(value, schema?.Field(key), path, set);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonArray array when ListOf(schema) is var (kind, keys) && kind != ListKind.Atomic:
                for (var i = 0; i < array.Count; i++)
                {
                    path.Add(ItemElement(array[i], kind, keys, i, schema!.Items));
                    CollectAll(array[i], schema!.Items, path, set);
                    path.RemoveAt(path.Count - 1);
                }
                break;
        }
    }

    private sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed);

    private static Comparison Compare(JsonObject before, JsonObject after, PatchSchema? schema)
    {
        var comparison = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        CompareObjects(before, after, schema, [], comparison);
        return comparison;
    }

    private static void CompareValues(JsonNode? before, JsonNode? after, PatchSchema? schema, List<string> path, Comparison comparison)
    {
        if (before is JsonObject b && after is JsonObject a && IsGranularObject(a, schema))
        {
            CompareObjects(b, a, schema, path, comparison);
            return;
        }
        if (before is JsonArray bl && after is JsonArray al && ListOf(schema) is var (kind, keys) && kind != ListKind.Atomic)
        {
            var beforeItems = bl.Select((item, i) => (Element: ItemElement(item, kind, keys, i, schema!.Items), Item: item)).ToList();
            var afterItems = al.Select((item, i) => (Element: ItemElement(item, kind, keys, i, schema!.Items), Item: item)).ToList();
            foreach (var (element, item) in afterItems)
            {
                path.Add(element);
                var match = beforeItems.FirstOrDefault(x => x.Element == element);
                if (match.Element is null)
                {
                    comparison.Added.Insert(path);
                    if (kind == ListKind.Map) CollectAddedItem(item, schema!.Items, path, comparison.Added);
                }
                else if (kind == ListKind.Map && match.Item is JsonObject beforeItem && item is JsonObject afterItem)
                    CompareObjects(beforeItem, afterItem, schema!.Items, path, comparison);
                path.RemoveAt(path.Count - 1);
            }
            foreach (var (element, item) in beforeItems.Where(x => afterItems.All(y => y.Element != x.Element)))
            {
                path.Add(element);
                CollectAll(item, schema!.Items, path, comparison.Removed);
                path.RemoveAt(path.Count - 1);
            }
            return;
        }
        if (!JsonValues.DeepEquals(before, after)) comparison.Modified.Insert(path);
    }

    private static void CollectAddedItem(JsonNode? item, PatchSchema? itemSchema, List<string> path, FieldSet set)
    {
        if (item is not JsonObject obj) return;
        foreach (var (key, value) in obj)
        {
            path.Add(FieldSet.FieldElement(key));
            CollectApplied(value, itemSchema?.Field(key), path, set, added: true);
            path.RemoveAt(path.Count - 1);
        }
    }

    private static void CompareObjects(JsonObject before, JsonObject after, PatchSchema? schema, List<string> path, Comparison comparison)
    {
        foreach (var (key, value) in after)
        {
            path.Add(FieldSet.FieldElement(key));
            if (before.TryGetPropertyValue(key, out var old))
                CompareValues(old, value, schema?.Field(key), path, comparison);
            else
                CollectApplied(value, schema?.Field(key), path, comparison.Added, added: true);
            path.RemoveAt(path.Count - 1);
        }
        foreach (var (key, value) in before.Where(p => !after.ContainsKey(p.Key)))
        {
            path.Add(FieldSet.FieldElement(key));
            CollectAll(value, schema?.Field(key), path, comparison.Removed);
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>Merges an applied configuration into the live object: granular maps by field, associative lists by key, the rest replaced.</summary>
    private static JsonNode? Merge(JsonNode? live, JsonNode? applied, PatchSchema? schema)
    {
        if (live is JsonObject liveObject && applied is JsonObject appliedObject && IsGranularObject(appliedObject, schema))
        {
            foreach (var (key, value) in appliedObject)
            {
                if (JsonValues.IsNull(value))
                    liveObject.Remove(key);
                else
                    liveObject[key] = Merge(liveObject[key]?.DeepClone(), value, schema?.Field(key));
            }
            return liveObject;
        }
        if (live is JsonArray liveList && applied is JsonArray appliedList && ListOf(schema) is var (kind, keys) && kind != ListKind.Atomic)
        {
            var result = new JsonArray(liveList.Select(i => i?.DeepClone()).ToArray());
            foreach (var item in appliedList)
            {
                var element = ItemElement(item, kind, keys, -1, schema!.Items);
                var index = -1;
                for (var i = 0; i < result.Count && index < 0; i++)
                    if (ItemElement(result[i], kind, keys, i, schema.Items) == element) index = i;
                if (index < 0)
                    result.Add(item?.DeepClone());
                else if (kind == ListKind.Map)
                    result[index] = Merge(result[index]?.DeepClone(), item, schema.Items);
            }
            return result;
        }
        return applied?.DeepClone();
    }

    /// <summary>Removes the value at a fieldsV1 path, if present.</summary>
    private static void RemovePath(JsonObject root, IReadOnlyList<string> path, PatchSchema? schema)
    {
        JsonNode? current = root;
        for (var i = 0; i < path.Count && current is not null; i++)
        {
            var element = path[i];
            var last = i == path.Count - 1;
            switch (current)
            {
                case JsonObject obj when element.StartsWith("f:", StringComparison.Ordinal):
                    if (last) obj.Remove(element[2..]);
                    else current = obj[element[2..]];
                    schema = schema?.Field(element[2..]);
                    break;
                case JsonArray list:
                    var (kind, keys) = ListOf(schema);
                    var index = Enumerable.Range(0, list.Count).FirstOrDefault(n => ItemElement(list[n], kind, keys, n, schema?.Items) == element, -1);
                    if (index < 0) return;
                    if (last) list.RemoveAt(index);
                    else current = list[index];
                    schema = schema?.Items;
                    break;
                default:
                    return;
            }
        }
    }
}
