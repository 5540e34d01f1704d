using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>Drops fields the schema does not declare, as apiextensions' structural pruning does.</summary>
internal static class SchemaPruning
{
    private static readonly HashSet<string> ResourceFields = ["apiVersion", "kind", "metadata"];

    /// <summary>
    /// Prunes <paramref name="node"/> in place. A resource (the root, or an
    /// <c>x-kubernetes-embedded-resource</c> object) keeps apiVersion, kind and metadata; metadata is
    /// left to ObjectMeta handling, not to the schema.
    /// </summary>
    public static void Prune(JsonNode? node, StructuralSchemaNode? schema, string path, bool isResourceRoot, List<string> pruned)
    {
        switch (node)
        {
            case JsonObject obj:
                var isResource = isResourceRoot || schema?.EmbeddedResource == true;
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (isResource && ResourceFields.Contains(key) && (key == "metadata" || schema?.Properties.ContainsKey(key) != true))
                        continue;
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    var childSchema = schema?.Field(key);
                    if (childSchema is not null)
                        Prune(obj[key], childSchema, childPath, isResourceRoot: false, pruned);
                    else if (schema?.PreserveUnknownFields != true)
                    {
                        pruned.Add(childPath);
                        obj.Remove(key);
                    }
                }
                break;
            case JsonArray array:
                // Under x-kubernetes-preserve-unknown-fields without an items schema, items are kept whole.
                if (schema?.PreserveUnknownFields == true && schema.Items is null) break;
                for (var i = 0; i < array.Count; i++)
                    Prune(array[i], schema?.Items, $"{path}[{i}]", isResourceRoot: false, pruned);
                break;
        }
    }
}

/// <summary>Null dropping and defaulting, as apiextensions' structural defaulting does.</summary>
internal static class SchemaDefaulting
{
    /// <summary>Removes <c>null</c> object fields whose schema is neither nullable nor defaulted.</summary>
    public static void DropNonNullableNulls(JsonNode? node, StructuralSchemaNode? schema)
    {
        if (schema is null) return;
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var childSchema = schema.Field(key);
                    if (childSchema is null) continue;
                    var value = obj[key];
                    if (JsonValues.IsNull(value) && !childSchema.Nullable && childSchema.Default is null)
                        obj.Remove(key);
                    else
                        DropNonNullableNulls(value, childSchema);
                }
                break;
            case JsonArray array:
                foreach (var item in array) DropNonNullableNulls(item, schema.Items);
                break;
        }
    }

    /// <summary>
    /// Sets declared defaults for missing fields (and for nulls of non-nullable fields), then
    /// descends, so nested defaults apply only below parents that exist or were just defaulted.
    /// </summary>
    public static void ApplyDefaults(JsonNode? node, StructuralSchemaNode? schema)
    {
        if (schema is null) return;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, property) in schema.Properties)
                {
                    if (property.Default is null) continue;
                    if (!obj.TryGetPropertyValue(key, out var existing) || IsNonNullableNull(existing, property))
                        obj[key] = property.Default.DeepClone();
                }
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var childSchema = schema.Field(key);
                    if (childSchema is null) continue;
                    if (!schema.Properties.ContainsKey(key) && childSchema.Default is not null && IsNonNullableNull(obj[key], childSchema))
                        obj[key] = childSchema.Default.DeepClone();
                    ApplyDefaults(obj[key], childSchema);
                }
                break;
            case JsonArray array when schema.Items is not null:
                for (var i = 0; i < array.Count; i++)
                {
                    if (schema.Items.Default is not null && IsNonNullableNull(array[i], schema.Items))
                        array[i] = schema.Items.Default.DeepClone();
                    ApplyDefaults(array[i], schema.Items);
                }
                break;
        }
    }

    private static bool IsNonNullableNull(JsonNode? value, StructuralSchemaNode schema) => JsonValues.IsNull(value) && !schema.Nullable;
}
