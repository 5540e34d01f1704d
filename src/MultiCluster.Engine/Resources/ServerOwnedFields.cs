using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// The parts of an object that its API server owns and a client never sends: an object read from
/// one cluster (Get-FleetResource, a saved manifest) carries them, and another cluster would refuse
/// them (a resourceVersion is a precondition there, a uid names another object) or ignore them.
/// </summary>
internal static class ServerOwnedFields
{
    private static readonly string[] Metadata =
        ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

    /// <summary>Removes the server-owned metadata and the status (written through the status subresource, not by an apply).</summary>
    public static void Remove(JsonObject obj)
    {
        obj.Remove("status");
        if (obj["metadata"] is not JsonObject metadata) return;
        foreach (var field in Metadata) metadata.Remove(field);
    }
}
