using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// Finds (and drops) the fields of a built-in object that its type does not have, as the real
/// server's typed decoding does, using the real OpenAPI v3 documents in shared/crds. Kinds
/// without a document there are not checked.
/// </summary>
internal static class BuiltinSchemas
{
    private static readonly ConcurrentDictionary<string, JsonObject?> Documents = new();

    /// <summary>Removes unknown fields from <paramref name="obj"/> and returns their paths (e.g. <c>spec.foo</c>).</summary>
    public static IReadOnlyList<string> DropUnknownFields(ResourceType type, string version, JsonObject obj)
    {
        var document = DocumentFor(type.Group, version);
        if (document?["components"]?["schemas"] is not JsonObject schemas) return [];
        var root = schemas.Select(kv => kv.Value).OfType<JsonObject>().FirstOrDefault(s =>
            s["x-kubernetes-group-version-kind"] is JsonArray gvks && gvks.OfType<JsonObject>().Any(g =>
                g["group"]?.ToString() == type.Group && g["version"]?.ToString() == version && g["kind"]?.ToString() == type.Kind));
        if (root is null) return [];
        var unknown = new List<string>();
        Walk(obj, root, schemas, "", unknown);
        return unknown;
    }

    private static void Walk(JsonNode? node, JsonObject schema, JsonObject schemas, string path, List<string> unknown)
    {
        schema = Resolve(schema, schemas);
        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true) return;
        switch (node)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (key, value) in obj.ToList())
                {
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (properties[key] is JsonObject child) Walk(value, child, schemas, childPath, unknown);
                    else
                    {
                        unknown.Add(childPath);
                        obj.Remove(key);
                    }
                }
                break;
            case JsonObject map when schema["additionalProperties"] is JsonObject valueSchema:
                foreach (var (key, value) in map.ToList()) Walk(value, valueSchema, schemas, $"{path}.{key}", unknown);
                break;
            case JsonArray array when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < array.Count; i++) Walk(array[i], itemSchema, schemas, $"{path}[{i}]", unknown);
                break;
        }
    }

    private static JsonObject Resolve(JsonObject schema, JsonObject schemas)
    {
        for (var depth = 0; depth < 16; depth++)
        {
            var reference = schema["$ref"]?.ToString()
                ?? (schema["allOf"] is JsonArray { Count: 1 } allOf ? allOf[0]?["$ref"]?.ToString() : null);
            if (reference is null || schemas[reference.Split('/')[^1]] is not JsonObject target) return schema;
            schema = target;
        }
        return schema;
    }

    private static JsonObject? DocumentFor(string group, string version)
    {
        var key = group.Length == 0 ? $"api__{version}" : $"apis__{group}__{version}";
        return Documents.GetOrAdd(key, k =>
        {
            if (SharedFiles.Crds is not { } crds) return null;
            var file = Path.Combine(crds, "kubernetes-openapi-v3", k + "_openapi.json");
            return File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) as JsonObject : null;
        });
    }
}
