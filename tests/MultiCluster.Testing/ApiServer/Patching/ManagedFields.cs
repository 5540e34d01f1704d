using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>Server-side apply and metadata.managedFields bookkeeping.</summary>
public static class ManagedFields
{
    /// <summary>Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (null = create).</summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, ManagedFieldsOptions options) => throw new NotImplementedException();

    /// <summary>Records an Update operation by the manager in <paramref name="updated"/>'s managedFields.</summary>
    public static void RecordUpdate(JsonObject? live, JsonObject updated, ManagedFieldsOptions options) => throw new NotImplementedException();
}
