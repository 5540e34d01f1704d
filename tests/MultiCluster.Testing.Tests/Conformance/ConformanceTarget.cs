using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// One API server a conformance test runs against: a fresh emulated cluster with the controllers a
/// control plane has, or the real cluster MULTICLUSTER_CONFORMANCE_KUBECONFIG names (optionally the
/// context MULTICLUSTER_CONFORMANCE_CONTEXT). Each target owns one new namespace (mc-conf-RANDOM) and
/// removes it, and every cluster-scoped object registered with <see cref="RemoveAtEnd"/>, when disposed.
/// Requests go through the real KubernetesClient's HTTP pipeline (its TLS and credentials).
/// </summary>
internal sealed class ConformanceTarget : IAsyncDisposable
{
    public const string Emulator = "emulator";
    public const string Cluster = "cluster";
    public const string KubeconfigVariable = "MULTICLUSTER_CONFORMANCE_KUBECONFIG";
    public const string ContextVariable = "MULTICLUSTER_CONFORMANCE_CONTEXT";

    /// <summary>Null when a real cluster is configured; otherwise why its runs are skipped.</summary>
    public static string? ClusterMissingReason =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KubeconfigVariable)) ? $"{KubeconfigVariable} is not set" : null;

    private readonly List<string> cleanupPaths = new();
    private readonly string? temporaryDirectory;

    private ConformanceTarget(string name, Kubernetes client, string kubeconfigPath, string? context, EmulatedCluster? emulated, string? temporaryDirectory)
    {
        Name = name;
        Client = client;
        KubeconfigPath = kubeconfigPath;
        Context = context;
        EmulatedCluster = emulated;
        this.temporaryDirectory = temporaryDirectory;
        Namespace = UniqueName("mc-conf");
    }

    public string Name { get; }
    /// <summary>The real KubernetesClient, authenticated as the kubeconfig's (administrator) user.</summary>
    public Kubernetes Client { get; }
    public string KubeconfigPath { get; }
    public string? Context { get; }
    /// <summary>The emulated instance, for the knobs a real server lacks (clock, compaction); null on a real cluster.</summary>
    public EmulatedCluster? EmulatedCluster { get; }
    public bool IsEmulator => EmulatedCluster is not null;
    /// <summary>This test's own namespace, created by <see cref="StartAsync"/>.</summary>
    public string Namespace { get; }

    public static async Task<ConformanceTarget> StartAsync(string target)
    {
        ConformanceTarget created;
        if (target == Emulator)
        {
            // The controllers a control plane runs that the suite's behaviours touch: RBAC (authorizer,
            // impersonation, escalation checks), namespace defaults and the deployment controller.
            var emulated = await EmulatedCluster.StartAsync(new EmulatedClusterOptions
            {
                Name = "conformance",
                Controllers = ControllerCatalog.Create(RbacActivation.ControllerName, DeploymentController.ControllerName,
                    NamespaceDefaultsController.ServiceAccountsName, NamespaceDefaultsController.RootCaPublisherName),
            });
            var directory = Path.Combine(Path.GetTempPath(), "multicluster-conformance-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, "kubeconfig");
            KubeconfigWriter.WriteFile(path, emulated.Kubeconfig());
            created = new ConformanceTarget(Emulator, TestSupport.ClientFor(emulated), path, null, emulated, directory);
        }
        else
        {
            var path = Environment.GetEnvironmentVariable(KubeconfigVariable)
                ?? throw new InvalidOperationException($"{KubeconfigVariable} is not set");
            if (path.StartsWith("~/", StringComparison.Ordinal))
                path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
            var context = Environment.GetEnvironmentVariable(ContextVariable) is { Length: > 0 } c ? c : null;
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: context);
            created = new ConformanceTarget(Cluster, new Kubernetes(config), path, context, null, null);
        }
        var answer = await created.SendAsync(HttpMethod.Post, "/api/v1/namespaces",
            new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = created.Namespace, ["labels"] = new JsonObject { ["multicluster.io/conformance"] = "true" } },
            }.ToJsonString());
        answer.ShouldHaveCode(201);
        return created;
    }

    /// <summary><paramref name="prefix"/>-8 random lowercase hex digits: unique per test, valid as any object name.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";

    /// <summary>Path of a namespaced collection in this test's namespace, e.g. ("", "v1", "configmaps").</summary>
    public string PathOf(string group, string version, string resource, string? name = null)
    {
        var root = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        return $"{root}/namespaces/{Namespace}/{resource}" + (name is null ? "" : "/" + name);
    }

    /// <summary>Deletes the object at <paramref name="path"/> (cluster-scoped, outside the namespace) when the test ends.</summary>
    public void RemoveAtEnd(string path)
    {
        lock (cleanupPaths) cleanupPaths.Add(path);
    }

    /// <summary>
    /// One request. <paramref name="impersonate"/> sends Impersonate-User (the administrator may
    /// impersonate anyone on both targets); <paramref name="accept"/> replaces application/json.
    /// </summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body = null, string contentType = "application/json",
        string? impersonate = null, string? accept = null)
    {
        using var request = NewRequest(method, pathAndQuery, body, contentType, impersonate, accept);
        if (Client.Credentials is not null) await Client.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        using var response = await Client.HttpClient.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>A streaming request (watch): the caller reads the body as it comes and disposes the response.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, pathAndQuery, null, "application/json", null, null);
        if (Client.Credentials is not null) await Client.Credentials.ProcessHttpRequestAsync(request, cancellationToken);
        return await Client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Server-side apply of <paramref name="body"/> (YAML or JSON) as <paramref name="fieldManager"/>.</summary>
    public Task<ApiResponse> ApplyAsync(string path, string body, string fieldManager, bool force = false, string? extraQuery = null) =>
        SendAsync(HttpMethod.Patch, $"{path}?fieldManager={fieldManager}" + (force ? "&force=true" : "") + (extraQuery is null ? "" : "&" + extraQuery),
            body, "application/apply-patch+yaml");

    /// <summary>Runs the real kubectl against this target (its kubeconfig and context).</summary>
    public Task<TestSupport.KubectlResult> KubectlAsync(string? stdin, params string[] args) =>
        TestSupport.KubectlAsync(KubeconfigPath, stdin, Context is null ? args : ["--context", Context, .. args]);

    private HttpRequestMessage NewRequest(HttpMethod method, string pathAndQuery, string? body, string contentType, string? impersonate, string? accept)
    {
        // BaseUri may carry a path (a proxy in front of the API server): append, never replace it.
        var request = new HttpRequestMessage(method, new Uri(Client.BaseUri.AbsoluteUri.TrimEnd('/') + pathAndQuery));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        request.Headers.TryAddWithoutValidation("Accept", accept ?? "application/json");
        if (impersonate is not null) request.Headers.Add("Impersonate-User", impersonate);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Best effort: a leftover object is a nuisance on a real cluster, not a test failure.
            List<string> paths;
            lock (cleanupPaths) paths = cleanupPaths.AsEnumerable().Reverse().ToList();
            foreach (var path in paths.Append($"/api/v1/namespaces/{Namespace}"))
                await SendAsync(HttpMethod.Delete, path);
        }
        finally
        {
            Client.Dispose();
            if (EmulatedCluster is not null) await EmulatedCluster.DisposeAsync();
            if (temporaryDirectory is not null && Directory.Exists(temporaryDirectory)) Directory.Delete(temporaryDirectory, recursive: true);
        }
    }
}

