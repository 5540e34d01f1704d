using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema.Cel;

/// <summary>
/// Evaluates the <c>x-kubernetes-validations</c> rules of a structural schema over an object, as
/// apiextensions-apiserver's cel.Validator does: each rule at the node it sits on with <c>self</c> bound
/// to that node's value (null values are not validated), <c>oldSelf</c> to the old value where one
/// correlates (same property of a granular map, same keys of a map-type list), and ratcheting: on
/// update, a failing rule that does not use oldSelf on a value equal to its old one is a warning only.
/// </summary>
internal static class CelValidation
{
    public static void Validate(JsonObject obj, JsonObject? old, StructuralSchemaNode schema, List<FieldError> errors, List<string> warnings) =>
        ValidateNode(obj, old, old is not null, schema, "", isResourceRoot: true, nearestCorrelatedEqual: null, errors, warnings);

    private static void ValidateNode(JsonNode? node, JsonNode? old, bool correlated, StructuralSchemaNode schema, string path, bool isResourceRoot,
        bool? nearestCorrelatedEqual, List<FieldError> errors, List<string> warnings)
    {
        if (JsonValues.IsNull(node) || !schema.ContainsValidations) return;
        if (JsonValues.IsNull(old)) { old = null; correlated = false; }

        var equal = correlated ? JsonValues.DeepEquals(node, old) : (bool?)null;
        var ratchet = equal ?? nearestCorrelatedEqual ?? false;
        var childNearest = equal ?? nearestCorrelatedEqual;

        EvaluateRules(schema.Validations, schema, node!, old, path, isResourceRoot, ratchet, errors, warnings);
        foreach (var branch in schema.AllOf)
            EvaluateRules(branch.Validations, schema, node!, old, path, isResourceRoot, ratchet: false, errors, warnings);

        switch (node)
        {
            case JsonObject obj:
            {
                // Only granular maps (the default) correlate their fields with the old object's.
                var oldObj = schema.MapType != "atomic" ? old as JsonObject : null;
                foreach (var (key, value) in obj)
                {
                    if (schema.Field(key) is not { } childSchema) continue;
                    var hasOld = oldObj is not null && oldObj.TryGetPropertyValue(key, out _);
                    ValidateNode(value, hasOld ? oldObj![key] : null, hasOld, childSchema, ChildPath(path, schema, key),
                        childSchema.EmbeddedResource, childNearest, errors, warnings);
                }
                break;
            }
            case JsonArray array when schema.Items is { } itemSchema:
            {
                var oldArray = old as JsonArray;
                for (var i = 0; i < array.Count; i++)
                {
                    var oldItem = CorrelatedItem(array[i], oldArray, schema);
                    ValidateNode(array[i], oldItem, oldItem is not null, itemSchema, $"{path}[{i}]", itemSchema.EmbeddedResource, childNearest, errors, warnings);
                }
                break;
            }
        }
    }

    // A declared property is a child path (spec.x); a key of an additionalProperties map prints as spec.labels[key].
    private static string ChildPath(string path, StructuralSchemaNode schema, string key) =>
        !schema.Properties.ContainsKey(key) ? $"{path}[{key}]" : path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>Only map-type lists correlate items with the old list: the old item with the same key values.</summary>
    private static JsonNode? CorrelatedItem(JsonNode? item, JsonArray? oldArray, StructuralSchemaNode schema)
    {
        if (oldArray is null || schema.ListType != "map" || schema.ListMapKeys.Count == 0 || item is not JsonObject itemObject) return null;
        return oldArray.OfType<JsonObject>().FirstOrDefault(oldItem =>
            schema.ListMapKeys.All(key => JsonValues.DeepEquals(itemObject[key], oldItem[key])));
    }

