using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>
/// Value validation as kube-openapi's SchemaValidator does it for custom resources, with its errors
/// converted to field errors the way apiextensions-apiserver converts them (ErrorBody wording).
/// </summary>
internal static class SchemaValidation
{
    public static void Validate(JsonObject root, StructuralSchemaNode schema, string path, List<FieldError> errors, bool isResourceRoot)
    {
        var listErrors = new List<FieldError>();
        ValidateNode(root, schema, path, errors, listErrors, isResourceRoot);
        // apiextensions validates list-type sets and maps after the OpenAPI validation.
        errors.AddRange(listErrors);
    }

    private static void ValidateNode(JsonNode? node, StructuralSchemaNode schema, string path, List<FieldError> errors, List<FieldError> listErrors, bool isResourceRoot = false)
    {
        if (JsonValues.IsNull(node))
        {
            if (!schema.Nullable && TypeNames(schema) is { } expected)
                errors.Add(new FieldError("FieldValueTypeInvalid", FieldPath(path), $"Invalid value: \"null\": {path} in body must be of type {expected}"));
            return;
        }

        var kind = JsonValues.Kind(node);
        if (!TypeMatches(schema, node!, kind))
        {
            errors.Add(new FieldError("FieldValueTypeInvalid", FieldPath(path),
                $"Invalid value: {JsonValues.GoQuote(kind)}: {path} in body must be of type {TypeNames(schema)}: {JsonValues.GoQuote(kind)}"));
            return;
        }

        ValidateCombinators(node!, schema, path, errors);
        switch (node)
        {
            case JsonValue value when kind == "string":
                ValidateString(value.GetValue<string>(), schema, path, errors);
                break;
            case JsonValue value when kind is "integer" or "number":
                ValidateNumber(value, schema, path, errors);
                break;
            case JsonArray array:
                ValidateArray(array, schema, path, errors, listErrors);
                break;
        }
        ValidateEnum(node!, schema, path, errors);
        if (node is JsonObject obj)
            ValidateObject(obj, schema, path, errors, listErrors, isResourceRoot);
    }

    private static string? TypeNames(StructuralSchemaNode schema) =>
        schema.IntOrString ? "integer,string" : schema.Type;

    private static bool TypeMatches(StructuralSchemaNode schema, JsonNode node, string kind)
    {
        if (schema.IntOrString) return kind is "integer" or "string" || (kind == "number" && IsWhole(node));
        return schema.Type switch
        {
            null => true,
            "integer" => kind == "integer" || (kind == "number" && IsWhole(node)),
            "number" => kind is "number" or "integer",
            var type => type == kind,
        };
    }

    private static bool IsWhole(JsonNode node)
    {
        var value = JsonValues.Number(node);
        return Math.Floor(value) == value && !double.IsInfinity(value);
    }

