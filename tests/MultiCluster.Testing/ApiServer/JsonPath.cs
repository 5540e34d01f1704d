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

/// <summary>Number reads that work whatever CLR type a JsonValue was built from (int, long, parsed JSON).</summary>
internal static class JsonNumbers
{
    public static bool TryGetInt64(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
