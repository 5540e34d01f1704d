using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;

namespace MultiCluster.Engine.Resources;

/// <summary>The answer to a server-side apply: the object the server holds (or would hold) and whether it was new.</summary>
internal sealed record ApplyResponse(KubeObject Object, bool Created);

/// <summary>
/// A live object as a list saw it: its resourceVersion, and a digest of everything but its status,
/// resourceVersion and managedFields (and apiVersion/kind, which list items may omit), which tells
/// whether anything but its status changed since.
/// </summary>
internal sealed record LiveVersion(string ResourceVersion, string Content)
{
    public static LiveVersion Of(KubeObject obj) => new(obj.ResourceVersion ?? "", ContentOf(obj.Json));

    /// <summary>A digest of the object without status and bookkeeping (apiVersion, kind, resourceVersion, managedFields, generation).</summary>
    public static string ContentOf(JsonObject obj)
    {
        // Written out and read back as a document, so the applied object goes through the same filter as a list item.
        // Only a moved resourceVersion or a single GET comes here; lists take the element overload directly.
        var written = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(written))
            obj.WriteTo(writer);
        using var document = JsonDocument.Parse(written.WrittenMemory);
        return ContentOf(document.RootElement);
    }

    /// <summary>The digest of a list item as read, without building a node tree for it: a list can hold thousands.</summary>
    public static string ContentOf(JsonElement obj)
    {
        var written = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(written))
        {
            writer.WriteStartObject();
            foreach (var property in obj.EnumerateObject())
            {
                if (SkippedAtTop(property.Name)) continue;
                if (property.NameEquals("metadata") && property.Value.ValueKind == JsonValueKind.Object)
                {
                    writer.WritePropertyName(property.Name);
                    writer.WriteStartObject();
                    foreach (var field in property.Value.EnumerateObject())
                        if (!SkippedInMetadata(field.Name)) field.WriteTo(writer);
                    writer.WriteEndObject();
                }
                else
                {
                    property.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(written.WrittenSpan));
    }

    private static bool SkippedAtTop(string name) => name is "status" or "apiVersion" or "kind";

    // A status write bumps generation on kinds without a status subresource (Velero's CRDs).
    private static bool SkippedInMetadata(string name) => name is "resourceVersion" or "managedFields" or "generation";
}

/// <summary>
/// Generic operations on one cluster for any kind: server-side apply (field manager
/// <c>multicluster</c>), get, list, delete, each optionally as a server-side dry run.
/// </summary>
internal sealed class ResourceClient(IKubeApi api, string cluster)
{
    public const string FieldManager = "multicluster";
    private const string ApplyPatchContentType = "application/apply-patch+yaml";
    public const int DefaultListPageSize = 500;

    public string Cluster => cluster;

