using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

/// <summary>
/// A small in-memory API server for unit tests: discovery, get, list (equality label selectors),
/// apply (whole-object replace: enough to tell created, changed and unchanged apart), delete,
/// dry runs, CRDs that add kinds, and faults. The live tests use the real emulator instead.
/// </summary>
internal sealed class FakeKubeApi : IKubeApi
{
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<(string Group, string Version, string Plural, string Kind, bool Namespaced)> _types =
    [
        ("", "v1", "namespaces", "Namespace", false),
        ("", "v1", "configmaps", "ConfigMap", true),
        ("apps", "v1", "deployments", "Deployment", true),
        ("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false),
    ];
    private long _resourceVersion = 100;

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every request fails as a refused connection would.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Lists answer 403, as for a user allowed to get and patch but not to list.</summary>
    public bool ListsForbidden { get; set; }

    /// <summary>Every request throws this, as HttpClient does for a failed TLS handshake or the like.</summary>
    public Exception? TransportFailure { get; set; }

    /// <summary>Reads (GET, list) answer 500.</summary>
    public bool ReadsFail { get; set; }

    public Task<KubeApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken)
    {
        Requests.Enqueue($"{method} {pathAndQuery}");
        if (Unreachable) throw new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111));
        if (TransportFailure is not null) throw TransportFailure;
        lock (_types)
        {
            return Task.FromResult(Handle(method, pathAndQuery, body));
        }
    }

    public JsonObject? Stored(string path) => _objects.TryGetValue(path, out var obj) ? obj : null;

    public void Seed(string path, string json) => _objects[path] = WithServerFields(JsonNode.Parse(json)!.AsObject(), null);

    private KubeApiResponse Handle(HttpMethod method, string pathAndQuery, string? body)
    {
        var (path, query) = Split(pathAndQuery);
        if (method == HttpMethod.Get && path == "/apis") return Ok(Groups());
        if (method == HttpMethod.Get && Discovery(path) is { } resources) return Ok(resources);

        var target = Parse(path);
        if (target is null) return Status(HttpStatusCode.NotFound, "the server could not find the requested resource");
        var (type, ns, name) = target.Value;
        var dryRun = query.Contains("dryRun=All", StringComparison.Ordinal);

        if (method == HttpMethod.Get && ReadsFail) return Status(HttpStatusCode.InternalServerError, "etcd is down");
        if (method == HttpMethod.Get && name is null && ListsForbidden) return Status(HttpStatusCode.Forbidden, $"cannot list resource \"{type.Plural}\"");
        if (method == HttpMethod.Get && name is null) return Ok(List(type, ns, query));
        if (method == HttpMethod.Get) return _objects.TryGetValue(path, out var found) ? Ok(found.DeepClone()) : Status(HttpStatusCode.NotFound, $"{type.Plural} \"{name}\" not found");

        if (method == HttpMethod.Delete)
        {
            if (!_objects.ContainsKey(path)) return Status(HttpStatusCode.NotFound, $"{type.Plural} \"{name}\" not found");
            if (!dryRun) _objects.TryRemove(path, out _);
            return Ok(new JsonObject { ["kind"] = "Status", ["status"] = "Success" });
        }

        if (method == HttpMethod.Patch)
        {
            if (ns is not null && !_objects.ContainsKey($"/api/v1/namespaces/{ns}")) return Status(HttpStatusCode.NotFound, $"namespaces \"{ns}\" not found");
            var applied = JsonNode.Parse(body!)!.AsObject();
            if (_objects.TryGetValue(path, out var existing) && SameContent(existing, applied)) return Ok(existing.DeepClone());
            var stored = WithServerFields(applied, existing);
            if (!dryRun)
            {
                _objects[path] = stored;
                if (type.Kind == "CustomResourceDefinition") RegisterCrd(stored);
            }
            return new KubeApiResponse(existing is null ? HttpStatusCode.Created : HttpStatusCode.OK, stored.ToJsonString());
        }
        return Status(HttpStatusCode.MethodNotAllowed, "method not allowed");
    }

    private JsonObject WithServerFields(JsonObject applied, JsonObject? existing)
    {
        var stored = (JsonObject)applied.DeepClone();
        var metadata = stored["metadata"]!.AsObject();
        metadata["uid"] = existing?["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = existing?["metadata"]?["creationTimestamp"]?.DeepClone() ?? "2024-05-01T10:00:00Z";
        metadata["resourceVersion"] = Interlocked.Increment(ref _resourceVersion).ToString();
        metadata["managedFields"] = new JsonArray(new JsonObject { ["manager"] = "multicluster", ["operation"] = "Apply" });
        if (existing?["status"] is { } status) stored["status"] = status.DeepClone();
        return stored;
    }

    private static bool SameContent(JsonObject existing, JsonObject applied)
    {
        var left = (JsonObject)existing.DeepClone();
        left.Remove("status");
        foreach (var field in new[] { "uid", "creationTimestamp", "resourceVersion", "managedFields" }) left["metadata"]!.AsObject().Remove(field);
        return JsonNode.DeepEquals(left, applied);
    }

    private void RegisterCrd(JsonObject crd)
    {
        var spec = crd["spec"]!;
        foreach (var version in spec["versions"]!.AsArray())
        {
            _types.Add((spec["group"]!.GetValue<string>(), version!["name"]!.GetValue<string>(), spec["names"]!["plural"]!.GetValue<string>(),
                spec["names"]!["kind"]!.GetValue<string>(), spec["scope"]!.GetValue<string>() == "Namespaced"));
        }
    }

    private JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["groups"] = new JsonArray(_types.Where(t => t.Group.Length > 0).Select(t => t.Group).Distinct().Select(g => (JsonNode)new JsonObject
        {
            ["name"] = g,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{g}/{_types.First(t => t.Group == g).Version}" },
        }).ToArray()),
    };

    private JsonObject? Discovery(string path)
    {
        var matching = _types.Where(t => (t.Group.Length == 0 ? $"/api/{t.Version}" : $"/apis/{t.Group}/{t.Version}") == path).ToList();
        if (matching.Count == 0) return null;
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["resources"] = new JsonArray(matching.SelectMany(t => new[]
            {
                (JsonNode)new JsonObject { ["name"] = t.Plural, ["kind"] = t.Kind, ["namespaced"] = t.Namespaced },
                new JsonObject { ["name"] = t.Plural + "/status", ["kind"] = t.Kind, ["namespaced"] = t.Namespaced },
            }).ToArray()),
        };
    }

    private ((string Group, string Version, string Plural, string Kind, bool Namespaced) Type, string? Namespace, string? Name)? Parse(string path)
    {
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        int rest;
        string group, version;
        if (segments.Length >= 2 && segments[0] == "api") { group = ""; version = segments[1]; rest = 2; }
        else if (segments.Length >= 3 && segments[0] == "apis") { group = segments[1]; version = segments[2]; rest = 3; }
        else return null;

        var tail = segments[rest..];
        string? ns = null;
        if (tail.Length >= 3 && tail[0] == "namespaces") { ns = tail[1]; tail = tail[2..]; }
        if (tail.Length is 0 or > 2) return null;
        var type = _types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == tail[0]);
        if (type.Plural is null) return null;
        return (type, ns, tail.Length == 2 ? tail[1] : null);
    }

    private JsonObject List((string Group, string Version, string Plural, string Kind, bool Namespaced) type, string? ns, string query)
    {
        var prefix = (type.Group.Length == 0 ? $"/api/{type.Version}" : $"/apis/{type.Group}/{type.Version}");
        var selector = query.Split('&').FirstOrDefault(p => p.StartsWith("labelSelector=", StringComparison.Ordinal))?["labelSelector=".Length..];
        var terms = selector is null ? [] : Uri.UnescapeDataString(selector).Split(',').Select(t => t.Split('=')).ToArray();
        var items = _objects
            .Where(pair => type.Namespaced
                ? ns is null ? pair.Key.StartsWith(prefix + "/namespaces/", StringComparison.Ordinal) && pair.Key.Split('/')[^2] == type.Plural
                             : pair.Key.StartsWith($"{prefix}/namespaces/{ns}/{type.Plural}/", StringComparison.Ordinal)
                : pair.Key.StartsWith($"{prefix}/{type.Plural}/", StringComparison.Ordinal))
            .Where(pair => terms.All(t => pair.Value["metadata"]?["labels"]?[t[0]]?.GetValue<string>() == t[1]))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair =>
            {
                var item = (JsonObject)pair.Value.DeepClone();
                item.Remove("apiVersion");
                item.Remove("kind");
                return (JsonNode)item;
            });
        return new JsonObject { ["kind"] = type.Kind + "List", ["metadata"] = new JsonObject(), ["items"] = new JsonArray(items.ToArray()) };
    }

    private static (string Path, string Query) Split(string pathAndQuery)
    {
        var mark = pathAndQuery.IndexOf('?');
        return mark < 0 ? (pathAndQuery, "") : (pathAndQuery[..mark], pathAndQuery[(mark + 1)..]);
    }

    private static KubeApiResponse Ok(JsonNode body) => new(HttpStatusCode.OK, body.ToJsonString());

    private static KubeApiResponse Status(HttpStatusCode code, string message) =>
        new(code, new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["message"] = message, ["code"] = (int)code }.ToJsonString());
}

