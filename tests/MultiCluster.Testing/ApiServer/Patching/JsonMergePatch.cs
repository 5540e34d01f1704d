using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
public static class JsonMergePatch
{
    /// <summary>Returns the patched document; <paramref name="target"/> is not modified.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (JsonValues.IsNull(value))
                result.Remove(key);
            else
                result[key] = Apply(result[key], value);
        }
        return result;
    }
}