    /// <summary>The live object, or null when it does not exist.</summary>
    public async Task<KubeObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        var response = await api.SendAsync(HttpMethod.Get, type.ObjectPath(ns, name), null, null, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, Reference(type, ns, name));
        return KubeObject.Parse(response.Utf8Body.Span);
    }

    /// <summary>All objects of <paramref name="type"/> (in <paramref name="ns"/>, or everywhere when null) matching the label selector.</summary>
    public async Task<IReadOnlyList<KubeObject>> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken cancellationToken)
    {
        var items = new List<KubeObject>();
        await foreach (var page in ListPagesAsync(type, ns, labelSelector, DefaultListPageSize, cancellationToken).ConfigureAwait(false))
            items.AddRange(page);
        return items;
    }

    /// <summary>
    /// The objects of <paramref name="type"/> matching the label selector, one page at a time: the
    /// next page is requested only when the caller asks for it, so the first objects can be used
    /// (or the reading stopped) before the rest is fetched. When the server has let the continue
    /// token expire (410 Gone), the list starts over once, skipping what was already handed out.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<KubeObject>> ListPagesAsync(ResourceType type, string? ns, string? labelSelector, int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var handedOut = new HashSet<string>(StringComparer.Ordinal);
        var restarted = false;
        string? continueToken = null;
        while (true)
        {
            var query = $"?limit={pageSize}";
            if (!string.IsNullOrEmpty(labelSelector)) query += "&labelSelector=" + Uri.EscapeDataString(labelSelector);
            if (continueToken is not null) query += "&continue=" + Uri.EscapeDataString(continueToken);

            var response = await api.SendAsync(HttpMethod.Get, type.CollectionPath(ns) + query, null, null, cancellationToken).ConfigureAwait(false);
            if (response.Status == HttpStatusCode.BadRequest && !string.IsNullOrEmpty(labelSelector))
            {
                throw new Errors.FleetClusterException(Errors.FleetErrorIds.SelectorInvalid, Errors.FleetErrorCategory.InvalidArgument, cluster,
                    $"Cluster '{cluster}' rejected the label selector '{labelSelector}': {KubernetesErrors.StatusText(response.Body) ?? "bad request"}.",
                    recommendedAction: "Use the Kubernetes selector syntax: key=value, key!=value, key in (a,b), !key.");
            }
            if (ContinueExpired(response, continueToken, ref restarted))
            {
                continueToken = null;
                continue;
            }
            if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, $"{type.ApiVersion} {type.Kind} list");

            var list = JsonNode.Parse(response.Utf8Body.Span) as JsonObject;
            var page = new List<KubeObject>();
            foreach (var item in (list?["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var copy = (JsonObject)item.DeepClone();
                // List items omit apiVersion and kind; put them back so each object stands alone.
                copy["apiVersion"] ??= type.ApiVersion;
                copy["kind"] ??= type.Kind;
                var obj = new KubeObject(copy);
                if (handedOut.Add(obj.Namespace + "/" + obj.Name)) page.Add(obj);
            }
            continueToken = list?["metadata"]?["continue"]?.GetValue<string>() is { Length: > 0 } next ? next : null;
            yield return page;
            if (continueToken is null) yield break;
        }
    }

    /// <summary>
    /// True the first time the server answers a continued list with 410 Gone (the token is too old
    /// for a consistent list): the caller starts the list over. A second expiry is an error.
    /// </summary>
    private static bool ContinueExpired(KubeApiResponse response, string? continueToken, ref bool restarted)
    {
        if (response.Status != HttpStatusCode.Gone || continueToken is null || restarted) return false;
        restarted = true;
        return true;
    }

    /// <summary>
    /// Name to resourceVersion of every object of <paramref name="type"/> in <paramref name="ns"/>
    /// (everywhere when cluster-scoped): what an apply needs to tell created, configured and
    /// unchanged apart, read with one request per page instead of one GET per object.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, LiveVersion>> ListVersionsAsync(ResourceType type, string? ns, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, LiveVersion>(StringComparer.Ordinal);
        var restarted = false;
        string? continueToken = null;
        while (true)
        {
            var query = $"?limit={DefaultListPageSize}" + (continueToken is null ? "" : "&continue=" + Uri.EscapeDataString(continueToken));
            var response = await api.SendAsync(HttpMethod.Get, type.CollectionPath(ns) + query, null, null, cancellationToken).ConfigureAwait(false);
            if (ContinueExpired(response, continueToken, ref restarted))
            {
                continueToken = null;
                continue;
            }
            if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, $"{type.ApiVersion} {type.Kind} list");

            // Names, versions and a digest of each item are kept, not the items.
            using var list = JsonDocument.Parse(response.Utf8Body);
            if (list.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    if (item.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                        && Text(metadata, "name") is { } name)
                    {
                        versions[name] = new LiveVersion(Text(metadata, "resourceVersion") ?? "", LiveVersion.ContentOf(item));
                    }
                }
            }
            continueToken = list.RootElement.TryGetProperty("metadata", out var listMetadata) && listMetadata.ValueKind == JsonValueKind.Object
                            && Text(listMetadata, "continue") is { Length: > 0 } next ? next : null;
            if (continueToken is null) break;
        }
        return versions;
    }

    /// <summary>Server-side apply of <paramref name="obj"/> (already namespaced and labelled).</summary>
    public async Task<ApplyResponse> ApplyAsync(ResourceType type, KubeObject obj, bool forceConflicts, bool dryRun, CancellationToken cancellationToken)
    {
        // Strict, as kubectl sends by default: a misspelt field is an error, not silently dropped.
        var query = $"?fieldManager={FieldManager}&fieldValidation=Strict";
        if (forceConflicts) query += "&force=true";
        if (dryRun) query += "&dryRun=All";

        var path = type.ObjectPath(type.Namespaced ? obj.Namespace : null, obj.Name) + query;
        var response = await api.SendAsync(HttpMethod.Patch, path, obj.ToJson(), ApplyPatchContentType, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, obj.Reference);
        return new ApplyResponse(KubeObject.Parse(response.Utf8Body.Span), response.Status == HttpStatusCode.Created);
    }

    /// <summary>Deletes in the background (dependents are collected by the garbage collector); false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(ResourceType type, string? ns, string name, bool dryRun, CancellationToken cancellationToken)
    {
        var query = "?propagationPolicy=Background" + (dryRun ? "&dryRun=All" : "");
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "DeleteOptions",
            ["propagationPolicy"] = "Background",
        };
        if (dryRun) body["dryRun"] = new JsonArray("All");

        var response = await api.SendAsync(HttpMethod.Delete, type.ObjectPath(ns, name) + query, body.ToJsonString(), "application/json", cancellationToken)
            .ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, Reference(type, ns, name));
        return true;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Reference(ResourceType type, string? ns, string name) =>
        $"{type.ApiVersion} {type.Kind} {(type.Namespaced && ns is not null ? ns + "/" + name : name)}";
}
