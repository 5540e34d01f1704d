using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>One field error, as the API server reports it in Status.details.causes.</summary>
/// <param name="Type">metav1.CauseType: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueTypeInvalid, FieldValueDuplicate, FieldValueTooLong, FieldValueTooMany ...</param>
/// <param name="Field">The field path the real server prints, e.g. <c>spec.replicas</c> or <c>spec.ports[0].port</c>.</param>
/// <param name="Message">The message text (the real server's wording where known).</param>
public sealed record FieldError(string Type, string Field, string Message);

/// <summary>What admission against a structural schema did to an object.</summary>
/// <param name="PrunedFields">
/// Paths of the unknown fields that were dropped, written as kube-apiserver's pruning reports them
/// (<c>spec.foo</c>, <c>spec.ports[0].bar</c>); the real server turns each into
/// <c>unknown field "spec.foo"</c> under fieldValidation=Strict and a warning under Warn.
/// </param>
/// <param name="Warnings">Warnings the server returns (CEL rules that still fail on values an update left unchanged).</param>
public sealed record SchemaOutcome(IReadOnlyList<FieldError> Errors, IReadOnlyList<string> PrunedFields, IReadOnlyList<string> Warnings);

/// <summary>
/// A CRD version's openAPIV3Schema, applied the way kube-apiserver does on every write of a custom
/// resource: prune unknown fields, drop nulls where not nullable, apply defaults, validate, then
/// evaluate the CEL rules (<c>x-kubernetes-validations</c>, see <see cref="Cel.CelValidation"/>) unless
/// an error already found blocks them, as kube-apiserver's custom resource strategy does.
/// </summary>
public sealed class StructuralSchema
{
    private StructuralSchema(StructuralSchemaNode root) => Root = root;

    /// <summary>The root node; server-side apply reads list types and map keys from it.</summary>
    public StructuralSchemaNode Root { get; }

    public static StructuralSchema Parse(JsonObject openApiV3Schema) => new(StructuralSchemaNode.Parse(openApiV3Schema));

    /// <summary>
    /// Admits <paramref name="obj"/> in place (pruning, defaulting) and returns the errors found;
    /// <paramref name="old"/> is the stored object on update (transition rules and ratcheting use it).
    /// </summary>
    public SchemaOutcome Admit(JsonObject obj, JsonObject? old = null)
    {
        // Same order as the custom-resource decoder: prune unknown fields, then drop nulls of
        // non-nullable fields without default, then default, then validate.
        var pruned = new List<string>();
        SchemaPruning.Prune(obj, Root, "", isResourceRoot: true, pruned);
        SchemaDefaulting.DropNonNullableNulls(obj, Root);
        SchemaDefaulting.ApplyDefaults(obj, Root);
        var errors = new List<FieldError>();
        SchemaValidation.Validate(obj, Root, "", errors, isResourceRoot: true);
        var warnings = new List<string>();
        if (Root.ContainsValidations)
        {
            if (errors.Any(e => e.Type is "FieldValueNotSupported" or "FieldValueRequired" or "FieldValueTooLong" or "FieldValueTooMany" or "FieldValueTypeInvalid"))
                errors.Add(new FieldError("FieldValueInvalid", "<nil>",
                    "Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
            else
                Cel.CelValidation.Validate(obj, old, Root, errors, warnings);
        }
        return new SchemaOutcome(errors, pruned, warnings);
    }
}
