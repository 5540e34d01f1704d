using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MultiCluster.Testing.ApiServer.Patching;

namespace MultiCluster.Testing.ApiServer;

/// <summary>What a resource path addresses.</summary>
internal sealed record ResourceRequest(
    ResourceType Type, string Version, string? Namespace, string? Name, string? Subresource, bool WatchPath)
{
    public string ApiVersion => Type.ApiVersion(Version);
}

/// <summary>Per-request state the write pipeline needs besides the object.</summary>
internal sealed class WriteContext
{
    public required UserInfo User { get; init; }
    public required IQueryCollection Query { get; init; }
    public string UserAgent { get; init; } = "";
    public List<string> Warnings { get; } = new();
    public bool DryRun => Query["dryRun"].Any(v => v == "All");
    public string FieldValidation => Query["fieldValidation"].FirstOrDefault() ?? "";

    /// <summary>The fieldManager query parameter, or the user agent's program name as kube-apiserver defaults it.</summary>
    public string FieldManager
    {
        get
        {
            var explicitManager = Query["fieldManager"].FirstOrDefault();
            if (!string.IsNullOrEmpty(explicitManager)) return explicitManager;
            var agent = UserAgent.Split('/')[0].Trim();
            return agent.Length > 128 ? agent[..128] : agent;
        }
    }
}

/// <summary>The HTTP front of one instance: routing, authentication, authorization, faults, REST semantics.</summary>
internal sealed partial class ApiHandler(EmulatedCluster cluster)
{
    private static readonly UserInfo Anonymous = new("system:anonymous", ["system:unauthenticated"]);
    private static readonly string[] PublicPaths = ["/version", "/healthz", "/readyz", "/livez"];

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        try
        {
            if (path.StartsWith("/_emulator/", StringComparison.Ordinal))
            {
                await AdminAsync(http, path).ConfigureAwait(false);
                return;
            }
            await InjectFaultsAsync(http).ConfigureAwait(false);
            var user = Authenticate(http);
            if (cluster.Impersonator is { } impersonator)
                user = impersonator.Impersonate(user, name => http.Request.Headers[name].OfType<string>().ToArray());
            await RouteAsync(http, path, user).ConfigureAwait(false);
        }
        catch (ApiStatusException e)
        {
            await WriteStatusAsync(http, e).ConfigureAwait(false);
        }
        catch (PatchException e)
        {
            await WriteStatusAsync(http, e.Malformed
                ? ApiStatusException.BadRequest(e.Message)
                : new ApiStatusException(422, "Invalid", e.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException { Source: "System.Text.Json" })
        {
            await WriteStatusAsync(http, ApiStatusException.BadRequest($"the object provided is unrecognized or malformed: {e.Message}")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested || cluster.ListenerStopping.IsCancellationRequested)
        {
            // The client went away or the instance is stopping: nobody is left to answer.
        }
    }

    private async Task RouteAsync(HttpContext http, string path, UserInfo user)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0) trimmed = "/";
        if (PublicPaths.Any(p => trimmed == p || trimmed.StartsWith(p + "/", StringComparison.Ordinal)))
        {
            if (trimmed == "/version") await WriteJsonAsync(http, 200, Discovery.Version(cluster.KubernetesVersion)).ConfigureAwait(false);
            else await WriteTextAsync(http, 200, "ok").ConfigureAwait(false);
            return;
        }
        var segments = trimmed.Trim('/').Split('/');
        var isDiscovery = trimmed is "/api" or "/apis" || trimmed.StartsWith("/openapi", StringComparison.Ordinal)
            || (segments[0] == "api" && segments.Length == 2) || (segments[0] == "apis" && segments.Length is 2 or 3);
        if (isDiscovery || !(segments[0] is "api" or "apis"))
        {
            AuthorizeNonResource(http, trimmed, user, isDiscovery);
            await DiscoveryAsync(http, trimmed, segments).ConfigureAwait(false);
            return;
        }
        var request = ParseResourcePath(segments);
        var verb = VerbOf(http, request);
        Authorize(user, verb, request, trimmed);
        await ResourceAsync(http, request, verb, user).ConfigureAwait(false);
    }

