using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Configuration;

/// <summary>
/// Which Secrets and ConfigMaps a Deployment's pods use: mounted as volumes (also inside projected
/// volumes) or read into the environment (env valueFrom, envFrom), by containers and init containers.
/// </summary>
internal static class DeploymentReferences
{
    /// <summary>The (kind, name) of every Secret and ConfigMap the Deployment's pod template uses.</summary>
    public static IReadOnlySet<(string Kind, string Name)> Used(KubeObject deployment)
    {
        var used = new HashSet<(string, string)>();
        var pod = deployment.Json["spec"]?["template"]?["spec"] as JsonObject;
        if (pod is null) return used;
        void Add(string kind, JsonNode? name)
        {
            if (name is JsonValue value && value.TryGetValue<string>(out var text)) used.Add((kind, text));
        }
        foreach (var volume in Items(pod["volumes"]))
        {
            Add(SyncedObject.SecretKind, volume["secret"]?["secretName"]);
            Add(SyncedObject.ConfigMapKind, volume["configMap"]?["name"]);
            foreach (var source in Items(volume["projected"]?["sources"]))
            {
                Add(SyncedObject.SecretKind, source["secret"]?["name"]);
                Add(SyncedObject.ConfigMapKind, source["configMap"]?["name"]);
            }
        }
        foreach (var container in Items(pod["containers"]).Concat(Items(pod["initContainers"])))
        {
            foreach (var env in Items(container["env"]))
            {
                Add(SyncedObject.SecretKind, env["valueFrom"]?["secretKeyRef"]?["name"]);
                Add(SyncedObject.ConfigMapKind, env["valueFrom"]?["configMapKeyRef"]?["name"]);
            }
            foreach (var envFrom in Items(container["envFrom"]))
            {
                Add(SyncedObject.SecretKind, envFrom["secretRef"]?["name"]);
                Add(SyncedObject.ConfigMapKind, envFrom["configMapRef"]?["name"]);
            }
        }
        return used;
    }

    private static IEnumerable<JsonObject> Items(JsonNode? node) => (node as JsonArray ?? []).OfType<JsonObject>();
}
