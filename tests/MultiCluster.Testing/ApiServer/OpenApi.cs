using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// <c>/openapi/v3</c>: the index of group-version documents and the documents themselves. Built-in
/// group versions come from the real documents in shared/crds/kubernetes-openapi-v3 (a minimal
/// valid document when absent); a group version served by CRDs gets the union of
/// <see cref="Schema.OpenApiDocuments.ForCrd"/> for each of its CRDs.
/// </summary>
internal static class OpenApi
{
    private static readonly ConcurrentDictionary<string, JsonObject?> BuiltinDocuments = new();

    public static JsonObject Index(EmulatedCluster cluster)
    {
        var registry = cluster.Registry;
        var paths = new JsonObject();
        foreach (var (group, versions) in registry.Groups())
            foreach (var version in versions)
            {
                var key = GroupVersionPath(group, version);
                var hash = Hash(key, registry.InGroupVersion(group, version));
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
            }
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for "api/v1" or "apis/{group}/{version}", or null when not served.</summary>
    public static JsonObject? Document(EmulatedCluster cluster, string groupVersionPath)
    {
        var registry = cluster.Registry;
        var parts = groupVersionPath.Trim('/').Split('/');
        string group, version;
        if (parts is ["api", var v]) (group, version) = ("", v);
        else if (parts is ["apis", var g, var gv]) (group, version) = (g, gv);
        else return null;
        var types = registry.InGroupVersion(group, version).ToList();
        if (types.Count == 0) return null;
        if (types.All(t => !t.IsCustom) && Builtin(groupVersionPath) is { } real) return real.DeepClone().AsObject();
        if (types.All(t => t.IsCustom)) return FromCrds(cluster, version, types);
        return Derived(group, version, types);
    }

    private static JsonObject? Builtin(string groupVersionPath) =>
        BuiltinDocuments.GetOrAdd(groupVersionPath, key =>
        {
            if (SharedFiles.Crds is not { } crds) return null;
            var file = Path.Combine(crds, "kubernetes-openapi-v3", key.Replace("/", "__") + "_openapi.json");
            return File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) as JsonObject : null;
        });

    /// <summary>One document for a group version served by CRDs: the union of each CRD's document.</summary>
    private static JsonObject FromCrds(EmulatedCluster cluster, string version, IReadOnlyList<ResourceType> types)
    {
        var crdType = cluster.Registry.Find("apiextensions.k8s.io", "customresourcedefinitions")!;
        JsonObject? merged = null;
        foreach (var type in types)
        {
            var crd = cluster.Store.Get(crdType, null, type.QualifiedResource);
            if (crd is null) continue;
            var document = Schema.OpenApiDocuments.ForCrd(crd, version);
            if (merged is null)
            {
                merged = document;
                continue;
            }
            foreach (var section in new[] { (JsonNode?)document["paths"], document["components"]?["schemas"] })
                if (section is JsonObject from)
                {
                    var into = section == document["paths"] ? (JsonObject)merged["paths"]! : (JsonObject)merged["components"]!["schemas"]!;
                    foreach (var (key, value) in from.ToList())
                    {
                        from.Remove(key);
                        into[key] = value;
                    }
                }
        }
        return merged ?? Derived(types[0].Group, version, types);
    }

    private static JsonObject Derived(string group, string version, IReadOnlyList<ResourceType> types)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types)
        {
            var schemaName = $"{ReverseDomain(group)}.{version}.{type.Kind}";
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = type.Kind };
            var schema = new JsonObject { ["type"] = "object" };
            schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
            schemas[schemaName] = schema;
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var itemPath = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}/{{name}}" : $"{prefix}/{type.Plural}/{{name}}";
            var reference = new JsonObject { ["$ref"] = $"#/components/schemas/{schemaName}" };
            var parameters = new JsonArray(
                QueryParameter("dryRun"), QueryParameter("fieldManager"), QueryParameter("fieldValidation"), QueryParameter("force", "boolean"));
            paths[itemPath] = new JsonObject
            {
                ["get"] = Operation("read", type, gvk, reference, new JsonArray()),
                ["put"] = Operation("replace", type, gvk, reference, new JsonArray(QueryParameter("dryRun"), QueryParameter("fieldManager"), QueryParameter("fieldValidation"))),
                ["patch"] = Operation("patch", type, gvk, reference, parameters),
                ["parameters"] = new JsonArray(PathParameter("name"), type.Namespaced ? PathParameter("namespace") : null),
            };
            if (!type.Namespaced) ((JsonArray)paths[itemPath]!["parameters"]!).RemoveAt(1);
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Operation(string action, ResourceType type, JsonObject gvk, JsonObject reference, JsonArray parameters) => new()
    {
        ["operationId"] = $"{action}{type.Kind}",
        ["parameters"] = parameters,
        ["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = reference.DeepClone() } },
            },
        },
        ["x-kubernetes-action"] = action == "read" ? "get" : action == "replace" ? "put" : "patch",
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
    };

    private static JsonObject QueryParameter(string name, string type = "string") => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonObject PathParameter(string name) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static string ReverseDomain(string group) =>
        group.Length == 0 ? "io.k8s.api.core" : string.Join('.', group.Split('.').Reverse());

    private static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    // Clients cache documents by this hash; it changes whenever the served types of the group version do.
    private static string Hash(string key, IEnumerable<ResourceType> types)
    {
        var identity = key + "|" + string.Join("|", types.Select(t =>
            $"{t.Kind}:{t.Plural}:{string.Join(",", t.Versions)}:{t.OpenApiSchemas.GetValueOrDefault(t.StorageVersion)?.ToJsonString().GetHashCode()}"));
        return Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(identity)));
    }
}
