using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// Serves the kinds CustomResourceDefinitions declare, as apiextensions-apiserver does: a CRD
/// that is stored starts serving its served versions and gets NamesAccepted and Established
/// conditions; a CRD that is removed stops serving and its objects are removed.
/// </summary>
internal sealed class CrdServing
{
    private readonly EmulatedCluster cluster;
    private readonly ResourceType crdType;

    public CrdServing(EmulatedCluster cluster)
    {
        this.cluster = cluster;
        crdType = cluster.Registry.Find("apiextensions.k8s.io", "customresourcedefinitions")!;
        cluster.Store.Changed += OnChanged;
    }

    private void OnChanged(StoreEvent e)
    {
        if (e.Key.Group != crdType.Group || e.Key.Resource != crdType.Plural) return;
        var crd = e.Object;
        var group = crd["spec"]?["group"]?.ToString() ?? "";
        var plural = crd["spec"]?["names"]?["plural"]?.ToString() ?? "";
        if (e.Type == WatchEventType.Deleted)
        {
            if (cluster.Registry.Find(group, plural) is { IsCustom: true } served)
            {
                cluster.Store.DeleteAll(served);
                cluster.Registry.Remove(group, plural);
            }
            return;
        }
        var type = TypeOf(crd);
        if (type is null) return;
        var existing = cluster.Registry.Find(group, plural);
        if (existing is { IsCustom: false }) return;
        cluster.Registry.Add(type);
        MarkEstablished(crd);
    }

    /// <summary>The served type a CRD declares, or null when it serves no version.</summary>
    public static ResourceType? TypeOf(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var names = spec?["names"] as JsonObject;
        if (spec is null || names is null) return null;
        var versions = (spec["versions"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
            .Where(v => v["served"]?.GetValue<bool>() != false).ToList();
        if (versions.Count == 0) return null;
        // The storage version leads; the rest follow in the CRD's order.
        var ordered = versions.OrderByDescending(v => v["storage"]?.GetValue<bool>() == true).ToList();
        var schemas = new Dictionary<string, StructuralSchema?>();
        var rawSchemas = new Dictionary<string, JsonObject?>();
        foreach (var v in ordered)
        {
            var schema = v["schema"]?["openAPIV3Schema"] as JsonObject;
            schemas[v["name"]!.ToString()] = schema is null ? null : StructuralSchema.Parse(schema);
            rawSchemas[v["name"]!.ToString()] = schema?.DeepClone().AsObject();
        }
        var withSubresources = ordered.FirstOrDefault(v => v["subresources"] is JsonObject);
        var subresources = withSubresources?["subresources"] as JsonObject;
        var subList = new List<string>();
        if (subresources?["status"] is not null) subList.Add("status");
        ScaleSpec? scale = null;
        if (subresources?["scale"] is JsonObject s)
        {
            subList.Add("scale");
            scale = new ScaleSpec(s["specReplicasPath"]?.ToString() ?? ".spec.replicas",
                s["statusReplicasPath"]?.ToString() ?? ".status.replicas", s["labelSelectorPath"]?.ToString());
        }
        var kind = names["kind"]?.ToString() ?? "";
        return new ResourceType
        {
            Group = spec["group"]?.ToString() ?? "",
            Versions = ordered.Select(v => v["name"]!.ToString()).ToList(),
            Kind = kind,
            Plural = names["plural"]?.ToString() ?? "",
            Singular = names["singular"]?.ToString() is { Length: > 0 } singular ? singular : kind.ToLowerInvariant(),
            Namespaced = spec["scope"]?.ToString() != "Cluster",
            ShortNames = Strings(names["shortNames"]),
            Categories = Strings(names["categories"]),
            Subresources = subList,
            Scale = scale,
            TracksGeneration = true,
            IsCustom = true,
            Schemas = schemas,
            OpenApiSchemas = rawSchemas,
        };
    }

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(x => x?.ToString() ?? "").Where(x => x.Length > 0).ToList() : [];

    private void MarkEstablished(JsonObject crd)
    {
        var names = crd["spec"]!["names"]!.DeepClone().AsObject();
        names["singular"] ??= names["kind"]!.ToString().ToLowerInvariant();
        names["listKind"] ??= names["kind"] + "List";
        var status = crd["status"] as JsonObject;
        if (status is not null && JsonNode.DeepEquals(status["acceptedNames"], names)
            && status["conditions"] is JsonArray { Count: >= 2 }) return;
        var now = ObjectStore.Timestamp(cluster.Clock.UtcNow);
        var updated = crd.DeepClone().AsObject();
        updated["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "NamesAccepted", ["status"] = "True", ["lastTransitionTime"] = now,
                    ["reason"] = "NoConflicts", ["message"] = "no conflicts found",
                },
                new JsonObject
                {
                    ["type"] = "Established", ["status"] = "True", ["lastTransitionTime"] = now,
                    ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted",
                }),
            ["acceptedNames"] = names,
            ["storedVersions"] = new JsonArray((crd["spec"]!["versions"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Where(v => v["storage"]?.GetValue<bool>() == true).Select(v => (JsonNode)JsonValue.Create(v["name"]!.ToString())!).ToArray()),
        };
        updated["metadata"]!.AsObject().Remove("resourceVersion");
        cluster.Store.Update(crdType, updated);
    }
}
