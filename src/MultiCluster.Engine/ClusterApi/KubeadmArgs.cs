using System.Text.Json.Nodes;

namespace MultiCluster.Engine.ClusterApi;

/// <summary>
/// Command-line flags in a kubeadm config: a map (<c>{name: value}</c>) in v1beta1, a list of
/// <c>{name, value}</c> entries in v1beta2, which also allows repeating a flag.
/// </summary>
internal static class KubeadmArgs
{
    public static JsonNode Write(FleetClusterApiVersion version, IEnumerable<KeyValuePair<string, string>> args)
    {
        if (version == FleetClusterApiVersion.V1Beta1)
        {
            var map = new JsonObject();
            foreach (var (name, value) in args) map[name] = value;
            return map;
        }
        var list = new JsonArray();
        foreach (var (name, value) in args) list.Add(new JsonObject { ["name"] = name, ["value"] = value });
        return list;
    }
}
