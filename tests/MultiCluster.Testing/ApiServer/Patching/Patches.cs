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
public sealed record ApplyConflict(string Manager, string Field);

public sealed record ApplyResult(JsonObject Object, IReadOnlyList<ApplyConflict> Conflicts);