    private static void ValidateString(string text, StructuralSchemaNode schema, string path, List<FieldError> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.MaxLength is { } max && length > max)
            errors.Add(new FieldError("FieldValueTooLong", FieldPath(path), $"Too long: may not be longer than {max}"));
        if (schema.MinLength is { } min && length < min)
            errors.Add(Invalid(path, JsonValues.GoQuote(text), $"{path} in body should be at least {min} chars long"));
        if (schema.PatternRegex is { } pattern && !pattern.IsMatch(text))
            errors.Add(Invalid(path, JsonValues.GoQuote(text), $"{path} in body should match '{schema.Pattern}'"));
        if (schema.Format is { } format && !StringFormats.IsValid(format, text))
            errors.Add(new FieldError("FieldValueTypeInvalid", FieldPath(path),
                $"Invalid value: {JsonValues.GoQuote(text)}: {path} in body must be of type {format}: {JsonValues.GoQuote(text)}"));
    }

    private static void ValidateNumber(JsonValue value, StructuralSchemaNode schema, string path, List<FieldError> errors)
    {
        var number = JsonValues.Number(value);
        var shown = JsonValues.GoNumber(number);
        if (schema.MultipleOf is { } factor && factor > 0 && Math.Abs(Math.IEEERemainder(number, factor)) > 1e-9 * Math.Max(1, Math.Abs(number)))
            errors.Add(Invalid(path, shown, $"{path} in body should be a multiple of {JsonValues.GoNumber(factor)}"));
        if (schema.Maximum is { } max && (schema.ExclusiveMaximum ? number >= max : number > max))
            errors.Add(Invalid(path, shown, $"{path} in body should be less than {(schema.ExclusiveMaximum ? "" : "or equal to ")}{JsonValues.GoNumber(max)}"));
        if (schema.Minimum is { } min && (schema.ExclusiveMinimum ? number <= min : number < min))
            errors.Add(Invalid(path, shown, $"{path} in body should be greater than {(schema.ExclusiveMinimum ? "" : "or equal to ")}{JsonValues.GoNumber(min)}"));
    }

    private static void ValidateArray(JsonArray array, StructuralSchemaNode schema, string path, List<FieldError> errors, List<FieldError> listErrors)
    {
        if (schema.MaxItems is { } max && array.Count > max)
            errors.Add(new FieldError("FieldValueTooMany", FieldPath(path), $"Too many: {array.Count}: must have at most {max} items"));
        if (schema.MinItems is { } min && array.Count < min)
            errors.Add(Invalid(path, array.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} items"));
        if (schema.UniqueItems && HasDuplicates(array))
            errors.Add(Invalid(path, "\"\"", $"{path} in body shouldn't contain duplicates"));
        if (schema.Items is not null)
            for (var i = 0; i < array.Count; i++)
                ValidateNode(array[i], schema.Items, $"{path}[{i}]", errors, listErrors, isResourceRoot: false);
        ValidateListType(array, schema, path, listErrors);
    }

    private static bool HasDuplicates(JsonArray array)
    {
        for (var i = 0; i < array.Count; i++)
            for (var j = i + 1; j < array.Count; j++)
                if (JsonValues.DeepEquals(array[i], array[j])) return true;
        return false;
    }

    private static void ValidateListType(JsonArray array, StructuralSchemaNode schema, string path, List<FieldError> listErrors)
    {
        if (schema.ListType == "set")
        {
            for (var i = 0; i < array.Count; i++)
                for (var j = 0; j < i; j++)
                    if (JsonValues.DeepEquals(array[i], array[j]))
                    {
                        listErrors.Add(new FieldError("FieldValueDuplicate", $"{path}[{i}]", $"Duplicate value: {JsonValues.GoValue(array[i])}"));
                        break;
                    }
        }
        else if (schema.ListType == "map" && schema.ListMapKeys.Count > 0)
        {
            var seen = new List<JsonObject>();
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonObject item) continue;
                var key = new JsonObject();
                foreach (var name in schema.ListMapKeys)
                    if (item.TryGetPropertyValue(name, out var keyValue)) key[name] = keyValue?.DeepClone();
                if (seen.Any(k => JsonValues.DeepEquals(k, key)))
                    listErrors.Add(new FieldError("FieldValueDuplicate", $"{path}[{i}]", $"Duplicate value: {JsonValues.GoSyntax(key)}"));
                else
                    seen.Add(key);
            }
        }
    }

    private static void ValidateEnum(JsonNode node, StructuralSchemaNode schema, string path, List<FieldError> errors)
    {
        if (schema.Enum is null || schema.Enum.Any(allowed => JsonValues.DeepEquals(allowed, node))) return;
        var supported = schema.Enum.Select(allowed =>
            allowed is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : allowed?.ToJsonString() ?? "null");
        errors.Add(new FieldError("FieldValueNotSupported", FieldPath(path),
            $"Unsupported value: {JsonValues.GoValue(node)}: supported values: {string.Join(", ", supported.Select(JsonValues.GoQuote))}"));
    }

    private static void ValidateObject(JsonObject obj, StructuralSchemaNode schema, string path, List<FieldError> errors, List<FieldError> listErrors, bool isResourceRoot)
    {
        // kube-openapi reports the limit itself as the value of a min/max properties failure.
        if (schema.MaxProperties is { } max && obj.Count > max)
            errors.Add(new FieldError("FieldValueTooMany", FieldPath(path), $"Too many: {max}: must have at most {max} items"));
        if (schema.MinProperties is { } min && obj.Count < min)
            errors.Add(Invalid(path, min.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} properties"));
        foreach (var name in schema.Required)
            if (!obj.ContainsKey(name))
                errors.Add(new FieldError("FieldValueRequired", Child(path, name), "Required value"));

        var isResource = isResourceRoot || schema.EmbeddedResource;
        if (schema.EmbeddedResource && !schema.PreserveUnknownFields)
        {
            foreach (var name in new[] { "apiVersion", "kind" })
                if (obj[name] is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>().Length == 0)
                    errors.Add(new FieldError("FieldValueRequired", Child(path, name), "Required value: must not be empty"));
        }

        foreach (var (key, value) in obj.ToList())
        {
            // A resource's metadata is ObjectMeta, validated by the server; a CRD schema may only
            // restrict metadata.name and metadata.generateName, and those restrictions apply.
            if (isResource && key == "metadata")
            {
                if (value is JsonObject metadata && schema.Field("metadata") is { } metadataSchema)
                    foreach (var restricted in new[] { "name", "generateName" })
                        if (metadata[restricted] is { } restrictedValue && metadataSchema.Properties.TryGetValue(restricted, out var restrictedSchema))
                            ValidateNode(restrictedValue, restrictedSchema, Child(Child(path, key), restricted), errors, listErrors);
                continue;
            }
            var childSchema = schema.Field(key);
            if (childSchema is not null)
                ValidateNode(value, childSchema, Child(path, key), errors, listErrors);
        }
    }

    /// <summary>allOf/anyOf/oneOf/not hold value validations only (structural schemas forbid types and new fields there).</summary>
    private static void ValidateCombinators(JsonNode node, StructuralSchemaNode schema, string path, List<FieldError> errors)
    {
        if (schema.AllOf.Count > 0)
        {
            var failures = schema.AllOf.Select(branch => BranchErrors(node, branch, path)).ToList();
            var validated = failures.Count(f => f.Count == 0);
            if (validated != failures.Count)
            {
                foreach (var failure in failures) errors.AddRange(failure);
                errors.Add(Composite($"{JsonValues.GoQuote(path)} must validate all the schemas (allOf){(validated == 0 ? ". None validated" : "")}"));
            }
        }
        if (schema.AnyOf.Count > 0)
        {
            var failures = schema.AnyOf.Select(branch => BranchErrors(node, branch, path)).ToList();
            if (failures.All(f => f.Count > 0))
            {
                errors.Add(Composite($"{JsonValues.GoQuote(path)} must validate at least one schema (anyOf)"));
                errors.AddRange(failures.OrderBy(f => f.Count).First());
            }
        }
        if (schema.OneOf.Count > 0)
        {
            var failures = schema.OneOf.Select(branch => BranchErrors(node, branch, path)).ToList();
            var validated = failures.Count(f => f.Count == 0);
            if (validated == 0)
            {
                errors.Add(Composite($"{JsonValues.GoQuote(path)} must validate one and only one schema (oneOf)"));
                errors.AddRange(failures.OrderBy(f => f.Count).First());
            }
            else if (validated > 1)
                errors.Add(Composite($"{JsonValues.GoQuote(path)} must validate one and only one schema (oneOf). Found {validated} valid alternatives"));
        }
        if (schema.Not is not null && BranchErrors(node, schema.Not, path).Count == 0)
            errors.Add(Composite($"{JsonValues.GoQuote(path)} must not validate the schema (not)"));
    }

    private static List<FieldError> BranchErrors(JsonNode node, StructuralSchemaNode branch, string path)
    {
        var branchErrors = new List<FieldError>();
        var ignoredListErrors = new List<FieldError>();
        ValidateNode(node, branch, path, branchErrors, ignoredListErrors);
        return branchErrors;
    }

    // The composite errors are not field-specific in kube-openapi, so apiextensions reports them
    // against the nil root path, which prints as "<nil>".
    private static FieldError Composite(string message) => new("FieldValueInvalid", "<nil>", $"Invalid value: \"\": {message}");

    private static FieldError Invalid(string path, string shownValue, string detail) =>
        new("FieldValueInvalid", FieldPath(path), $"Invalid value: {shownValue}: {detail}");

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string FieldPath(string path) => path.Length == 0 ? "<nil>" : path;
}
