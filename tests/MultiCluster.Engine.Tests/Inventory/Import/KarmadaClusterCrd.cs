using System.Text.Json.Nodes;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Inventory.Import;

/// <summary>
/// Karmada's Cluster (cluster.karmada.io/v1alpha1) is served by an aggregated API server, not a
/// CRD, so ../shared/crds has no CRD of it; its only machine-readable schema is Karmada's
/// swagger.json (karmada/openapi-spec). This builds a cluster-scoped CRD from that definition
/// (spec with its references inlined), so the emulator checks Cluster objects against Karmada's own schema.
/// </summary>
internal static class KarmadaClusterCrd
{
    private const string Prefix = "#/definitions/";
    private const string ClusterDefinition = "com.github.karmada-io.karmada.pkg.apis.cluster.v1alpha1.Cluster";

    public static JsonObject Build()
    {
        var definitions = JsonNode.Parse(File.ReadAllText(Path.Combine(SharedFiles.Crds!, "karmada", "openapi-spec", "swagger.json")))!["definitions"]!.AsObject();
        var cluster = definitions[ClusterDefinition]!.AsObject();
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("spec"),
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["type"] = "object" },
                ["spec"] = Inline(cluster["properties"]!["spec"]!, definitions),
                ["status"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            },
        };
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = "clusters.cluster.karmada.io" },
            ["spec"] = new JsonObject
            {
                ["group"] = "cluster.karmada.io",
                ["scope"] = "Cluster",
                ["names"] = new JsonObject { ["kind"] = "Cluster", ["listKind"] = "ClusterList", ["plural"] = "clusters", ["singular"] = "cluster" },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "v1alpha1", ["served"] = true, ["storage"] = true,
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = schema },
                }),
            },
        };
    }

    // Swagger references become the referenced schema; descriptions are dropped to keep the CRD small.
    private static JsonNode Inline(JsonNode node, JsonObject definitions)
    {
        if (node is JsonArray array) return new JsonArray(array.Select(i => (JsonNode?)Inline(i!, definitions)).ToArray());
        if (node is not JsonObject obj) return node.DeepClone();
        if (obj["$ref"]?.GetValue<string>() is { } reference)
        {
            var target = definitions[reference[Prefix.Length..]]!;
            return reference.EndsWith("resource.Quantity", StringComparison.Ordinal)
                ? new JsonObject { ["x-kubernetes-int-or-string"] = true }
                : Inline(target, definitions);
        }
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key is "description" or "x-kubernetes-list-type" or "x-kubernetes-list-map-keys" or "x-kubernetes-patch-strategy" or "x-kubernetes-patch-merge-key") continue;
            result[key] = value is null ? null : Inline(value, definitions);
        }
        return result;
    }
}
