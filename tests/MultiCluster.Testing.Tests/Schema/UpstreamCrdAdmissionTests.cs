using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.Tests.Schema;

/// <summary>Admission of objects against every served version of every upstream CRD in ../shared/crds.</summary>
public sealed class UpstreamCrdAdmissionTests
{
    private const string UnknownField = "unknownFieldForTest";

    public static TheoryData<string, string> ServedVersions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, crd) in UpstreamCrds.Crds)
            foreach (var version in crd["spec"]!["versions"]!.AsArray())
                if (version!["served"]?.GetValue<bool>() != false)
                    data.Add(file, version["name"]!.GetValue<string>());
        return data;
    }

    private static (StructuralSchema Schema, List<JsonObject> Valid) ValidObjects(string file, string version)
    {
        var crd = UpstreamCrds.Crd(file);
        var group = crd["spec"]!["group"]!.GetValue<string>();
        var kind = crd["spec"]!["names"]!["kind"]!.GetValue<string>();
        var schema = StructuralSchema.Parse(UpstreamCrds.SchemaOf(crd, version));
        var examples = UpstreamCrds.Examples
            .Where(e => e["apiVersion"]?.GetValue<string>() == $"{group}/{version}" && e["kind"]?.GetValue<string>() == kind)
            // Published as not schema-valid (see VeleroScheduleSampleFailsAsDocumented).
            .Where(e => !(kind == "Schedule" && group == "velero.io"))
            .Select(e => (JsonObject)e.DeepClone())
            .ToList();
        if (examples.Count > 0) return (schema, examples);

        var minimal = SchemaObjects.MinimalObject(schema.Root);
        minimal["apiVersion"] = $"{group}/{version}";
        minimal["kind"] = kind;
        minimal["metadata"] = new JsonObject { ["name"] = "example", ["namespace"] = "default" };
        return (schema, [minimal]);
    }

    [RequiresSharedCrdsTheory, MemberData(nameof(ServedVersions))]
    public void AValidObjectIsAdmitted(string file, string version)
    {
        var (schema, valid) = ValidObjects(file, version);

        foreach (var obj in valid)
        {
            var outcome = schema.Admit(obj);
            outcome.Errors.Should().BeEmpty("{0} is valid for {1} {2}", obj.ToJsonString(), file, version);
            outcome.PrunedFields.Should().BeEmpty();
        }
    }

    [RequiresSharedCrdsTheory, MemberData(nameof(ServedVersions))]
    public void WrongTypeMissingRequiredAndUnknownFieldsAreReported(string file, string version)
    {
        var (schema, valid) = ValidObjects(file, version);
        var obj = valid[0];
        var expected = new List<FieldError>();

        // The object's spec (built from the schema when absent), or the root when there is no spec.
        var (target, targetSchema, targetPath) = schema.Root.Properties.TryGetValue("spec", out var specSchema)
            ? ((JsonObject)(obj["spec"] ??= SchemaObjects.MinimalObject(specSchema)), specSchema, "spec")
            : (obj, schema.Root, "");

        // Missing required: the first required field found there or in an object below it.
        var required = FindField(target, targetSchema, targetPath, (schema, name, _) => schema.Required.Contains(name), null);
        if (required.Holder is not null)
        {
            required.Holder.Remove(required.Name!);
            expected.Add(new FieldError("FieldValueRequired", required.Path!, "Required value"));
        }

        // Wrong type: the first scalar field found there or below, away from the removed one.
        var scalar = FindField(target, targetSchema, targetPath,
            (_, _, field) => field.Type is "string" or "integer" or "number" or "boolean" && !field.IntOrString, required.Path);
        if (scalar.Holder is not null)
        {
            var type = scalar.Schema!.Type;
            var (wrongValue, wrongKind) = type == "string" ? (JsonValue.Create(true), "boolean") : (JsonValue.Create("text"), "string");
            scalar.Holder[scalar.Name!] = wrongValue;
            expected.Add(new FieldError("FieldValueTypeInvalid", scalar.Path!,
                $"Invalid value: \"{wrongKind}\": {scalar.Path} in body must be of type {type}: \"{wrongKind}\""));
        }

        // Unknown field: pruned unless the target keeps unknown fields.
        target[UnknownField] = 1;

        // With CEL rules in the schema, those errors block the rules, and the server says so.
        if (expected.Count > 0 && schema.Root.ContainsValidations)
            expected.Add(new FieldError("FieldValueInvalid", "<nil>",
                "Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));

        var outcome = schema.Admit(obj);

        outcome.Errors.Should().BeEquivalentTo(expected, "{0} {1} mutated to {2}", file, version, obj.ToJsonString());
        if (targetSchema.PreserveUnknownFields)
            outcome.PrunedFields.Should().BeEmpty();
        else
        {
            outcome.PrunedFields.Should().Equal(Child(targetPath, UnknownField));
            target.ContainsKey(UnknownField).Should().BeFalse();
        }
    }

    [RequiresSharedCrdsFact]
    public void VeleroScheduleSampleFailsAsDocumented()
    {
        var schema = StructuralSchema.Parse(UpstreamCrds.SchemaOf(UpstreamCrds.Crd("velero/velero.io_schedules.yaml"), "v1"));
        var sample = UpstreamCrds.Examples.Single(e => e["kind"]?.GetValue<string>() == "Schedule");

        var outcome = schema.Admit((JsonObject)sample.DeepClone());

        // The README: the upstream doc uses {} for four array fields. Its status.phase "" is outside the
        // enum too, and this CRD has no status subresource, so the server validates status as well.
        outcome.Errors.Should().ContainSingle(e => e.Type == "FieldValueNotSupported").Which.Should().Be(new FieldError(
            "FieldValueNotSupported", "status.phase", "Unsupported value: \"\": supported values: \"New\", \"Enabled\", \"FailedValidation\""));
        outcome.Errors.Where(e => e.Type != "FieldValueNotSupported").Select(e => (e.Type, e.Field)).Should().BeEquivalentTo(new[]
        {
            ("FieldValueTypeInvalid", "spec.template.includedClusterScopedResources"),
            ("FieldValueTypeInvalid", "spec.template.excludedClusterScopedResources"),
            ("FieldValueTypeInvalid", "spec.template.includedNamespaceScopedResources"),
            ("FieldValueTypeInvalid", "spec.template.excludedNamespaceScopedResources"),
        });
        outcome.Errors.Where(e => e.Type == "FieldValueTypeInvalid").Should().AllSatisfy(e => e.Message.Should().EndWith("in body must be of type array: \"object\""));
    }

    private sealed record Found(JsonObject? Holder, string? Name, string? Path, StructuralSchemaNode? Schema);

    /// <summary>
    /// Depth-first search, through declared object fields only, for a field the predicate picks;
    /// creates the missing objects on the way (with their own required fields) when one is found.
    /// </summary>
    private static Found FindField(JsonObject obj, StructuralSchemaNode schema, string path,
        Func<StructuralSchemaNode, string, StructuralSchemaNode, bool> pick, string? avoidPath, int depth = 0)
    {
        foreach (var (name, field) in schema.Properties)
        {
            var fieldPath = Child(path, name);
            if (IsResourceField(depth, path, name) || fieldPath == avoidPath)
                continue;
            if (pick(schema, name, field) && (obj.ContainsKey(name) || !schema.Required.Contains(name)))
            {
                if (!obj.ContainsKey(name)) obj[name] = SchemaObjects.Minimal(field);
                return new Found(obj, name, fieldPath, field);
            }
        }
        if (depth >= 5) return new Found(null, null, null, null);
        foreach (var (name, field) in schema.Properties)
        {
            var fieldPath = Child(path, name);
            if (IsResourceField(depth, path, name) || fieldPath == avoidPath) continue;
            // Descend into declared objects, into the first item of lists of objects, and into the values of maps.
            Found found;
            if (field.Type == "object" && !field.EmbeddedResource && !field.PreserveUnknownFields && field.Properties.Count > 0)
            {
                var existing = obj[name] as JsonObject;
                var candidate = existing ?? SchemaObjects.MinimalObject(field);
                found = FindField(candidate, field, fieldPath, pick, avoidPath, depth + 1);
                if (found.Holder is not null && existing is null) obj[name] = candidate;
            }
            else if (field.Type == "array" && field.Items is { Type: "object", EmbeddedResource: false, PreserveUnknownFields: false } items)
            {
                var existing = obj[name] as JsonArray;
                var candidate = existing?.FirstOrDefault() as JsonObject ?? SchemaObjects.MinimalObject(items);
                found = FindField(candidate, items, fieldPath + "[0]", pick, avoidPath, depth + 1);
                if (found.Holder is not null && existing?.FirstOrDefault() is not JsonObject) obj[name] = new JsonArray(candidate);
            }
            else if (field.Type == "object" && field.AdditionalProperties is { } values && pick(values, "key", values) && !schema.Required.Contains(name))
            {
                var map = obj[name] as JsonObject ?? new JsonObject();
                obj[name] = map;
                map["key"] = SchemaObjects.Minimal(values);
                found = new Found(map, "key", fieldPath + ".key", values);
            }
            else continue;
            if (found.Holder is not null) return found;
        }
        return new Found(null, null, null, null);
    }

    private static bool IsResourceField(int depth, string path, string name) => depth == 0 && path.Length == 0 && name is "apiVersion" or "kind" or "metadata";

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
