using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>Reads and writes simple dotted paths such as <c>.spec.replicas</c> (CRD scale paths).</summary>
internal static class JsonPath
{
    public static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in Parts(path))
            node = node is JsonObject o ? o[part] : null;
        return node;
    }

    public static void Set(JsonObject obj, string path, JsonNode? value)
    {
        var parts = Parts(path);
        var current = obj;
        foreach (var part in parts[..^1])
        {
            if (current[part] is not JsonObject next)
            {
                next = new JsonObject();
                current[part] = next;
            }
            current = next;
        }
        current[parts[^1]] = value;
    }

    private static string[] Parts(string path) => path.TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
}
