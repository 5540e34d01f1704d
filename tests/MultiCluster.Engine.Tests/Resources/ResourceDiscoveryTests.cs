using System.Net;
using System.Security.Authentication;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

public class ResourceDiscoveryTests
{
    /// <summary>Answers discovery from a table of path -> (status, body), counting requests.</summary>
    private sealed class ScriptedApi : IKubeApi
    {
        public Dictionary<string, (HttpStatusCode Status, string Body)> Answers { get; } = new(StringComparer.Ordinal);
        public List<string> Requests { get; } = [];

        public Task<KubeApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add(pathAndQuery);
            return Task.FromResult(Answers.TryGetValue(pathAndQuery, out var answer)
                ? new KubeApiResponse(answer.Status, answer.Body)
                : new KubeApiResponse(HttpStatusCode.NotFound, """{"kind":"Status","message":"not found"}"""));
        }
    }

    private const string CoreV1 = """{"resources":[{"name":"configmaps","kind":"ConfigMap","namespaced":true},{"name":"namespaces","kind":"Namespace","namespaced":false},{"name":"namespaces/status","kind":"Namespace","namespaced":false}]}""";

    /// <summary>Holds every request until released; a request whose token is cancelled gives up.</summary>
    private sealed class HeldApi : IKubeApi
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Requests;

        public void Release() => _release.SetResult();

        public async Task<KubeApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            await _release.Task.WaitAsync(cancellationToken);
            return new KubeApiResponse(HttpStatusCode.OK, CoreV1);
        }
    }

    [Fact]
    public async Task A_shared_lookup_does_not_carry_the_first_callers_cancellation()
    {
        var api = new HeldApi();
        var discovery = new ResourceDiscovery(api, "c1");
        using var firstCaller = new CancellationTokenSource();

        var first = discovery.ResolveAsync("v1", "ConfigMap", firstCaller.Token);
        var second = discovery.ResolveAsync("v1", "ConfigMap", CancellationToken.None);
        firstCaller.Cancel();
        await ((Func<Task>)(() => first)).Should().ThrowAsync<OperationCanceledException>();
        api.Release();

        (await second).Plural.Should().Be("configmaps", "the second caller was not cancelled, so its lookup must not be");
        api.Requests.Should().Be(1, "both callers shared one request");
    }

    [Theory]
    [InlineData("ConfigMap")]      // a well-known kind: one group version
    [InlineData("Widget")]         // unknown: the walk of /apis and every group
    public async Task A_caller_already_stopped_starts_no_lookup(string kind)
    {
        var api = new ScriptedApi { Answers = { ["/api/v1"] = (HttpStatusCode.OK, CoreV1), ["/apis"] = (HttpStatusCode.OK, """{"groups":[]}""") } };
        var discovery = new ResourceDiscovery(api, "c1");
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();

        await ((Func<Task>)(() => discovery.FindAsync(kind, stopped.Token))).Should().ThrowAsync<OperationCanceledException>();
        await ((Func<Task>)(() => discovery.ResolveAsync("apps/v1", "Deployment", stopped.Token))).Should().ThrowAsync<OperationCanceledException>();

        api.Requests.Should().BeEmpty("a stopped caller must not begin a shared lookup that would run on after the stop");
    }

    [Fact]
    public async Task Resolves_scope_and_plural_and_caches_per_group_version()
    {
        var api = new ScriptedApi { Answers = { ["/api/v1"] = (HttpStatusCode.OK, CoreV1) } };
        var discovery = new ResourceDiscovery(api, "c1");

        var configMap = await discovery.ResolveAsync("v1", "ConfigMap", default);
        var ns = await discovery.ResolveAsync("v1", "Namespace", default);

        configMap.Should().Be(new ResourceType("", "v1", "ConfigMap", "configmaps", true));
        ns.Namespaced.Should().BeFalse();
        configMap.ObjectPath("team", "a b").Should().Be("/api/v1/namespaces/team/configmaps/a%20b");
        ns.ObjectPath("ignored", "x").Should().Be("/api/v1/namespaces/x");
        new ResourceType("apps", "v1", "Deployment", "deployments", true).CollectionPath(null).Should().Be("/apis/apps/v1/deployments");
        api.Requests.Should().Equal("/api/v1");
    }

    [Fact]
    public async Task A_miss_is_looked_up_once_more_so_new_crds_become_known()
    {
        var api = new ScriptedApi();
        var discovery = new ResourceDiscovery(api, "c1");
        var first = () => discovery.ResolveAsync("example.com/v1", "Widget", default);

        var error = (await first.Should().ThrowAsync<FleetClusterException>()).Which;
        api.Answers["/apis/example.com/v1"] = (HttpStatusCode.OK, """{"resources":[{"name":"widgets","kind":"Widget","namespaced":true}]}""");
        var widget = await discovery.ResolveAsync("example.com/v1", "Widget", default);

        error.ErrorId.Should().Be(FleetErrorIds.ResourceKindUnknown);
        error.Message.Should().Contain("c1").And.Contain("Widget");
        error.RecommendedAction.Should().Contain("Install the CRD");
        widget.Plural.Should().Be("widgets");
        api.Requests.Should().Equal("/apis/example.com/v1", "/apis/example.com/v1", "/apis/example.com/v1");
    }

    [Fact]
    public async Task A_failed_lookup_is_not_cached()
    {
        var api = new ScriptedApi { Answers = { ["/api/v1"] = (HttpStatusCode.ServiceUnavailable, "{}") } };
        var discovery = new ResourceDiscovery(api, "c1");

        var act = () => discovery.ResolveAsync("v1", "ConfigMap", default);
        (await act.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(FleetErrorIds.ServerError);
        api.Answers["/api/v1"] = (HttpStatusCode.OK, CoreV1);

        (await discovery.ResolveAsync("v1", "ConfigMap", default)).Plural.Should().Be("configmaps");
    }

    [Fact]
    public async Task Finds_a_kind_without_api_version_by_plural_past_a_broken_aggregated_api()
    {
        var api = new ScriptedApi
        {
            Answers =
            {
                ["/api/v1"] = (HttpStatusCode.OK, CoreV1),
                ["/apis"] = (HttpStatusCode.OK, """{"groups":[{"name":"metrics.k8s.io","preferredVersion":{"groupVersion":"metrics.k8s.io/v1beta1"}},{"name":"example.com","preferredVersion":{"groupVersion":"example.com/v2"}}]}"""),
                ["/apis/metrics.k8s.io/v1beta1"] = (HttpStatusCode.ServiceUnavailable, """{"kind":"Status","message":"service unavailable"}"""),
                ["/apis/example.com/v2"] = (HttpStatusCode.OK, """{"resources":[{"name":"gadgets","kind":"Gadget","namespaced":false}]}"""),
            },
        };
        var discovery = new ResourceDiscovery(api, "c1");

        var gadget = await discovery.FindAsync("gadgets", default);
        var configMap = await discovery.FindAsync("configmap", default);

        gadget.Should().Be(new ResourceType("example.com", "v2", "Gadget", "gadgets", false));
        configMap.Kind.Should().Be("ConfigMap");
        var missing = () => discovery.FindAsync("nothing", default);
        (await missing.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(FleetErrorIds.ResourceKindUnknown);
    }

    [Fact]
    public async Task Finds_a_kind_by_short_or_singular_name_and_never_lets_a_short_name_hide_another_kind()
    {
        var api = new ScriptedApi
        {
            Answers =
            {
                ["/api/v1"] = (HttpStatusCode.OK, """{"resources":[{"name":"configmaps","singularName":"configmap","kind":"ConfigMap","namespaced":true,"shortNames":["cm"]}]}"""),
                ["/apis"] = (HttpStatusCode.OK, """{"groups":[{"name":"a.example.com","preferredVersion":{"groupVersion":"a.example.com/v1"}},{"name":"example.com","preferredVersion":{"groupVersion":"example.com/v2"}}]}"""),
                // Listed first, a short name equal to another group's plural: kubectl's kinds and plurals win over short names.
                ["/apis/a.example.com/v1"] = (HttpStatusCode.OK, """{"resources":[{"name":"gizmos","singularName":"gizmo","kind":"Gizmo","namespaced":true,"shortNames":["gadgets","gz"]}]}"""),
                ["/apis/example.com/v2"] = (HttpStatusCode.OK, """{"resources":[{"name":"gadgets","singularName":"gadget","kind":"Gadget","namespaced":false,"shortNames":["gd"]},{"name":"gadgets/status","kind":"Gadget","namespaced":false,"shortNames":["gds"]}]}"""),
            },
        };
        var discovery = new ResourceDiscovery(api, "c1");

        (await discovery.FindAsync("CM", default)).Kind.Should().Be("ConfigMap");
        (await discovery.FindAsync("gd", default)).Should().Be(new ResourceType("example.com", "v2", "Gadget", "gadgets", false));
        (await discovery.FindAsync("GZ", default)).Kind.Should().Be("Gizmo");
        (await discovery.FindAsync("gizmo", default)).Kind.Should().Be("Gizmo");
        (await discovery.FindAsync("gadgets", default)).Kind.Should().Be("Gadget", "a plural names its own kind before any group's short name");
        var subresourceName = () => discovery.FindAsync("gds", default);
        await subresourceName.Should().ThrowAsync<FleetClusterException>("a subresource's short names are not the kind's");
        (await discovery.ResolveNameAsync("example.com/v2", "gd", default)).Kind.Should().Be("Gadget");
    }

    [Fact]
    public async Task A_built_in_short_name_is_found_with_one_request_even_where_discovery_leaves_short_names_out()
    {
        var api = new ScriptedApi { Answers = { ["/apis/apps/v1"] = (HttpStatusCode.OK, """{"resources":[{"name":"deployments","kind":"Deployment","namespaced":true}]}""") } };
        var discovery = new ResourceDiscovery(api, "c1");

        var deployment = await discovery.FindAsync("deploy", default);

        deployment.Should().Be(new ResourceType("apps", "v1", "Deployment", "deployments", true));
        api.Requests.Should().Equal("/apis/apps/v1");
    }

    [Fact]
    public async Task A_manifests_kind_is_never_taken_as_a_short_name_and_a_misspelt_kind_gets_the_closest_one()
    {
        var api = new ScriptedApi { Answers = { ["/api/v1"] = (HttpStatusCode.OK, """{"resources":[{"name":"configmaps","kind":"ConfigMap","namespaced":true,"shortNames":["cm"]},{"name":"namespaces","kind":"Namespace","namespaced":false,"shortNames":["ns"]}]}"""), ["/apis"] = (HttpStatusCode.OK, """{"groups":[]}""") } };
        var discovery = new ResourceDiscovery(api, "c1");

        var shortKind = () => discovery.ResolveAsync("v1", "cm", default);
        var manifestTypo = () => discovery.ResolveAsync("v1", "Namspace", default);
        var typedTypo = () => discovery.FindAsync("ConfigMapp", default);
        var nothingClose = () => discovery.FindAsync("widget", default);

        (await shortKind.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Be("Cluster 'c1' does not serve kind cm in v1.");
        (await manifestTypo.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Be("Cluster 'c1' does not serve kind Namspace in v1. Did you mean 'Namespace'?");
        (await typedTypo.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Be("Cluster 'c1' does not serve a kind named ConfigMapp. Did you mean 'ConfigMap'?");
        (await nothingClose.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Be("Cluster 'c1' does not serve a kind named widget.");
        (await discovery.ResolveNameAsync("v1", "ns", default)).Kind.Should().Be("Namespace");
    }
}

public class ResourceErrorsTests
{
    [Theory]
    [InlineData(401, "ClusterAuthenticationFailed", FleetErrorCategory.AuthenticationError)]
    [InlineData(403, "ClusterAccessDenied", FleetErrorCategory.PermissionDenied)]
    [InlineData(404, "ResourceNotFound", FleetErrorCategory.ObjectNotFound)]
    [InlineData(409, "ResourceChanged", FleetErrorCategory.InvalidOperation)] // no FieldManagerConflict cause: not an apply conflict
    [InlineData(422, "ManifestInvalid", FleetErrorCategory.InvalidData)]
    [InlineData(429, "ServerError", FleetErrorCategory.ResourceUnavailable)]
    [InlineData(504, "ClusterTimeout", FleetErrorCategory.OperationTimeout)]
    public void Maps_statuses_to_stable_ids(int status, string id, FleetErrorCategory category)
    {
        var body = """{"kind":"Status","message":"Deployment.apps \"web\" is invalid","details":{"causes":[{"field":"spec.replicas","message":"must be >= 0"}]}}""";

        var error = ResourceErrors.FromResponse(new KubeApiResponse((HttpStatusCode)status, body), "c1", "apps/v1 Deployment team/web");

        error.ErrorId.Should().Be(id);
        error.Category.Should().Be(category);
        error.Cluster.Should().Be("c1");
        error.Target.Should().Be("c1: apps/v1 Deployment team/web");
        if (status is 403 or 404 or 409 or 422) error.Message.Should().Contain("spec.replicas: must be >= 0");
    }

    [Fact]
    public async Task Transport_failures_of_a_resource_call_get_the_connection_layer_ids_and_categories()
    {
        var fleet = new FakeFleet("c1");
        fleet["c1"].TransportFailure = new HttpRequestException("SSL failed", new AuthenticationException("remote certificate invalid"));
        var service = new ApplyService(fleet, fleet.ApiFactory);
        var targets = service.Plan(fleet.Clusters, ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"));

        var result = (await service.ApplyAsync(targets, new ApplyOptions()).ToListAsync()).Single();

        var error = result.Error.Should().BeOfType<FleetClusterException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterCertificateInvalid);
        error.Category.Should().Be(FleetErrorCategory.SecurityError);
        error.Cluster.Should().Be("c1");
    }
}
