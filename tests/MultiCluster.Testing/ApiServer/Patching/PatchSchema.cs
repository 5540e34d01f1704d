using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>
/// What strategic merge patch and server-side apply need to know about one position in a kind's
/// schema: patch strategy and merge key, list type and map keys, map type. Built from the
/// Kubernetes OpenAPI documents in shared/crds/kubernetes-openapi-v3 when present, from a small
/// built-in table otherwise, and from a CRD's structural schema for custom resources.
/// </summary>
public sealed class PatchSchema
{
    private readonly Func<string, PatchSchema?> _field;
    private readonly Lazy<PatchSchema?> _items;

    private PatchSchema(string? patchStrategy, string? patchMergeKey, string? listType, IReadOnlyList<string> listMapKeys,
        string? mapType, Func<string, PatchSchema?> field, Func<PatchSchema?> items)
    {
        PatchStrategy = patchStrategy;
        PatchMergeKey = patchMergeKey;
        ListType = listType;
        ListMapKeys = listMapKeys;
        MapType = mapType;
        _field = field;
        _items = new Lazy<PatchSchema?>(items);
    }

    /// <summary><c>x-kubernetes-patch-strategy</c>: merge, retainKeys, "merge,retainKeys", replace; null = replace lists, merge maps.</summary>
    public string? PatchStrategy { get; }
    public string? PatchMergeKey { get; }
    /// <summary><c>x-kubernetes-list-type</c>: atomic, set, map; null when not declared.</summary>
    public string? ListType { get; }
    public IReadOnlyList<string> ListMapKeys { get; }
    /// <summary><c>x-kubernetes-map-type</c>: atomic or granular; null when not declared.</summary>
    public string? MapType { get; }
    public PatchSchema? Items => _items.Value;
    /// <summary>A map with arbitrary keys (additionalProperties, e.g. labels), not a struct with declared fields.</summary>
    public bool IsMap { get; private init; }
    /// <summary>The schema default (server-side apply fills missing list-map key fields with it).</summary>
    public JsonNode? Default { get; private init; }

    public PatchSchema? Field(string name) => _field(name);

    public bool HasStrategy(string strategy) =>
        PatchStrategy?.Split(',').Contains(strategy, StringComparer.Ordinal) == true;

    private static readonly ConcurrentDictionary<(string Group, string Kind), PatchSchema?> KindCache = new();
    private static readonly Lazy<Dictionary<(string Group, string Kind), (JsonObject Schema, JsonObject Components)>> BuiltInKinds = new(LoadBuiltInKinds);

    /// <summary>The schema of a built-in kind (group "" for core), or null for a kind neither source knows.</summary>
    public static PatchSchema? ForKind(string group, string kind) => KindCache.GetOrAdd((group, kind), key =>
        BuiltInKinds.Value.TryGetValue(key, out var found)
            ? FromOpenApi(found.Schema, found.Components)
            : BuiltInTable.ForKind(key.Group, key.Kind));

    /// <summary>The built-in table alone (what <see cref="ForKind"/> uses when the OpenAPI documents are absent).</summary>
    public static PatchSchema? FromBuiltInTable(string group, string kind) => BuiltInTable.ForKind(group, kind);

    /// <summary>The schema of a custom resource, from its CRD's structural schema (list types and map keys only).</summary>
    public static PatchSchema FromStructural(StructuralSchemaNode node) => new(
        patchStrategy: null, patchMergeKey: null, node.ListType, node.ListMapKeys, node.MapType,
        name => node.Field(name) is { } child ? FromStructural(child) : null,
        () => node.Items is { } items ? FromStructural(items) : null)
    {
        IsMap = node.AdditionalProperties is not null && node.Properties.Count == 0,
        Default = node.Default,
    };

    internal static PatchSchema Create(string? patchStrategy, string? patchMergeKey, string? listType, IReadOnlyList<string> listMapKeys,
        string? mapType, Func<string, PatchSchema?> field, Func<PatchSchema?> items, bool isMap = false, JsonNode? defaultValue = null) =>
        new(patchStrategy, patchMergeKey, listType, listMapKeys, mapType, field, items) { IsMap = isMap, Default = defaultValue };

    private static Dictionary<(string, string), (JsonObject, JsonObject)> LoadBuiltInKinds()
    {
        var kinds = new Dictionary<(string, string), (JsonObject, JsonObject)>();
        var folder = SharedFiles.Crds is { } crds ? Path.Combine(crds, "kubernetes-openapi-v3") : null;
        if (folder is null || !Directory.Exists(folder)) return kinds;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            if (JsonNode.Parse(File.ReadAllText(file))?["components"]?["schemas"] is not JsonObject components) continue;
            foreach (var (_, schema) in components)
            {
                if (schema is not JsonObject schemaObject || schemaObject["x-kubernetes-group-version-kind"] is not JsonArray gvks) continue;
                // Only a kind's own schema names exactly one group-version-kind; shared types (DeleteOptions ...) name many.
                if (gvks.Count != 1) continue;
                var group = gvks[0]?["group"]?.GetValue<string>() ?? "";
                var kind = gvks[0]?["kind"]?.GetValue<string>() ?? "";
                kinds.TryAdd((group, kind), (schemaObject, components));
            }
        }
        return kinds;
    }

    private static PatchSchema FromOpenApi(JsonObject schema, JsonObject components)
    {
        var resolved = Resolve(schema, components);
        string? Extension(string name) =>
            (schema[name] ?? resolved[name]) is JsonValue v ? v.GetValue<string>() : null;
        var keys = schema["x-kubernetes-list-map-keys"] is JsonArray mapKeys
            ? mapKeys.Select(k => k!.GetValue<string>()).ToList()
            : new List<string>();
        return new PatchSchema(
            Extension("x-kubernetes-patch-strategy"), Extension("x-kubernetes-patch-merge-key"),
            Extension("x-kubernetes-list-type"), keys, Extension("x-kubernetes-map-type"),
            name => resolved["properties"]?[name] is JsonObject property ? FromOpenApi(property, components)
                : resolved["additionalProperties"] is JsonObject additional ? FromOpenApi(additional, components)
                : null,
            () => resolved["items"] is JsonObject items ? FromOpenApi(items, components) : null)
        {
            IsMap = resolved["additionalProperties"] is JsonObject && resolved["properties"] is null,
            Default = schema["default"] ?? resolved["default"],
        };
    }

    /// <summary>Follows <c>$ref</c> and the single-<c>$ref</c> <c>allOf</c> wrapper the v3 documents use.</summary>
    private static JsonObject Resolve(JsonObject schema, JsonObject components)
    {
        for (var depth = 0; depth < 16; depth++)
        {
            var reference = schema["$ref"]?.GetValue<string>()
                ?? (schema["allOf"] is JsonArray { Count: 1 } allOf ? allOf[0]?["$ref"]?.GetValue<string>() : null);
            if (reference is null) return schema;
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            if (components[name] is not JsonObject target) return schema;
            schema = target;
        }
        return schema;
    }
}
