using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>
/// The OpenAPI v3 group-version documents kube-apiserver publishes at
/// <c>/openapi/v3/apis/{group}/{version}</c>, derived for a CRD version as apiextensions' builder
/// derives them: the schema under its reversed-group name with ObjectMeta by reference and
/// <c>x-kubernetes-group-version-kind</c>, its list type, and the operations of the resource, its
/// list and its subresources; PATCH lists <c>fieldValidation</c>, which tells kubectl to let the
/// server validate fields.
/// </summary>
public static class OpenApiDocuments
{
    private const string MetaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static readonly Lazy<JsonObject> MetaSchemas = new(LoadMetaSchemas);

    /// <summary>The document for one version of <paramref name="crd"/>.</summary>
    public static JsonObject ForCrd(JsonObject crd, string version)
    {
        var spec = crd["spec"]!.AsObject();
        var group = spec["group"]!.GetValue<string>();
        var names = spec["names"]!.AsObject();
        var kind = names["kind"]!.GetValue<string>();
        var listKind = names["listKind"]?.GetValue<string>() ?? kind + "List";
        var plural = names["plural"]!.GetValue<string>();
        var namespaced = spec["scope"]?.GetValue<string>() != "Cluster";
        var versionEntry = spec["versions"]!.AsArray().OfType<JsonObject>().FirstOrDefault(v => v["name"]?.GetValue<string>() == version)
            ?? throw new ArgumentException($"the CRD has no version {version}", nameof(version));
        var subresources = versionEntry["subresources"] as JsonObject ?? spec["subresources"] as JsonObject;
        var openApiSchema = (versionEntry["schema"]?["openAPIV3Schema"] ?? spec["validation"]?["openAPIV3Schema"]) as JsonObject;

        var schemaName = $"{ReversedGroup(group)}.{version}.{kind}";
        var listSchemaName = $"{ReversedGroup(group)}.{version}.{listKind}";
        var schemas = (JsonObject)MetaSchemas.Value.DeepClone();
        schemas[schemaName] = ResourceSchema(openApiSchema, group, version, kind);
        schemas[listSchemaName] = ListSchema(schemaName, group, version, kind, listKind);

        var operations = new OperationNames(group, version, kind);
        var paths = new JsonObject();
        var collection = namespaced ? $"/apis/{group}/{version}/namespaces/{{namespace}}/{plural}" : $"/apis/{group}/{version}/{plural}";
        var gvk = Gvk(group, version, kind);
        var scopeParameters = namespaced ? new JsonArray(NamespaceParameter(), PrettyParameter()) : new JsonArray(PrettyParameter());

        paths[collection] = new JsonObject
        {
            ["get"] = Operation("list", $"list or watch objects of kind {kind}", operations.Id("list", namespaced), ListParameters(), Ref(listSchemaName), gvk, operations.Tag),
            ["post"] = Operation("post", $"create a {kind}", operations.Id("create", namespaced), WriteParameters(), Ref(schemaName), gvk, operations.Tag, Body(schemaName), "201", "202"),
            ["delete"] = Operation("deletecollection", $"delete collection of {kind}", operations.Id("delete", namespaced, collection: true),
                new JsonArray([.. ListParameters().Select(p => p!.DeepClone()), .. DeleteParameters().Select(p => p!.DeepClone())]), Ref(MetaPrefix + "Status"), gvk, operations.Tag, Body(MetaPrefix + "DeleteOptions", required: false)),
            ["parameters"] = scopeParameters.DeepClone(),
        };
        var item = $"{collection}/{{name}}";
        paths[item] = ItemOperations(kind, schemaName, gvk, operations, namespaced, "", NameParameters(kind, scopeParameters), deletable: true);
        if (subresources?["status"] is not null)
            paths[$"{item}/status"] = ItemOperations(kind, schemaName, gvk, operations, namespaced, "Status", NameParameters(kind, scopeParameters), deletable: false);
        if (subresources?["scale"] is not null)
        {
            schemas["io.k8s.api.autoscaling.v1.Scale"] = ScaleSchema();
            paths[$"{item}/scale"] = ItemOperations("Scale", "io.k8s.api.autoscaling.v1.Scale", Gvk("autoscaling", "v1", "Scale"), operations, namespaced, "Scale",
                NameParameters(kind, scopeParameters), deletable: false);
        }
        if (namespaced)
        {
            paths[$"/apis/{group}/{version}/{plural}"] = new JsonObject
            {
                ["get"] = Operation("list", $"list or watch objects of kind {kind}", $"list{operations.Prefix}{kind}ForAllNamespaces", ListParameters(), Ref(listSchemaName), gvk, operations.Tag),
                ["parameters"] = new JsonArray(PrettyParameter()),
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes CRD Swagger", ["version"] = "v0.1.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    /// <summary>cluster.x-k8s.io becomes io.x-k8s.cluster, as Kubernetes names definitions.</summary>
    public static string ReversedGroup(string group) => string.Join('.', group.Split('.').Reverse());

    private static JsonObject ResourceSchema(JsonObject? openApiSchema, string group, string version, string kind)
    {
        var schema = openApiSchema?.DeepClone() as JsonObject ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        if (schema["properties"] is not JsonObject properties) schema["properties"] = properties = new JsonObject();
        properties["apiVersion"] = new JsonObject
        {
            ["description"] = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
            ["type"] = "string",
        };
        properties["kind"] = new JsonObject
        {
            ["description"] = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
            ["type"] = "string",
        };
        properties["metadata"] = new JsonObject
        {
            ["allOf"] = new JsonArray(Ref(MetaPrefix + "ObjectMeta")),
            ["description"] = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(group, version, kind));
        return schema;
    }

    private static JsonObject ListSchema(string itemSchema, string group, string version, string kind, string listKind) => new()
    {
        ["description"] = $"{listKind} is a list of {kind}",
        ["required"] = new JsonArray("items"),
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["description"] = "APIVersion defines the versioned schema of this representation of an object.", ["type"] = "string" },
            ["items"] = new JsonObject
            {
                ["description"] = $"List of {kind.ToLowerInvariant()}s. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md",
                ["type"] = "array",
                ["items"] = Ref(itemSchema),
            },
            ["kind"] = new JsonObject { ["description"] = "Kind is a string value representing the REST resource this object represents.", ["type"] = "string" },
            ["metadata"] = new JsonObject
            {
                ["allOf"] = new JsonArray(Ref(MetaPrefix + "ListMeta")),
                ["description"] = "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
            },
        },
        ["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(group, version, listKind)),
    };

    private static JsonObject ItemOperations(string kind, string schemaName, JsonObject gvk, OperationNames names, bool namespaced, string suffix,
        JsonArray parameters, bool deletable)
    {
        var what = suffix.Length == 0 ? $"the specified {kind}" : $"{suffix.ToLowerInvariant()} of the specified {names.Kind}";
        var path = new JsonObject
        {
            ["get"] = Operation("get", $"read {what}", names.Id("read", namespaced, suffix: suffix), new JsonArray(ResourceVersionParameter()), Ref(schemaName), gvk, names.Tag),
            ["put"] = Operation("put", $"replace {what}", names.Id("replace", namespaced, suffix: suffix), WriteParameters(), Ref(schemaName), gvk, names.Tag, Body(schemaName), "201"),
            ["patch"] = Operation("patch", $"partially update {what}", names.Id("patch", namespaced, suffix: suffix), PatchParameters(), Ref(schemaName), gvk, names.Tag,
                PatchBody(), "201"),
            ["parameters"] = parameters,
        };
        if (deletable)
            path["delete"] = Operation("delete", $"delete a {kind}", names.Id("delete", namespaced), DeleteParameters(), Ref(MetaPrefix + "Status"), gvk, names.Tag,
                Body(MetaPrefix + "DeleteOptions", required: false), "202");
        return path;
    }

    private sealed class OperationNames(string group, string version, string kind)
    {
        public string Kind { get; } = kind;
        public string Prefix { get; } = GroupWord(group) + Capitalize(version);
        public JsonArray Tag => new(GroupTag(group) + "_" + version);

        public string Id(string verb, bool namespaced, bool collection = false, string suffix = "") =>
            $"{verb}{Prefix}{(collection ? "Collection" : "")}{(namespaced ? "Namespaced" : "")}{Kind}{suffix}";

        private static string GroupWord(string group) => string.Concat(group.Split('.', '-').Select(Capitalize));

        private static string GroupTag(string group)
        {
            var word = GroupWord(group);
            return char.ToLowerInvariant(word[0]) + word[1..];
        }

        private static string Capitalize(string part) => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..];
    }

    private static JsonObject Operation(string action, string description, string operationId, JsonArray parameters, JsonObject responseSchema,
        JsonObject gvk, JsonArray tag, JsonObject? requestBody = null, params string[] extraCodes)
    {
        var responses = new JsonObject { ["200"] = Response(responseSchema) };
        foreach (var code in extraCodes) responses[code] = Response(responseSchema);
        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        var operation = new JsonObject
        {
            ["description"] = description,
            ["operationId"] = operationId,
            ["parameters"] = parameters,
        };
        if (requestBody is not null) operation["requestBody"] = requestBody;
        operation["responses"] = responses;
        operation["tags"] = tag;
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = gvk.DeepClone();
        return operation;
    }

    private static JsonObject Response(JsonObject schema) => new()
    {
        ["content"] = new JsonObject
        {
            ["application/json"] = new JsonObject { ["schema"] = schema.DeepClone() },
            ["application/yaml"] = new JsonObject { ["schema"] = schema.DeepClone() },
        },
        ["description"] = "OK",
    };

    private static JsonObject Body(string schemaName, bool required = true)
    {
        var body = new JsonObject
        {
            ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = Ref(schemaName) } },
        };
        if (required) body["required"] = true;
        return body;
    }

    // Custom resources take no strategic merge patch.
    private static JsonObject PatchBody() => new()
    {
        ["content"] = new JsonObject
        {
            ["application/apply-patch+yaml"] = new JsonObject { ["schema"] = Ref(MetaPrefix + "Patch") },
            ["application/json-patch+json"] = new JsonObject { ["schema"] = Ref(MetaPrefix + "Patch") },
            ["application/merge-patch+json"] = new JsonObject { ["schema"] = Ref(MetaPrefix + "Patch") },
        },
        ["required"] = true,
    };

    private static JsonObject Ref(string schemaName) => new() { ["$ref"] = "#/components/schemas/" + schemaName };

    private static JsonObject Gvk(string group, string version, string kind) => new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    private static JsonObject Query(string name, string type, string description) => new()
    {
        ["description"] = description,
        ["in"] = "query",
        ["name"] = name,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonObject DryRun() => Query("dryRun", "string", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed");

    private static JsonObject FieldManager() => Query("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes.");

    private static JsonObject FieldValidation() => Query("fieldValidation", "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict");

    private static JsonArray WriteParameters() => new(DryRun(), FieldManager(), FieldValidation());

    private static JsonArray PatchParameters() => new(DryRun(), FieldManager(), FieldValidation(),
        Query("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."));

    private static JsonArray DeleteParameters() => new(DryRun(),
        Query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."),
        Query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error."),
        Query("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7."),
        Query("propagationPolicy", "string", "Whether and how garbage collection will be performed."));

    private static JsonArray ListParameters() => new(
        Query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
        Query("continue", "string", "The continue option should be set when retrieving more results from the server."),
        Query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        Query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        Query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
        Query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        Query("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        Query("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`."),
        Query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        Query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."));

    private static JsonObject ResourceVersionParameter() => Query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from.");

    private static JsonObject PrettyParameter() => Query("pretty", "string", "If 'true', then the output is pretty printed.");

    private static JsonObject NamespaceParameter() => new()
    {
        ["description"] = "object name and auth scope, such as for teams and projects",
        ["in"] = "path",
        ["name"] = "namespace",
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonArray NameParameters(string kind, JsonArray scopeParameters)
    {
        var name = new JsonObject
        {
            ["description"] = $"name of the {kind}",
            ["in"] = "path",
            ["name"] = "name",
            ["required"] = true,
            ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
        };
        return new JsonArray([name, .. scopeParameters.Select(p => p!.DeepClone())]);
    }

    private static JsonObject ScaleSchema() => new()
    {
        ["description"] = "Scale represents a scaling request for a resource.",
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["metadata"] = new JsonObject { ["allOf"] = new JsonArray(Ref(MetaPrefix + "ObjectMeta")), ["default"] = new JsonObject() },
            ["spec"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["replicas"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" } } },
            ["status"] = new JsonObject
            {
                ["type"] = "object",
                ["required"] = new JsonArray("replicas"),
                ["properties"] = new JsonObject
                {
                    ["replicas"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["default"] = 0 },
                    ["selector"] = new JsonObject { ["type"] = "string" },
                },
            },
        },
        ["x-kubernetes-group-version-kind"] = new JsonArray(Gvk("autoscaling", "v1", "Scale")),
    };

    /// <summary>
    /// The meta/v1 schemas a CRD document references: copied from the published apiextensions
    /// document in shared/crds when present, else a compact equivalent of their shape.
    /// </summary>
    private static JsonObject LoadMetaSchemas()
    {
        var published = SharedFiles.Crds is { } crds ? Path.Combine(crds, "kubernetes-openapi-v3", "apis__apiextensions.k8s.io__v1_openapi.json") : null;
        if (published is not null && File.Exists(published)
            && JsonNode.Parse(File.ReadAllText(published))?["components"]?["schemas"] is JsonObject all)
        {
            var meta = new JsonObject();
            foreach (var (name, schema) in all)
                if ((name.StartsWith(MetaPrefix, StringComparison.Ordinal) || name.StartsWith("io.k8s.apimachinery.pkg.runtime.", StringComparison.Ordinal))
                    && name != MetaPrefix + "APIResource" && name != MetaPrefix + "APIResourceList")
                    meta[name] = schema?.DeepClone();
            return meta;
        }
        return CompactMetaSchemas();
    }

    /// <summary>The compact meta/v1 schemas used when shared/crds is absent (a fresh copy).</summary>
    public static JsonObject CompactMetaSchemas()
    {
        JsonObject Str() => new() { ["type"] = "string" };
        JsonObject Int() => new() { ["type"] = "integer", ["format"] = "int64" };
        JsonObject Bool() => new() { ["type"] = "boolean" };
        JsonObject StringMap() => new() { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string", ["default"] = "" } };
        JsonObject RefTo(string name) => new() { ["allOf"] = new JsonArray(Ref(MetaPrefix + name)) };
        JsonObject ArrayOf(JsonObject items) => new() { ["type"] = "array", ["items"] = items };
        JsonObject Object(JsonObject properties, params string[] required)
        {
            var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
            if (required.Length > 0) schema["required"] = new JsonArray(required.Select(r => (JsonNode?)r).ToArray());
            return schema;
        }

        return new JsonObject
        {
            [MetaPrefix + "Time"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            [MetaPrefix + "FieldsV1"] = new JsonObject { ["type"] = "object" },
            [MetaPrefix + "Patch"] = new JsonObject { ["type"] = "object" },
            [MetaPrefix + "OwnerReference"] = Object(new JsonObject
            {
                ["apiVersion"] = Str(), ["blockOwnerDeletion"] = Bool(), ["controller"] = Bool(), ["kind"] = Str(), ["name"] = Str(), ["uid"] = Str(),
            }, "apiVersion", "kind", "name", "uid"),
            [MetaPrefix + "ManagedFieldsEntry"] = Object(new JsonObject
            {
                ["apiVersion"] = Str(), ["fieldsType"] = Str(), ["fieldsV1"] = RefTo("FieldsV1"), ["manager"] = Str(),
                ["operation"] = Str(), ["subresource"] = Str(), ["time"] = RefTo("Time"),
            }),
            [MetaPrefix + "ObjectMeta"] = Object(new JsonObject
            {
                ["annotations"] = StringMap(),
                ["creationTimestamp"] = RefTo("Time"),
                ["deletionGracePeriodSeconds"] = Int(),
                ["deletionTimestamp"] = RefTo("Time"),
                ["finalizers"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string", ["default"] = "" }, ["x-kubernetes-list-type"] = "set", ["x-kubernetes-patch-strategy"] = "merge" },
                ["generateName"] = Str(),
                ["generation"] = Int(),
                ["labels"] = StringMap(),
                ["managedFields"] = new JsonObject { ["type"] = "array", ["items"] = RefTo("ManagedFieldsEntry"), ["x-kubernetes-list-type"] = "atomic" },
                ["name"] = Str(),
                ["namespace"] = Str(),
                ["ownerReferences"] = new JsonObject
                {
                    ["type"] = "array", ["items"] = RefTo("OwnerReference"), ["x-kubernetes-list-map-keys"] = new JsonArray("uid"),
                    ["x-kubernetes-list-type"] = "map", ["x-kubernetes-patch-merge-key"] = "uid", ["x-kubernetes-patch-strategy"] = "merge",
                },
                ["resourceVersion"] = Str(),
                ["selfLink"] = Str(),
                ["uid"] = Str(),
            }),
            [MetaPrefix + "ListMeta"] = Object(new JsonObject
            {
                ["continue"] = Str(), ["remainingItemCount"] = Int(), ["resourceVersion"] = Str(), ["selfLink"] = Str(),
            }),
            [MetaPrefix + "Preconditions"] = Object(new JsonObject { ["resourceVersion"] = Str(), ["uid"] = Str() }),
            [MetaPrefix + "DeleteOptions"] = Object(new JsonObject
            {
                ["apiVersion"] = Str(), ["dryRun"] = ArrayOf(Str()), ["gracePeriodSeconds"] = Int(),
                ["ignoreStoreReadErrorWithClusterBreakingPotential"] = Bool(), ["kind"] = Str(), ["orphanDependents"] = Bool(),
                ["preconditions"] = RefTo("Preconditions"), ["propagationPolicy"] = Str(),
            }),
            [MetaPrefix + "StatusCause"] = Object(new JsonObject { ["field"] = Str(), ["message"] = Str(), ["reason"] = Str() }),
            [MetaPrefix + "StatusDetails"] = Object(new JsonObject
            {
                ["causes"] = ArrayOf(RefTo("StatusCause")), ["group"] = Str(), ["kind"] = Str(), ["name"] = Str(),
                ["retryAfterSeconds"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" }, ["uid"] = Str(),
            }),
            [MetaPrefix + "Status"] = Object(new JsonObject
            {
                ["apiVersion"] = Str(), ["code"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" }, ["details"] = RefTo("StatusDetails"),
                ["kind"] = Str(), ["message"] = Str(), ["metadata"] = RefTo("ListMeta"), ["reason"] = Str(), ["status"] = Str(),
            }),
            [MetaPrefix + "WatchEvent"] = Object(new JsonObject { ["object"] = new JsonObject { ["type"] = "object" }, ["type"] = Str() }, "type", "object"),
        };
    }
}
