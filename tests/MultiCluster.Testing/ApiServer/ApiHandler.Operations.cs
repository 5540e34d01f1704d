using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MultiCluster.Testing.ApiServer.Patching;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer;

internal sealed partial class ApiHandler
{
    private const int PatchRetries = 8;

    // ---- read -------------------------------------------------------------------------------

    private JsonObject Get(ResourceRequest request)
    {
        var type = request.Type;
        var obj = cluster.Store.Get(type, request.Namespace, request.Name!) ?? throw ApiStatusException.NotFound(type, request.Name!);
        return request.Subresource == "scale" ? ScaleOf(type, obj) : Present(type, request.Version, obj);
    }

    private JsonObject List(HttpContext http, ResourceRequest request)
    {
        var type = request.Type;
        var query = http.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"].FirstOrDefault());
        var fields = FieldSelector.Parse(query["fieldSelector"].FirstOrDefault()).SupportedBy(type);
        var snapshot = cluster.Store.List(type, request.Namespace);
        var items = snapshot.Items.Where(o => labels.MatchesObject(o) && fields.Matches(o)).ToList();

        var listRv = snapshot.ResourceVersion;
        var start = 0;
        if (query["continue"].FirstOrDefault() is { Length: > 0 } token)
        {
            var (rv, lastKey, issued) = DecodeContinue(token);
            if (cluster.Clock.UtcNow - issued > cluster.ContinueTokenLifetime)
                throw ApiStatusException.ContinueExpired(EncodeContinue(listRv, lastKey, cluster.Clock.UtcNow));
            listRv = rv;
            start = items.FindIndex(o => string.CompareOrdinal(SortKey(o), lastKey) > 0);
            if (start < 0) start = items.Count;
        }
        var limit = long.TryParse(query["limit"].FirstOrDefault(), out var l) && l > 0 ? (int)Math.Min(l, int.MaxValue) : int.MaxValue;
        var page = items.Skip(start).Take(limit).ToList();
        var metadata = new JsonObject { ["resourceVersion"] = listRv.ToString(CultureInfo.InvariantCulture) };
        var remaining = items.Count - start - page.Count;
        if (remaining > 0)
        {
            metadata["continue"] = EncodeContinue(listRv, SortKey(page[^1]), cluster.Clock.UtcNow);
            // The real server cannot count what a selector would keep, so it says nothing then.
            if (string.IsNullOrEmpty(query["labelSelector"].FirstOrDefault()) && string.IsNullOrEmpty(query["fieldSelector"].FirstOrDefault()))
                metadata["remainingItemCount"] = remaining;
        }
        return ListObject(type, request.Version, metadata, page);
    }

    private static JsonObject ListObject(ResourceType type, string version, JsonObject metadata, IEnumerable<JsonObject> items) => new()
    {
        ["apiVersion"] = type.ApiVersion(version),
        ["kind"] = type.ListKind,
        ["metadata"] = metadata,
        ["items"] = new JsonArray(items.Select(o => (JsonNode)Present(type, version, o)).ToArray()),
    };

    private static string SortKey(JsonObject obj) =>
        $"{obj["metadata"]?["namespace"]?.GetValue<string>()}/{obj["metadata"]?["name"]?.GetValue<string>()}";

