using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Testing.ApiServer.Schema.Cel;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>One node of a parsed openAPIV3Schema with the Kubernetes extensions.</summary>
public sealed class StructuralSchemaNode
{
    private static readonly StructuralSchemaNode[] NoNodes = [];

    public string? Type { get; private init; }
    public bool Nullable { get; private init; }
    public bool PreserveUnknownFields { get; private init; }
    public bool IntOrString { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public IReadOnlyDictionary<string, StructuralSchemaNode> Properties { get; private init; } = new Dictionary<string, StructuralSchemaNode>();
    public StructuralSchemaNode? Items { get; private init; }
    /// <summary>The <c>additionalProperties</c> schema (a map's value schema), if any.</summary>
    public StructuralSchemaNode? AdditionalProperties { get; private init; }
    /// <summary><c>additionalProperties: false</c>.</summary>
    public bool AdditionalPropertiesForbidden { get; private init; }
    public JsonNode? Default { get; private init; }
    public IReadOnlyList<string> Required { get; private init; } = [];
    public JsonArray? Enum { get; private init; }
    public string? Format { get; private init; }
    public string? Pattern { get; private init; }
    public Regex? PatternRegex { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public double? MultipleOf { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public bool UniqueItems { get; private init; }
    /// <summary><c>x-kubernetes-list-type</c>: atomic, set or map (null = atomic).</summary>
    public string? ListType { get; private init; }
    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];
    /// <summary><c>x-kubernetes-map-type</c>: granular or atomic (null = granular).</summary>
    public string? MapType { get; private init; }
    public IReadOnlyList<StructuralSchemaNode> AllOf { get; private init; } = NoNodes;
    public IReadOnlyList<StructuralSchemaNode> AnyOf { get; private init; } = NoNodes;
    public IReadOnlyList<StructuralSchemaNode> OneOf { get; private init; } = NoNodes;
    public StructuralSchemaNode? Not { get; private init; }
    /// <summary>The node's <c>x-kubernetes-validations</c> (CEL rules), parsed.</summary>
    public IReadOnlyList<ValidationRule> Validations { get; private init; } = [];

    private bool? containsValidations;

    /// <summary>Whether this node, an allOf branch, or any node below it has CEL rules (so validation can skip rule-free subtrees).</summary>
    public bool ContainsValidations => containsValidations ??=
        Validations.Count > 0 || AllOf.Any(b => b.Validations.Count > 0) || Items?.ContainsValidations == true
        || AdditionalProperties?.ContainsValidations == true || Properties.Values.Any(p => p.ContainsValidations);

    /// <summary>The schema of a named field: a declared property, else the additionalProperties schema.</summary>
    public StructuralSchemaNode? Field(string name) =>
        Properties.TryGetValue(name, out var property) ? property : AdditionalProperties;

    public static StructuralSchemaNode Parse(JsonObject schema)
    {
        var additional = schema["additionalProperties"];
        var pattern = schema["pattern"]?.GetValue<string>();
        return new StructuralSchemaNode
        {
            Type = schema["type"]?.GetValue<string>(),
            Nullable = Flag(schema, "nullable"),
            PreserveUnknownFields = Flag(schema, "x-kubernetes-preserve-unknown-fields"),
            IntOrString = Flag(schema, "x-kubernetes-int-or-string"),
            EmbeddedResource = Flag(schema, "x-kubernetes-embedded-resource"),
            Properties = schema["properties"] is JsonObject properties
                ? properties.Where(p => p.Value is JsonObject).ToDictionary(p => p.Key, p => Parse((JsonObject)p.Value!))
                : new Dictionary<string, StructuralSchemaNode>(),
            Items = schema["items"] is JsonObject items ? Parse(items) : null,
            AdditionalProperties = additional is JsonObject additionalSchema ? Parse(additionalSchema) : null,
            AdditionalPropertiesForbidden = additional is JsonValue allowed && allowed.TryGetValue<bool>(out var allows) && !allows,
            Default = schema["default"]?.DeepClone(),
            Required = schema["required"] is JsonArray required ? required.Select(r => r!.GetValue<string>()).ToList() : [],
            Enum = schema["enum"] is JsonArray values ? (JsonArray)values.DeepClone() : null,
            Format = schema["format"]?.GetValue<string>(),
            Pattern = pattern,
            PatternRegex = pattern is null ? null : new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)),
            Minimum = Number(schema, "minimum"),
            Maximum = Number(schema, "maximum"),
            ExclusiveMinimum = Flag(schema, "exclusiveMinimum"),
            ExclusiveMaximum = Flag(schema, "exclusiveMaximum"),
            MultipleOf = Number(schema, "multipleOf"),
            MinLength = Count(schema, "minLength"),
            MaxLength = Count(schema, "maxLength"),
            MinItems = Count(schema, "minItems"),
            MaxItems = Count(schema, "maxItems"),
            MinProperties = Count(schema, "minProperties"),
            MaxProperties = Count(schema, "maxProperties"),
            UniqueItems = Flag(schema, "uniqueItems"),
            ListType = schema["x-kubernetes-list-type"]?.GetValue<string>(),
            ListMapKeys = schema["x-kubernetes-list-map-keys"] is JsonArray keys ? keys.Select(k => k!.GetValue<string>()).ToList() : [],
            MapType = schema["x-kubernetes-map-type"]?.GetValue<string>(),
            AllOf = Branches(schema, "allOf"),
            AnyOf = Branches(schema, "anyOf"),
            OneOf = Branches(schema, "oneOf"),
            Not = schema["not"] is JsonObject not ? Parse(not) : null,
            Validations = ValidationRule.ParseAll(schema["x-kubernetes-validations"]),
        };
    }

    private static bool Flag(JsonObject schema, string name) =>
        schema[name] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static double? Number(JsonObject schema, string name) =>
        schema[name] is JsonValue value ? JsonValues.Number(value) : null;

    private static long? Count(JsonObject schema, string name) =>
        schema[name] is JsonValue value ? (long)JsonValues.Number(value) : null;

    private static IReadOnlyList<StructuralSchemaNode> Branches(JsonObject schema, string name) =>
        schema[name] is JsonArray branches ? branches.OfType<JsonObject>().Select(Parse).ToList() : NoNodes;
}