    private static void EvaluateRules(IReadOnlyList<ValidationRule> rules, StructuralSchemaNode schema, JsonNode node, JsonNode? old, string path, bool isResourceRoot,
        bool ratchet, List<FieldError> errors, List<string> warnings)
    {
        if (rules.Count == 0) return;
        var fieldPath = Printable(path);
        var type = schema.Type ?? "";
        object? self = null;
        var selfConverted = false;
        foreach (var rule in rules)
        {
            if (rule.CompileError is not null)
            {
                errors.Add(Invalid(fieldPath, type, $"rule compile error: {rule.CompileError}"));
                continue;
            }
            if (rule.Program is null) continue;
            if (rule.UsesOldSelf && old is null && !rule.OptionalOldSelf) continue;

            if (!selfConverted)
            {
                self = CelValues.FromJson(node, schema, isResourceRoot);
                selfConverted = true;
            }
            var variables = new Dictionary<string, object?> { ["self"] = self };
            if (rule.UsesOldSelf)
            {
                var oldSelf = old is null ? null : CelValues.FromJson(old, schema, isResourceRoot);
                variables["oldSelf"] = rule.OptionalOldSelf ? (old is null ? CelOptional.None : new CelOptional(true, oldSelf)) : oldSelf;
            }

            object? result;
            try
            {
                result = CelEvaluator.Evaluate(rule.Program, variables);
            }
            catch (CelEvaluationException e)
            {
                errors.Add(e.Message.StartsWith("no such overload", StringComparison.Ordinal)
                    ? Invalid(fieldPath, type, $"'{e.Message}': call arguments did not match a supported operator, function or macro signature for rule: {rule.ErrorString}")
                    : Invalid(fieldPath, type, $"{e.Message} evaluating rule: {rule.ErrorString}"));
                continue;
            }
            if (result is true) continue;

            var failurePath = string.IsNullOrEmpty(rule.FieldPath) ? fieldPath : Printable(JoinFieldPath(path, rule.FieldPath));
            var error = ForReason(rule.Reason, failurePath, type, Message(rule, variables));
            // Ratcheting (CRDValidationRatcheting, on since 1.30): an unchanged value keeps passing, with a warning.
            if (!rule.UsesOldSelf && ratchet)
                warnings.Add($"{error.Field}: {error.Message}");
            else
                errors.Add(error);
        }
    }

    /// <summary>messageExpression when it yields a usable string, else message, else "failed rule: RULE".</summary>
    private static string Message(ValidationRule rule, Dictionary<string, object?> variables)
    {
        if (rule.MessageExpression is not null)
        {
            try
            {
                if (CelEvaluator.Evaluate(rule.MessageExpression, variables) is string text && text.Trim() is { Length: > 0 } trimmed && !trimmed.Contains('\n'))
                    return trimmed;
            }
            catch (CelEvaluationException)
            {
                // As kube-apiserver: a failing messageExpression falls back to the message.
            }
        }
        return rule.MessageOrDefault;
    }

    private static FieldError ForReason(string? reason, string field, string type, string detail) => reason switch
    {
        "FieldValueForbidden" => new FieldError("FieldValueForbidden", field, $"Forbidden: {detail}"),
        "FieldValueRequired" => new FieldError("FieldValueRequired", field, $"Required value: {detail}"),
        "FieldValueDuplicate" => new FieldError("FieldValueDuplicate", field, $"Duplicate value: {JsonValues.GoQuote(type)}"),
        _ => Invalid(field, type, detail),
    };

    private static FieldError Invalid(string field, string type, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {JsonValues.GoQuote(type)}: {detail}");

    /// <summary>A rule's fieldPath (<c>.spec.x</c>, <c>['a.b']</c>) appended to the node's path.</summary>
    private static string JoinFieldPath(string path, string fieldPath)
    {
        var relative = fieldPath.StartsWith('.') ? fieldPath[1..] : fieldPath;
        relative = relative.Replace("['", "[").Replace("']", "]");
        if (path.Length == 0) return relative;
        return relative.StartsWith('[') ? path + relative : $"{path}.{relative}";
    }

    private static string Printable(string path) => path.Length == 0 ? "<nil>" : path;
}
