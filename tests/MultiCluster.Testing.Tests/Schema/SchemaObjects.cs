using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.Tests.Schema;

/// <summary>Builds the smallest object a schema accepts: every required field, with a value that meets its constraints.</summary>
internal static class SchemaObjects
{
    private static readonly string[] StringCandidates =
        ["example", "a", "a1", "1", "v1.32.0", "1.0.0", "10s", "10.0.0.0/16", "10.0.0.1", "example.com", "https://example.com", "us-east-1", "A", "0 7 * * *"];

    public static JsonNode? Minimal(StructuralSchemaNode schema)
    {
        if (schema.Default is not null) return schema.Default.DeepClone();
        if (schema.Enum is { Count: > 0 }) return schema.Enum[0]?.DeepClone();
        if (schema.IntOrString) return JsonValue.Create(1);
        return schema.Type switch
        {
            "string" => JsonValue.Create(MinimalString(schema)),
            "integer" => JsonValue.Create((long)MinimalNumber(schema)),
            "number" => JsonValue.Create(MinimalNumber(schema)),
            "boolean" => JsonValue.Create(false),
            "array" => new JsonArray(Enumerable.Range(0, (int)(schema.MinItems ?? 0)).Select(_ => schema.Items is null ? null : Minimal(schema.Items)).ToArray()),
            _ => MinimalObject(schema),
        };
    }

    public static JsonObject MinimalObject(StructuralSchemaNode schema)
    {
        var obj = new JsonObject();
        if (schema.EmbeddedResource)
        {
            obj["apiVersion"] = "v1";
            obj["kind"] = "ConfigMap";
            obj["metadata"] = new JsonObject { ["name"] = "example" };
        }
        // A oneOf/anyOf of required-field branches needs one branch's fields.
        var required = schema.Required.Concat(schema.OneOf.Concat(schema.AnyOf).FirstOrDefault()?.Required ?? []);
        foreach (var name in required.Distinct())
            if (!obj.ContainsKey(name) && schema.Field(name) is { } field)
                obj[name] = Minimal(field);
        if (schema.MinProperties is { } min && obj.Count < min && schema.AdditionalProperties is { } values)
            for (var i = obj.Count; i < min; i++) obj[$"key{i}"] = Minimal(values);
        return obj;
    }

    private static string MinimalString(StructuralSchemaNode schema)
    {
        var candidates = schema.Format switch
        {
            "date-time" => ["2024-01-01T00:00:00Z"],
            "date" => ["2024-01-01"],
            "byte" => ["YQ=="],
            "duration" => ["10s"],
            _ => StringCandidates.Append(new string('a', (int)(schema.MinLength ?? 1))),
        };
        return candidates.FirstOrDefault(c =>
                c.Length >= (schema.MinLength ?? 0) && c.Length <= (schema.MaxLength ?? long.MaxValue) &&
                (schema.PatternRegex?.IsMatch(c) ?? true))
            ?? throw new InvalidOperationException($"no candidate string matches pattern {schema.Pattern}");
    }

    private static double MinimalNumber(StructuralSchemaNode schema)
    {
        var value = 1.0;
        if (schema.Minimum is { } min) value = Math.Max(value, schema.ExclusiveMinimum ? Math.Floor(min) + 1 : min);
        if (schema.Maximum is { } max && value > max) value = schema.ExclusiveMaximum ? Math.Ceiling(max) - 1 : max;
        return value;
    }
}