    private UserInfo Authenticate(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.Length == 0) return Anonymous;
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) throw ApiStatusException.Unauthorized();
        return cluster.Authenticate(header[7..].Trim()) ?? throw ApiStatusException.Unauthorized();
    }

    private void AuthorizeNonResource(HttpContext http, string path, UserInfo user, bool isDiscovery)
    {
        // system:discovery is granted to every authenticated user by the default RBAC policy.
        if (isDiscovery && user.Groups.Contains("system:authenticated")) return;
        var verb = http.Request.Method.ToLowerInvariant();
        var decision = cluster.Authorizer.Authorize(new AuthorizationAttributes(user, verb, "", "", "", "", "", path));
        if (decision.Allowed) return;
        var message = $"forbidden: User \"{user.Name}\" cannot {verb} path \"{path}\"";
        if (decision.Reason.Length > 0) message += $": {decision.Reason}";
        throw new ApiStatusException(403, "Forbidden", message, new JsonObject());
    }

    private void Authorize(UserInfo user, string verb, ResourceRequest request, string path)
    {
        var type = request.Type;
        var attributes = new AuthorizationAttributes(user, verb, type.Group, type.Plural, request.Subresource ?? "",
            request.Namespace ?? "", request.Name ?? "", path);
        var decision = cluster.Authorizer.Authorize(attributes);
        if (decision.Allowed) return;
        var resource = request.Subresource is null ? type.Plural : $"{type.Plural}/{request.Subresource}";
        var why = request.Namespace is { Length: > 0 } ns
            ? $"User \"{user.Name}\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" in the namespace \"{ns}\""
            : $"User \"{user.Name}\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" at the cluster scope";
        if (decision.Reason.Length > 0) why += $": {decision.Reason}";
        var subject = request.Name is { Length: > 0 } name ? $"{type.QualifiedResource} \"{name}\"" : type.QualifiedResource;
        throw ApiStatusException.Forbidden($"{subject} is forbidden: {why}", request.Name, type.Group, type.Plural);
    }

    private ResourceRequest ParseResourcePath(string[] segments)
    {
        string group, version;
        int at;
        if (segments[0] == "api")
        {
            group = "";
            version = segments[1];
            at = 2;
        }
        else
        {
            group = segments[1];
            version = segments[2];
            at = 3;
        }
        var rest = segments[at..];
        var watchPath = rest.Length > 0 && rest[0] == "watch";
        if (watchPath) rest = rest[1..];
        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && rest[2] is not ("status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }
        if (rest.Length is 0 or > 3) throw ApiStatusException.PathNotFound();
        var type = cluster.Registry.Find(group, version, rest[0]) ?? throw ApiStatusException.PathNotFound();
        if (ns is not null && !type.Namespaced) throw ApiStatusException.PathNotFound();
        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? rest[2] : null;
        if (sub is not null && !type.Subresources.Contains(sub)) throw ApiStatusException.PathNotFound();
        return new ResourceRequest(type, version, ns, name, sub, watchPath);
    }

    private static string VerbOf(HttpContext http, ResourceRequest request)
    {
        var watch = request.WatchPath || IsTrue(http.Request.Query["watch"]);
        return http.Request.Method switch
        {
            "GET" or "HEAD" => watch ? "watch" : request.Name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => request.Name is null ? "deletecollection" : "delete",
            _ => "unknown",
        };
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Any(v => v is "true" or "1" or "True");

    private async Task ResourceAsync(HttpContext http, ResourceRequest request, string verb, UserInfo user)
    {
        var type = request.Type;
        var context = new WriteContext
        {
            User = user,
            Query = http.Request.Query,
            UserAgent = http.Request.Headers.UserAgent.ToString(),
        };
        var hookVerb = verb;
        var hook = cluster.FindHook(type.Group, type.Plural, request.Subresource);
        if (hook is not null)
        {
            var body = http.Request.ContentLength is > 0 || http.Request.Method is "POST" or "PUT" or "PATCH"
                ? await ReadHookBodyAsync(http, hook).ConfigureAwait(false) : null;
            var answer = await hook.HandleAsync(new HookRequest(cluster.Context, user, hookVerb, request.ApiVersion,
                request.Namespace, request.Name, body, http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                context.DryRun), http.RequestAborted).ConfigureAwait(false);
            await WriteJsonAsync(http, verb == "create" ? 201 : 200, answer).ConfigureAwait(false);
            return;
        }
        if (!type.Supports(verb) && request.Subresource is null)
            throw ApiStatusException.MethodNotSupported(type, verb);
        if (request.Subresource is "token" or "finalize")
            throw ApiStatusException.PathNotFound();

        switch (verb)
        {
            case "watch":
                await WatchAsync(http, request).ConfigureAwait(false);
                return;
            case "list":
            {
                var list = List(http, request);
                await WriteJsonAsync(http, 200, Tables.Wanted(http.Request.Headers.Accept.ToString())
                    ? TableOf(request, ((JsonArray)list["items"]!).OfType<JsonObject>(), (JsonObject)list["metadata"]!)
                    : list).ConfigureAwait(false);
                return;
            }
            case "get":
            {
                var obj = Get(request);
                await WriteJsonAsync(http, 200, Tables.Wanted(http.Request.Headers.Accept.ToString()) && request.Subresource is null
                    ? TableOf(request, [obj], new JsonObject { ["resourceVersion"] = obj["metadata"]?["resourceVersion"]?.DeepClone() })
                    : obj).ConfigureAwait(false);
                return;
            }
            case "create":
            {
                if (request.Subresource is not null || request.Name is not null) throw ApiStatusException.PathNotFound();
                var body = await ReadObjectAsync(http).ConfigureAwait(false);
                var created = Create(request, body, context);
                AddWarnings(http, context);
                await WriteJsonAsync(http, 201, created).ConfigureAwait(false);
                return;
            }
            case "update":
            {
                var body = await ReadObjectAsync(http).ConfigureAwait(false);
                if (request.Subresource is null) CheckUidPrecondition(request, body);
                var updated = request.Subresource == "scale" ? UpdateScale(request, body, context) : Update(request, body, context);
                AddWarnings(http, context);
                await WriteJsonAsync(http, 200, updated).ConfigureAwait(false);
                return;
            }
            case "patch":
            {
                var (code, patched) = await PatchAsync(http, request, context).ConfigureAwait(false);
                AddWarnings(http, context);
                await WriteJsonAsync(http, code, patched).ConfigureAwait(false);
                return;
            }
            case "delete":
            {
                var options = await ReadOptionalObjectAsync(http).ConfigureAwait(false);
                await WriteJsonAsync(http, 200, Delete(request, options, context)).ConfigureAwait(false);
                return;
            }
            case "deletecollection":
            {
                await WriteJsonAsync(http, 200, DeleteCollection(http, request, context)).ConfigureAwait(false);
                return;
            }
            default:
                throw ApiStatusException.MethodNotSupported(type, http.Request.Method);
        }
    }

    private JsonObject TableOf(ResourceRequest request, IEnumerable<JsonObject> objects, JsonObject listMetadata)
    {
        var crd = request.Type.IsCustom
            ? cluster.Store.Get(cluster.Registry.Find("apiextensions.k8s.io", "customresourcedefinitions")!, null, request.Type.QualifiedResource)
            : null;
        return Tables.For(request.Type, request.Version, objects, listMetadata, cluster.Clock.UtcNow, crd);
    }

    private static void AddWarnings(HttpContext http, WriteContext context)
    {
        foreach (var warning in context.Warnings)
            http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"")}\"");
    }

    // ---- reading and writing -------------------------------------------------------------

    private static async Task<string> ReadTextAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<JsonNode?> ReadBodyAsync(HttpContext http)
    {
        var contentType = http.Request.ContentType ?? "";
        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
            return ProtobufBodies.Decode(buffer.ToArray()) ?? throw UnsupportedBody();
        }
        if (contentType.Contains("cbor", StringComparison.OrdinalIgnoreCase)) throw UnsupportedBody();
        var text = await ReadTextAsync(http).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase)) return YamlJson.Parse(text);
        return JsonNode.Parse(text);
    }

    /// <summary>A hook's body: protobuf is read by the hook itself when it can, else as any other body.</summary>
    private static async Task<JsonObject?> ReadHookBodyAsync(HttpContext http, IRequestHook hook)
    {
        if (hook is not IProtobufBodyReader reader || !(http.Request.ContentType ?? "").Contains("protobuf", StringComparison.OrdinalIgnoreCase))
            return await ReadBodyAsync(http).ConfigureAwait(false) as JsonObject;
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        return reader.ReadProtobuf(bytes) ?? ProtobufBodies.Decode(bytes) ?? throw UnsupportedBody();
    }

    private static ApiStatusException UnsupportedBody() =>
        new(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");

    private static async Task<JsonObject> ReadObjectAsync(HttpContext http) =>
        await ReadBodyAsync(http).ConfigureAwait(false) as JsonObject
        ?? throw ApiStatusException.BadRequest("the object provided is unrecognized or malformed: the body is empty or not an object");

    private static async Task<JsonObject?> ReadOptionalObjectAsync(HttpContext http) =>
        await ReadBodyAsync(http).ConfigureAwait(false) as JsonObject;

    /// <summary>Quotes as \" (as Go writes them), not \u0022, so messages read the same in raw bodies.</summary>
    internal static readonly JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static async Task WriteJsonAsync(HttpContext http, int code, JsonNode node)
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/json";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(node, WireJson);
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(HttpContext http, int code, string text)
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(text, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteStatusAsync(HttpContext http, ApiStatusException e)
    {
        if (http.Response.HasStarted) return;
        if (e.RetryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await WriteJsonAsync(http, e.Code, e.ToStatus()).ConfigureAwait(false);
    }

    /// <summary>An object as the client sees it: apiVersion and kind first, at the version it asked for.</summary>
    internal static JsonObject Present(ResourceType type, string version, JsonObject obj)
    {
        var result = new JsonObject { ["apiVersion"] = type.ApiVersion(version), ["kind"] = type.Kind };
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind") continue;
            obj.Remove(key);
            result[key] = value;
        }
        return result;
    }
}
