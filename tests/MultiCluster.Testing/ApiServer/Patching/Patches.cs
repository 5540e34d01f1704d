using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>A patch that cannot be applied; the server answers 422 (or 400 when the patch itself is malformed).</summary>
public sealed class PatchException(string message, bool malformed = false) : Exception(message)
{
    public bool Malformed { get; } = malformed;
}

/// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => throw new NotImplementedException();
}

/// <summary>RFC 6902 JSON patch (application/json-patch+json).</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonArray operations) => throw new NotImplementedException();
}

/// <summary>Strategic merge patch (application/strategic-merge-patch+json) for the built-in kinds.</summary>
public static class StrategicMergePatch
{
    public static JsonNode Apply(JsonNode target, JsonNode patch, string group, string kind) => throw new NotImplementedException();
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
    /// <summary>The CRD's schema, for list types and map keys; null for built-in kinds.</summary>
    public StructuralSchema? Schema { get; init; }
}

/// <summary>A field that another manager owns, reported as the server's 409 Conflict causes.</summary>
public sealed record ApplyConflict(string Manager, string Field);

public sealed record ApplyResult(JsonObject Object, IReadOnlyList<ApplyConflict> Conflicts);

/// <summary>Server-side apply and metadata.managedFields bookkeeping.</summary>
public static class ManagedFields
{
    /// <summary>Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (null = create).</summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, ManagedFieldsOptions options) => throw new NotImplementedException();

    /// <summary>Records an Update operation by the manager in <paramref name="updated"/>'s managedFields.</summary>
    public static void RecordUpdate(JsonObject? live, JsonObject updated, ManagedFieldsOptions options) => throw new NotImplementedException();
}
