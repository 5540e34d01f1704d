using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>A patch that cannot be applied; the server answers 422 (or 400 when the patch itself is malformed).</summary>
public sealed class PatchException(string message, bool malformed = false) : Exception(message)
{
    public bool Malformed { get; } = malformed;
}

/// <summary>Inputs of a server-side apply or of an update's managed-fields bookkeeping.</summary>
public sealed class ManagedFieldsOptions
{
    public required string Manager { get; init; }
    public required string ApiVersion { get; init; }
    public required string Group { get; init; }
    public required string Kind { get; init; }
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    public bool Force { get; init; }
    /// <summary>"status" or "scale" when the write went to a subresource.</summary>
    public string? Subresource { get; init; }
    /// <summary>
    /// Whether the kind has a status subresource (true for the built-in kinds the emulator serves).
    /// With one, writes to the main resource neither own nor change status and writes to the status
    /// subresource own and change only status, as kube-apiserver's reset fields make them.
    /// </summary>
    public bool HasStatusSubresource { get; init; } = true;
    /// <summary>The CRD's schema, for list types and map keys; null for built-in kinds.</summary>
    public StructuralSchema? Schema { get; init; }
}

/// <summary>A field that another manager owns, reported as the server's 409 Conflict causes.</summary>
/// <param name="Manager">The owning manager's name.</param>
/// <param name="Field">The field as structured-merge-diff prints it, e.g. <c>.spec.replicas</c>.</param>
public sealed record ApplyConflict(string Manager, string Field)
{
    /// <summary>"Apply" or "Update": the operation of the owning manager's entry.</summary>
    public string Operation { get; init; } = "Apply";
    /// <summary>The apiVersion of the owning manager's entry (printed for Update owners).</summary>
    public string? ManagerApiVersion { get; init; }
    public string? Subresource { get; init; }

    /// <summary>The owner as kube-apiserver prints it: <c>"alpha"</c>, or <c>"kubectl-edit" using apps/v1</c> for an updater.</summary>
    public string Owner
    {
        get
        {
            var owner = JsonValues.GoQuote(Manager);
            if (!string.IsNullOrEmpty(Subresource)) owner += $" with subresource {JsonValues.GoQuote(Subresource)}";
            return Operation == "Update" ? $"{owner} using {ManagerApiVersion}" : owner;
        }
    }

    /// <summary>The Status cause: type FieldManagerConflict, this message, field <see cref="Field"/>.</summary>
    public string CauseMessage => $"conflict with {Owner}";

    /// <summary>The Status message of a 409 for these conflicts, worded as kube-apiserver words it.</summary>
    public static string Message(IReadOnlyList<ApplyConflict> conflicts)
    {
        if (conflicts.Count == 1)
            return $"Apply failed with 1 conflict: conflict with {conflicts[0].Owner}: {conflicts[0].Field}";
        var lines = conflicts
            .GroupBy(c => c.Owner)
            .OrderBy(g => g.First().ManagerIdentifier, StringComparer.Ordinal)
            .SelectMany(g => new[] { $"conflicts with {g.Key}:" }.Concat(g.Select(c => $"- {c.Field}")));
        return $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
    }

    // The identifier kube-apiserver sorts owners by: the JSON of the entry without time and fields
    // (and without apiVersion for appliers).
    private string ManagerIdentifier
    {
        get
        {
            var identifier = new JsonObject { ["manager"] = Manager, ["operation"] = Operation };
            if (Operation != "Apply" && ManagerApiVersion is not null) identifier["apiVersion"] = ManagerApiVersion;
            if (!string.IsNullOrEmpty(Subresource)) identifier["subresource"] = Subresource;
            return identifier.ToJsonString();
        }
    }
}

public sealed record ApplyResult(JsonObject Object, IReadOnlyList<ApplyConflict> Conflicts);
