using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>One field error, as the API server reports it in Status.details.causes.</summary>
/// <param name="Type">metav1.CauseType: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueTypeInvalid, FieldValueDuplicate, FieldValueTooLong, FieldValueTooMany ...</param>
/// <param name="Field">The field path the real server prints, e.g. <c>spec.replicas</c> or <c>spec.ports[0].port</c>.</param>
/// <param name="Message">The message text (the real server's wording where known).</param>
public sealed record FieldError(string Type, string Field, string Message);

/// <summary>What admission against a structural schema did to an object.</summary>
public sealed record SchemaOutcome(IReadOnlyList<FieldError> Errors, IReadOnlyList<string> PrunedFields);

/// <summary>
/// A CRD version's openAPIV3Schema, applied the way kube-apiserver does on every write of a custom
/// resource: drop nulls where not nullable, prune unknown fields, apply defaults, validate.
/// </summary>
public sealed class StructuralSchema
{
    public static StructuralSchema Parse(JsonObject openApiV3Schema) => throw new NotImplementedException();

    /// <summary>Admits <paramref name="obj"/> in place (pruning, defaulting) and returns the errors found.</summary>
    public SchemaOutcome Admit(JsonObject obj) => throw new NotImplementedException();
}