/// <summary>An API server's answer: code, text, the JSON body when there is one, and Warning headers.</summary>
public sealed record ApiResponse(int Code, string Text, JsonObject? Body, IReadOnlyList<string> Warnings, string? ContentType)
{
    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonObject? body = null;
        try
        {
            body = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        return new ApiResponse((int)response.StatusCode, text, body, warnings, response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The JSON body (fails the test when there is none).</summary>
    public JsonObject Object => Body ?? throw new global::Xunit.Sdk.XunitException($"HTTP {Code} without a JSON object body: {Text}");

    public string? StringAt(params string[] path)
    {
        JsonNode? node = Body;
        foreach (var step in path) node = node?[step];
        return node?.GetValue<string>();
    }

    public ApiResponse ShouldHaveCode(int code)
    {
        Code.Should().Be(code, "the answer was {0}", Text);
        return this;
    }

    /// <summary>Asserts a Status failure with this code and reason; returns its message.</summary>
    public string ShouldBeStatus(int code, string reason)
    {
        ShouldHaveCode(code);
        Object["kind"]?.GetValue<string>().Should().Be("Status");
        Object["status"]?.GetValue<string>().Should().Be("Failure");
        Object["code"]?.GetValue<int>().Should().Be(code);
        Object["reason"]?.GetValue<string>().Should().Be(reason);
        return Object["message"]?.GetValue<string>() ?? "";
    }
}