/// <summary>A fleet of fake API servers and the connector that hands out their connections.</summary>
internal sealed class FakeFleet : IClusterConnector
{
    private readonly Dictionary<string, ClusterConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<ClusterConnection, FakeKubeApi> _apis = new();

    public FakeFleet(params string[] names)
    {
        foreach (var name in names)
        {
            var cluster = new FleetCluster { Name = name, Context = name };
            var config = new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", Namespace = "team" };
            var connection = new ClusterConnection
            {
                Cluster = cluster,
                Client = new Kubernetes(config),
                DefaultNamespace = "team",
                Server = new Uri(config.Host),
            };
            _connections[name] = connection;
            _apis[connection] = new FakeKubeApi();
            Clusters.Add(cluster);
        }
    }

    public List<FleetCluster> Clusters { get; } = [];

    /// <summary>Clusters whose connection cannot be built (context missing).</summary>
    public HashSet<string> Broken { get; } = new(StringComparer.Ordinal);

    public FakeKubeApi this[string name] => _apis[_connections[name]];

    public Func<ClusterConnection, IKubeApi> ApiFactory => connection => _apis[connection];

    public ClusterConnection Connect(FleetCluster cluster)
    {
        if (Broken.Contains(cluster.Name))
        {
            throw new Errors.FleetClusterException(Errors.FleetErrorIds.ClusterContextNotFound, Errors.FleetErrorCategory.ObjectNotFound,
                cluster.Name, $"The kubeconfig has no context '{cluster.Name}'.");
        }
        return _connections[cluster.Name];
    }
}