    // The real token holds the version, resourceVersion and start key; "issued" stands in for etcd's compaction of old revisions.
    private static string EncodeContinue(long rv, string lastKey, DateTimeOffset issued) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = lastKey, ["issued"] = issued.ToUnixTimeMilliseconds(),
        }));

    private static (long Rv, string LastKey, DateTimeOffset Issued) DecodeContinue(string token)
    {
        try
        {
            var node = JsonNode.Parse(Convert.FromBase64String(token))!;
            return (node["rv"]!.GetValue<long>(), node["start"]!.GetValue<string>(), DateTimeOffset.FromUnixTimeMilliseconds(node["issued"]!.GetValue<long>()));
        }
        // k8s.io/apiserver/pkg/storage/continue.go DecodeContinue errors, wrapped by the etcd3 store's GetList
        // as BadRequest "invalid continue token: ...".
        catch (FormatException)
        {
            throw ApiStatusException.BadRequest("invalid continue token: continue key is not valid: illegal base64 data");
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiStatusException.BadRequest("invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }

    // ---- create ------------------------------------------------------------------------------

    /// <summary>Creates an object through the same pipeline as POST, as the admin (for loaders and tests).</summary>
    internal JsonObject CreateDirect(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? throw ApiStatusException.BadRequest("Object 'apiVersion' is missing");
        var kind = obj["kind"]?.GetValue<string>() ?? throw ApiStatusException.BadRequest("Object 'Kind' is missing");
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        var type = cluster.Registry.FindByKind(group, kind) ?? throw ApiStatusException.BadRequest($"no matches for kind \"{kind}\" in version \"{apiVersion}\"");
        var ns = type.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        var request = new ResourceRequest(type, version, ns, null, null, false);
        var context = new WriteContext { User = UserInfo.Admin, Query = QueryCollection.Empty, UserAgent = "multicluster-emulator" };
        return Create(request, obj, context);
    }

    private JsonObject Create(ResourceRequest request, JsonObject body, WriteContext context, bool managedFieldsDone = false)
    {
        var type = request.Type;
        var obj = PrepareIncoming(request, body);
        var meta = (JsonObject)obj["metadata"]!;
        if (type.Namespaced) meta["namespace"] = request.Namespace;
        var name = meta["name"]?.GetValue<string>();
        var generateName = meta["generateName"]?.GetValue<string>();
        ValidateName(type, name, generateName);
        if (type.Namespaced) RequireNamespace(request.Namespace!, creating: true);

        // Types with a status subresource ignore status on create, as their strategies reset it.
        if (type.HasStatus && !(type.Group == "" && type.Plural == "namespaces")) obj.Remove("status");
        CheckBuiltinFields(request, obj, context);
        BuiltinDefaults.Apply(type, obj, cluster);
        Admit(request, name ?? generateName ?? "", null, obj, context);
        ThrowIfInvalid(type, name ?? generateName ?? "", MetadataValidation.Errors(obj));
        BuiltinValidation.Validate(type, obj, name ?? generateName ?? "");
        AdmitCustom(request, obj, null, context, name ?? generateName ?? "");
        if (!managedFieldsDone) RecordManagedFields(request, null, obj, context);

        if (context.DryRun)
        {
            meta["name"] = name ?? generateName + ObjectStore.RandomSuffix();
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = ObjectStore.Timestamp(cluster.Clock.UtcNow);
            if (type.TracksGeneration) meta["generation"] = 1;
            return Present(type, request.Version, obj);
        }
        return Present(type, request.Version, cluster.Store.Create(type, obj));
    }

    private JsonObject PrepareIncoming(ResourceRequest request, JsonObject body)
    {
        var type = request.Type;
        var obj = body.DeepClone().AsObject();
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != request.ApiVersion)
            throw ApiStatusException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({request.ApiVersion})");
        var kind = obj["kind"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
            throw ApiStatusException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        obj["apiVersion"] = type.ApiVersion(type.StorageVersion);
        obj["kind"] = type.Kind;
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }
        var bodyNs = meta["namespace"]?.GetValue<string>();
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNs) && request.Namespace is not null && bodyNs != request.Namespace)
            throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        if (!type.Namespaced) meta.Remove("namespace");
        foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink" })
            if (request.Name is null) meta.Remove(field);
        return obj;
    }

    private void RequireNamespace(string ns, bool creating)
    {
        var nsType = cluster.Registry.Find("", "namespaces")!;
        var existing = cluster.Store.Get(nsType, null, ns) ?? throw ApiStatusException.NotFound(nsType, ns);
        if (creating && existing["metadata"]?["deletionTimestamp"] is not null)
            throw new ApiStatusException(403, "Forbidden",
                $"unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" }) });
    }

    // ---- update ------------------------------------------------------------------------------

    /// <summary>
    /// A PUT's body uid is a precondition of the write (kube-apiserver's DefaultUpdatedObjectInfo):
    /// another object's uid is a 409. Patches carry no precondition; their uid is checked as immutable (422).
    /// </summary>
    private void CheckUidPrecondition(ResourceRequest request, JsonObject body)
    {
        if (body["metadata"]?["uid"]?.ToString() is not { Length: > 0 } uid) return;
        var live = cluster.Store.Get(request.Type, request.Namespace, request.Name!) ?? throw ApiStatusException.NotFound(request.Type, request.Name!);
        var liveUid = live["metadata"]?["uid"]?.ToString();
        if (uid != liveUid)
            throw ApiStatusException.Conflict(request.Type, request.Name!, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {liveUid}");
    }

    private JsonObject Update(ResourceRequest request, JsonObject body, WriteContext context, JsonObject? managedAlready = null)
    {
        var type = request.Type;
        var obj = PrepareIncoming(request, body);
        var meta = (JsonObject)obj["metadata"]!;
        var bodyName = meta["name"]?.GetValue<string>();
        if (bodyName is null) meta["name"] = request.Name;
        else if (bodyName != request.Name)
            throw ApiStatusException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({request.Name})");
        if (type.Namespaced) meta["namespace"] = request.Namespace;
        var live = cluster.Store.Get(type, request.Namespace, request.Name!) ?? throw ApiStatusException.NotFound(type, request.Name!);

        JsonObject result;
        if (request.Subresource == "status")
        {
            // A status write changes status only (and may carry the precondition resourceVersion).
            result = live.DeepClone().AsObject();
            if (obj["status"] is { } status) result["status"] = status.DeepClone();
            else result.Remove("status");
            if (meta["resourceVersion"] is { } rv) result["metadata"]!["resourceVersion"] = rv.DeepClone();
        }
        else
        {
            result = obj;
            CheckBuiltinFields(request, result, context);
            if (type.HasStatus && !(type.Group == "" && type.Plural == "namespaces"))
            {
                if (live["status"] is { } liveStatus) result["status"] = liveStatus.DeepClone();
                else result.Remove("status");
            }
            BuiltinDefaults.Apply(type, result, cluster);
            Admit(request, request.Name!, live, result, context);
        }
        ThrowIfInvalid(type, request.Name!, [.. MetadataValidation.Errors(result), .. MetadataValidation.UpdateErrors(type, live, result)]);
        BuiltinValidation.Validate(type, result, request.Name!);
        AdmitCustom(request, result, live, context, request.Name!);
        if (managedAlready is null) RecordManagedFields(request, live, result, context);

        if (context.DryRun)
        {
            var liveRv = live["metadata"]!["resourceVersion"]!.GetValue<string>();
            var requested = result["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(requested) && requested != liveRv) throw ApiStatusException.StaleResourceVersion(type, request.Name!);
            var preview = result.DeepClone().AsObject();
            var previewMeta = (JsonObject)preview["metadata"]!;
            previewMeta["uid"] = live["metadata"]!["uid"]!.DeepClone();
            previewMeta["creationTimestamp"] = live["metadata"]!["creationTimestamp"]!.DeepClone();
            previewMeta["resourceVersion"] = liveRv;
            return Present(type, request.Version, preview);
        }
        return Present(type, request.Version, cluster.Store.Update(type, result));
    }

    // ---- scale ---------------------------------------------------------------------------------

    private static JsonObject ScaleOf(ResourceType type, JsonObject obj)
    {
        var scale = type.Scale ?? throw ApiStatusException.PathNotFound();
        var meta = (JsonObject)obj["metadata"]!;
        var scaleMeta = new JsonObject();
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
            if (meta[field] is { } value) scaleMeta[field] = value.DeepClone();
        var spec = new JsonObject();
        if (JsonPath.Get(obj, scale.SpecReplicasPath) is { } specReplicas) spec["replicas"] = specReplicas.DeepClone();
        var status = new JsonObject { ["replicas"] = JsonPath.Get(obj, scale.StatusReplicasPath)?.DeepClone() ?? 0 };
        var selector = scale.LabelSelectorPath is { } selectorPath
            ? JsonPath.Get(obj, selectorPath)?.ToString()
            : SelectorString(obj["spec"]?["selector"] as JsonObject);
        if (!string.IsNullOrEmpty(selector)) status["selector"] = selector;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    private static string SelectorString(JsonObject? selector)
    {
        if (selector is null) return "";
        var parts = new List<string>();
        if (selector["matchLabels"] is JsonObject labels)
            parts.AddRange(labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var key = e["key"]?.ToString();
                var values = e["values"] is JsonArray vs ? string.Join(",", vs.Select(v => v?.ToString())) : "";
                parts.Add(e["operator"]?.ToString() switch
                {
                    "In" => $"{key} in ({values})",
                    "NotIn" => $"{key} notin ({values})",
                    "Exists" => key!,
                    _ => $"!{key}",
                });
            }
        }
        return string.Join(",", parts);
    }

    private JsonObject UpdateScale(ResourceRequest request, JsonObject scaleBody, WriteContext context)
    {
        var type = request.Type;
        var scale = type.Scale ?? throw ApiStatusException.PathNotFound();
        var live = cluster.Store.Get(type, request.Namespace, request.Name!) ?? throw ApiStatusException.NotFound(type, request.Name!);
        var replicas = scaleBody["spec"]?["replicas"];
        if (!JsonNumbers.TryGetInt64(replicas, out var count) || count < 0)
            throw ApiStatusException.Invalid("autoscaling", "Scale", request.Name!,
                [new FieldError("FieldValueInvalid", "spec.replicas", $"Invalid value: {replicas?.ToJsonString() ?? "null"}: must be greater than or equal to 0")]);
        var updated = live.DeepClone().AsObject();
        JsonPath.Set(updated, scale.SpecReplicasPath, JsonValue.Create(count));
        if (scaleBody["metadata"]?["resourceVersion"]?.GetValue<string>() is { Length: > 0 } precondition)
            updated["metadata"]!["resourceVersion"] = precondition;
        var written = Update(request with { Subresource = null }, updated, context);
        return ScaleOf(type, written);
    }

    // ---- patch -------------------------------------------------------------------------------

    private async Task<(int Code, JsonObject Body)> PatchAsync(HttpContext http, ResourceRequest request, WriteContext context)
    {
        var type = request.Type;
        var contentType = (http.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var text = await ReadTextAsync(http).ConfigureAwait(false);
        if (contentType == "application/apply-patch+yaml") return ServerSideApply(request, text, context);

        JsonNode patch = JsonNode.Parse(text) ?? throw ApiStatusException.BadRequest("the patch is empty");
        Func<JsonObject, JsonObject> applyPatch = contentType switch
        {
            "application/json-patch+json" => target => (JsonObject)JsonPatch.Apply(target,
                patch as JsonArray ?? throw ApiStatusException.BadRequest("json patch must be an array of operations")),
            "application/merge-patch+json" => target => JsonMergePatch.Apply(target, patch) as JsonObject
                ?? throw ApiStatusException.BadRequest("the merge patch must be an object"),
            "application/strategic-merge-patch+json" when type.IsCustom => throw ApiStatusException.UnsupportedMediaType(),
            "application/strategic-merge-patch+json" => target => (JsonObject)StrategicMergePatch.Apply(target, patch, type.Group, type.Kind),
            _ => throw ApiStatusException.UnsupportedMediaType(),
        };
        var pinnedRv = PatchResourceVersion(patch);
        for (var attempt = 0; ; attempt++)
        {
            var live = cluster.Store.Get(type, request.Namespace, request.Name!) ?? throw ApiStatusException.NotFound(type, request.Name!);
            var liveRv = live["metadata"]!["resourceVersion"]!.GetValue<string>();
            try
            {
                if (request.Subresource == "scale")
                {
                    var patchedScale = applyPatch(ScaleOf(type, live));
                    if (patchedScale["metadata"]?["resourceVersion"] is null) patchedScale["metadata"]!["resourceVersion"] = liveRv;
                    return (200, UpdateScale(request, patchedScale, context));
                }
                var target = Present(type, request.Version, live.DeepClone().AsObject());
                var patched = applyPatch(target);
                if (patched["metadata"] is not JsonObject patchedMeta) throw ApiStatusException.BadRequest("metadata was removed by the patch");
                if (pinnedRv is null) patchedMeta["resourceVersion"] = liveRv;
                return (200, Update(request, patched, context));
            }
            catch (ApiStatusException e) when (e.Code == 409 && e.Reason == "Conflict" && pinnedRv is null && attempt < PatchRetries)
            {
                // Another writer got in between our read and write; the real server retries patches too.
            }
        }
    }

    private static string? PatchResourceVersion(JsonNode patch) => patch switch
    {
        JsonObject o => o["metadata"]?["resourceVersion"]?.ToString(),
        JsonArray ops => ops.OfType<JsonObject>().Any(op => op["path"]?.ToString() == "/metadata/resourceVersion") ? "pinned" : null,
        _ => null,
    };

    private (int Code, JsonObject Body) ServerSideApply(ResourceRequest request, string text, WriteContext context)
    {
        var type = request.Type;
        var manager = context.Query["fieldManager"].FirstOrDefault();
        if (string.IsNullOrEmpty(manager))
            throw ApiStatusException.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        var applied = YamlJson.Parse(text) as JsonObject ?? throw ApiStatusException.BadRequest("the apply patch must be an object");
        var force = IsTrue(context.Query["force"]);
        var pinnedRv = applied["metadata"]?["resourceVersion"]?.ToString() is { Length: > 0 } rv ? rv : null;
        var options = ManagedFieldsOptionsFor(request, manager, force);
        for (var attempt = 0; ; attempt++)
        {
            var live = cluster.Store.Get(type, request.Namespace, request.Name!);
            try
            {
                if (live is null)
                {
                    if (request.Subresource is not null) throw ApiStatusException.NotFound(type, request.Name!);
                    var fresh = applied.DeepClone().AsObject();
                    if (fresh["metadata"] is not JsonObject freshMeta) fresh["metadata"] = freshMeta = new JsonObject();
                    freshMeta["name"] ??= request.Name;
                    var createResult = ManagedFields.Apply(null, fresh, options);
                    return (201, Create(request with { Name = null }, createResult.Object, context, managedFieldsDone: true));
                }
                var presented = Present(type, request.Version, live.DeepClone().AsObject());
                var result = ManagedFields.Apply(presented, applied, options);
                if (result.Conflicts.Count > 0 && !force) throw ApplyConflict(result.Conflicts);
                var merged = result.Object;
                // A resourceVersion in the applied body is a precondition, as for an update; without one the live version is used.
                merged["metadata"]!["resourceVersion"] = (pinnedRv ?? live["metadata"]!["resourceVersion"]!.GetValue<string>());
                return (200, Update(request, merged, context, managedAlready: merged));
            }
            catch (ApiStatusException e) when (e.Code is 409 && e.Reason == "Conflict" && e.Details?["causes"] is null && pinnedRv is null && attempt < PatchRetries)
            {
            }
        }
    }

    private static ApiStatusException ApplyConflict(IReadOnlyList<ApplyConflict> conflicts)
    {
        var causes = new JsonArray();
        foreach (var c in conflicts)
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = c.CauseMessage, ["field"] = c.Field });
        return new ApiStatusException(409, "Conflict", Patching.ApplyConflict.Message(conflicts), new JsonObject { ["causes"] = causes });
    }

    private ManagedFieldsOptions ManagedFieldsOptionsFor(ResourceRequest request, string manager, bool force) => new()
    {
        Manager = manager,
        ApiVersion = request.ApiVersion,
        Group = request.Type.Group,
        Kind = request.Type.Kind,
        Now = cluster.Clock.UtcNow,
        Force = force,
        Subresource = request.Subresource,
        Schema = request.Type.Schemas.GetValueOrDefault(request.Version),
    };

    private void RecordManagedFields(ResourceRequest request, JsonObject? live, JsonObject updated, WriteContext context)
    {
        var manager = context.FieldManager;
        if (manager.Length == 0) return;
        ManagedFields.RecordUpdate(live, updated, ManagedFieldsOptionsFor(request, manager, force: false));
    }

    private void Admit(ResourceRequest request, string name, JsonObject? live, JsonObject obj, WriteContext context)
    {
        foreach (var admission in cluster.WriteAdmissions)
            admission.Admit(new WriteAdmissionRequest(cluster.Context, context.User, request.Type, request.Namespace, name, live, obj));
    }

    // ---- custom resources --------------------------------------------------------------------

    /// <summary>Schema admission of a custom resource; <paramref name="live"/> is the stored object on update (CEL transition rules).</summary>
    private static void AdmitCustom(ResourceRequest request, JsonObject obj, JsonObject? live, WriteContext context, string name)
    {
        var type = request.Type;
        if (!type.IsCustom) return;
        var schema = type.Schemas.GetValueOrDefault(request.Version);
        if (schema is null) return;
        var outcome = schema.Admit(obj, live);
        ReportUnknownFields(outcome.PrunedFields, context);
        context.Warnings.AddRange(outcome.Warnings);
        if (outcome.Errors.Count > 0) throw ApiStatusException.Invalid(type, name, outcome.Errors);
    }

    private static void CheckBuiltinFields(ResourceRequest request, JsonObject obj, WriteContext context)
    {
        if (request.Type.IsCustom) return;
        ReportUnknownFields(BuiltinSchemas.DropUnknownFields(request.Type, request.Version, obj), context);
    }

    /// <summary>fieldValidation: Strict fails with 400, Warn (the default) adds Warning headers, Ignore drops silently.</summary>
    private static void ReportUnknownFields(IReadOnlyList<string> unknownFields, WriteContext context)
    {
        if (unknownFields.Count == 0) return;
        var unknown = unknownFields.Select(f => $"unknown field \"{f}\"").ToList();
        switch (context.FieldValidation)
        {
            case "Strict":
                throw ApiStatusException.BadRequest($"strict decoding error: {string.Join(", ", unknown)}");
            case "Ignore":
                break;
            default:
                context.Warnings.AddRange(unknown);
                break;
        }
    }

    // ---- delete ------------------------------------------------------------------------------

    private JsonObject Delete(ResourceRequest request, JsonObject? options, WriteContext context)
    {
        var type = request.Type;
        var propagation = (options?["propagationPolicy"]?.ToString() ?? context.Query["propagationPolicy"].FirstOrDefault()) switch
        {
            "Orphan" => DeletionPropagation.Orphan,
            "Foreground" => DeletionPropagation.Foreground,
            _ => IsTrue(context.Query["orphanDependents"]) || options?["orphanDependents"]?.GetValue<bool>() == true
                ? DeletionPropagation.Orphan : DeletionPropagation.Background,
        };
        var uid = options?["preconditions"]?["uid"]?.ToString();
        var rv = options?["preconditions"]?["resourceVersion"]?.ToString();
        var dryRun = context.DryRun || options?["dryRun"] is JsonArray arr && arr.Any(v => v?.ToString() == "All");
        JsonObject deleted;
        if (dryRun)
        {
            deleted = cluster.Store.Get(type, request.Namespace, request.Name!) ?? throw ApiStatusException.NotFound(type, request.Name!);
        }
        else
        {
            deleted = cluster.Store.Delete(type, request.Namespace, request.Name!, uid, rv, propagation);
        }
        var pending = deleted["metadata"]?["deletionTimestamp"] is not null
            && deleted["metadata"]?["finalizers"] is JsonArray { Count: > 0 };
        if (pending || type.IsCustom) return Present(type, request.Version, deleted);
        if (type.Group == "" && type.Plural == "namespaces")
        {
            deleted["status"] = new JsonObject { ["phase"] = "Terminating" };
            return Present(type, request.Version, deleted);
        }
        var details = new JsonObject { ["name"] = request.Name };
        if (type.Group.Length > 0) details["group"] = type.Group;
        details["kind"] = type.Plural;
        details["uid"] = deleted["metadata"]?["uid"]?.DeepClone();
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private JsonObject DeleteCollection(HttpContext http, ResourceRequest request, WriteContext context)
    {
        var type = request.Type;
        var labels = LabelSelector.Parse(http.Request.Query["labelSelector"].FirstOrDefault());
        var fields = FieldSelector.Parse(http.Request.Query["fieldSelector"].FirstOrDefault()).SupportedBy(type);
        var victims = cluster.Store.List(type, request.Namespace).Items.Where(o => labels.MatchesObject(o) && fields.Matches(o)).ToList();
        var deleted = new List<JsonObject>();
        foreach (var victim in victims)
        {
            var meta = victim["metadata"]!;
            var single = request with { Namespace = meta["namespace"]?.GetValue<string>(), Name = meta["name"]!.GetValue<string>() };
            try
            {
                if (!context.DryRun) deleted.Add(cluster.Store.Delete(type, single.Namespace, single.Name!));
                else deleted.Add(victim);
            }
            catch (ApiStatusException e) when (e.Code == 404)
            {
                // Collected as a dependent of an earlier victim.
            }
        }
        return ListObject(type, request.Version,
            new JsonObject { ["resourceVersion"] = cluster.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) }, deleted);
    }

    // ---- watch -------------------------------------------------------------------------------

    private async Task WatchAsync(HttpContext http, ResourceRequest request)
    {
        var type = request.Type;
        var query = http.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"].FirstOrDefault());
        var fields = FieldSelector.Parse(query["fieldSelector"].FirstOrDefault()).SupportedBy(type);
        var onlyName = request.Name;
        var timeout = long.TryParse(query["timeoutSeconds"].FirstOrDefault(), out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cluster.ListenerStopping);
        cancel.CancelAfter(timeout);
        StoreWatch watch;
        try
        {
            watch = cluster.Store.Watch(type, request.Namespace, query["resourceVersion"].FirstOrDefault());
        }
        catch (ApiStatusException e) when (e.Code == 410)
        {
            await http.Response.StartAsync(cancel.Token).ConfigureAwait(false);
            await WriteEventAsync(http, "ERROR", e.ToStatus(), cancel.Token).ConfigureAwait(false);
            return;
        }
        using (watch)
        {
            await http.Response.StartAsync(cancel.Token).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(cancel.Token).ConfigureAwait(false);
            using var bookmarkTimer = bookmarks ? new PeriodicTimer(TimeSpan.FromSeconds(5)) : null;
            var reader = watch.Events;
            try
            {
                // A PeriodicTimer allows one pending wait: the tick outlives loop turns that events end first.
                Task<bool>? tick = null;
                while (true)
                {
                    var next = reader.WaitToReadAsync(cancel.Token).AsTask();
                    if (bookmarkTimer is not null)
                    {
                        tick ??= bookmarkTimer.WaitForNextTickAsync(cancel.Token).AsTask();
                        if (await Task.WhenAny(next, tick).ConfigureAwait(false) == tick && !next.IsCompleted)
                        {
                            tick = null;
                            await WriteEventAsync(http, "BOOKMARK", Bookmark(type, request.Version), cancel.Token).ConfigureAwait(false);
                            await next.ConfigureAwait(false);
                        }
                        else if (tick.IsCompleted)
                        {
                            tick = null;
                        }
                    }
                    if (!await next.ConfigureAwait(false)) return;
                    while (reader.TryRead(out var e))
                    {
                        var obj = e.Object;
                        if (onlyName is not null && e.Key.Name != onlyName) continue;
                        bool Matches(JsonObject o) => labels.MatchesObject(o) && fields.Matches(o);
                        var matchesNow = Matches(obj);
                        var eventType = e.TypeName;
                        if (e.Type == WatchEventType.Modified && e.OldObject is { } old)
                        {
                            // As the watch cache does: entering the selection is ADDED, leaving it DELETED.
                            var matchedBefore = Matches(old);
                            if (!matchesNow && !matchedBefore) continue;
                            if (!matchedBefore) eventType = "ADDED";
                            else if (!matchesNow) eventType = "DELETED";
                        }
                        else if (!matchesNow) continue;
                        await WriteEventAsync(http, eventType, Present(type, request.Version, obj.DeepClone().AsObject()), cancel.Token)
                            .ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout, client gone or instance stopping: the stream simply ends, as the real server's does.
            }
        }
    }

    private JsonObject Bookmark(ResourceType type, string version) => new()
    {
        ["kind"] = type.Kind,
        ["apiVersion"] = type.ApiVersion(version),
        ["metadata"] = new JsonObject { ["resourceVersion"] = cluster.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) },
    };

    private static async Task WriteEventAsync(HttpContext http, string type, JsonObject obj, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["type"] = type, ["object"] = obj }, WireJson);
        await http.Response.Body.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await http.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void ThrowIfInvalid(ResourceType type, string name, List<FieldError> errors)
    {
        if (errors.Count > 0) throw ApiStatusException.Invalid(type, name, errors);
    }

    // ---- names -------------------------------------------------------------------------------

    private static readonly Regex Subdomain = new(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.Compiled);
    private static readonly Regex Label = new(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.Compiled);
    private static readonly Regex Dns1035 = new(@"^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.Compiled);

    private static void ValidateName(ResourceType type, string? name, string? generateName)
    {
        if (string.IsNullOrEmpty(name))
        {
            if (string.IsNullOrEmpty(generateName))
                throw ApiStatusException.Invalid(type, "", [new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]);
            return;
        }
        var errors = NameErrors(type.NameRule, name).Select(m => new FieldError("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": {m}")).ToList();
        if (errors.Count > 0) throw ApiStatusException.Invalid(type, name, errors);
    }

    internal static IEnumerable<string> NameErrors(NameRule rule, string name)
    {
        switch (rule)
        {
            case NameRule.Label:
                if (name.Length > 63) yield return "must be no more than 63 characters";
                if (!Label.IsMatch(name))
                    yield return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
                break;
            case NameRule.Dns1035Label:
                if (name.Length > 63) yield return "must be no more than 63 characters";
                if (!Dns1035.IsMatch(name))
                    yield return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
                break;
            default:
                if (name.Length > 253) yield return "must be no more than 253 characters";
                if (!Subdomain.IsMatch(name))
                    yield return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
                break;
        }
    }
}
