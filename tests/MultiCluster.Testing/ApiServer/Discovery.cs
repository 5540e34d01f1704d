using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>The legacy discovery documents, shaped as kube-apiserver 1.32 serves them.</summary>
internal static class Discovery
{
    public static JsonObject Version(string gitVersion)
    {
        var parts = gitVersion.TrimStart('v').Split('.', '-', '+');
        return new JsonObject
        {
            ["major"] = parts.ElementAtOrDefault(0) ?? "1",
            ["minor"] = parts.ElementAtOrDefault(1) ?? "0",
            ["gitVersion"] = gitVersion,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2025-01-01T00:00:00Z",
            ["goVersion"] = "go1.23.4",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    public static JsonObject ApiVersions(int port) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = $"127.0.0.1:{port}",
        }),
    };

    public static JsonObject GroupList(ResourceRegistry registry) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(registry.Groups().Where(g => g.Group.Length > 0).Select(g => (JsonNode)Group(g.Group, g.Versions)).ToArray()),
    };

    public static JsonObject? GroupDocument(ResourceRegistry registry, string group)
    {
        var found = registry.Groups().FirstOrDefault(g => g.Group == group);
        if (found.Group is null) return null;
        var document = Group(found.Group, found.Versions);
        var result = new JsonObject { ["kind"] = "APIGroup", ["apiVersion"] = "v1" };
        foreach (var (key, value) in document.ToList())
        {
            document.Remove(key);
            result[key] = value;
        }
        return result;
    }

    private static JsonObject Group(string group, IReadOnlyList<string> versions) => new()
    {
        ["name"] = group,
        ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToArray()),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
    };

    public static JsonObject? ResourceList(ResourceRegistry registry, string group, string version)
    {
        var types = registry.InGroupVersion(group, version).ToList();
        if (types.Count == 0 && !(group.Length == 0 && version == "v1")) return null;
        var resources = new JsonArray();
        foreach (var type in types)
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray(type.Verbs.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
            };
            if (type.ShortNames.Count > 0) entry["shortNames"] = new JsonArray(type.ShortNames.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
            if (type.Categories.Count > 0) entry["categories"] = new JsonArray(type.Categories.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
            entry["storageVersionHash"] = StorageVersionHash(type);
            resources.Add(entry);
            foreach (var sub in type.Subresources)
            {
                var (subGroup, subVersion, subKind, verbs) = BuiltinResources.SubresourceShape(type, sub);
                var subEntry = new JsonObject
                {
                    ["name"] = $"{type.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                };
                if (subGroup != type.Group || subVersion != version)
                {
                    subEntry["group"] = subGroup;
                    subEntry["version"] = subVersion;
                }
                subEntry["kind"] = subKind;
                subEntry["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
                resources.Add(subEntry);
            }
        }
        var list = new JsonObject { ["kind"] = "APIResourceList" };
        if (group.Length > 0) list["apiVersion"] = "v1";
        list["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}";
        list["resources"] = resources;
        return list;
    }

    // The real hash is of the storage version's group/version/kind; clients only compare it for equality.
    private static string StorageVersionHash(ResourceType type) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{type.Group}/{type.StorageVersion}/{type.Kind}")))[..11];
}
