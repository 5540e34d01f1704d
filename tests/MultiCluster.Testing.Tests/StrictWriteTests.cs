using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests;

/// <summary>
/// Writes the emulator refuses as kube-apiserver does: a resourceVersion in a body is a precondition,
/// a uid names one object, a binding's roleRef never changes; managedFields are part of the object;
/// continue tokens expire.
/// </summary>
public sealed class StrictWriteTests : IAsyncLifetime
{
    private EmulatedCluster cluster = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "strict" });
        http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Issuer == ApiServer.ServerCertificates.CertificateAuthority.Subject,
        }) { BaseAddress = cluster.Server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", cluster.AdminToken);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await cluster.DisposeAsync();
    }

    private const string ConfigMapPath = "/api/v1/namespaces/default/configmaps/settings";

    private async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> ApplyAsync(string path, string yaml) =>
        SendAsync(HttpMethod.Patch, path + "?fieldManager=test", yaml, "application/apply-patch+yaml");

    private static string Settings(string mode, string extraMetadata = "") =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: default{extraMetadata}}}\ndata: {{mode: {mode}}}\n";

    private static void ShouldBeStatus(JsonObject body, int code, string reason, string message)
    {
        body["kind"]!.GetValue<string>().Should().Be("Status");
        body["status"]!.GetValue<string>().Should().Be("Failure");
        body["code"]!.GetValue<int>().Should().Be(code);
        body["reason"]!.GetValue<string>().Should().Be(reason);
        body["message"]!.GetValue<string>().Should().Be(message);
    }

    [Fact]
    public async Task An_apply_with_a_stale_resourceVersion_is_a_409_and_changes_nothing()
    {
        var (created, first) = await ApplyAsync(ConfigMapPath, Settings("blue"));
        created.Should().Be(HttpStatusCode.Created);
        var staleRv = first["metadata"]!["resourceVersion"]!.GetValue<string>();
        (await ApplyAsync(ConfigMapPath, Settings("green"))).Status.Should().Be(HttpStatusCode.OK);

        var (status, body) = await ApplyAsync(ConfigMapPath, Settings("red", $", resourceVersion: \"{staleRv}\""));

        status.Should().Be(HttpStatusCode.Conflict);
        ShouldBeStatus(body, 409, "Conflict",
            "Operation cannot be fulfilled on configmaps \"settings\": the object has been modified; please apply your changes to the latest version and try again");
        var live = (await SendAsync(HttpMethod.Get, ConfigMapPath)).Body;
        live["data"]!["mode"]!.GetValue<string>().Should().Be("green");

        var currentRv = live["metadata"]!["resourceVersion"]!.GetValue<string>();
        var (matching, updated) = await ApplyAsync(ConfigMapPath, Settings("red", $", resourceVersion: \"{currentRv}\""));
        matching.Should().Be(HttpStatusCode.OK, "the current resourceVersion satisfies the precondition");
        updated["data"]!["mode"]!.GetValue<string>().Should().Be("red");
    }

    [Fact]
    public async Task Another_objects_uid_is_a_409_precondition_on_update_and_422_immutable_on_apply()
    {
        var uid = (await ApplyAsync(ConfigMapPath, Settings("blue"))).Body["metadata"]!["uid"]!.GetValue<string>();
        const string otherUid = "00000000-0000-0000-0000-000000000001";

        var (putStatus, putBody) = await SendAsync(HttpMethod.Put, ConfigMapPath,
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default","uid":"UID"},"data":{"mode":"green"}}""".Replace("UID", otherUid));
        putStatus.Should().Be(HttpStatusCode.Conflict);
        ShouldBeStatus(putBody, 409, "Conflict",
            $"Operation cannot be fulfilled on configmaps \"settings\": Precondition failed: UID in precondition: {otherUid}, UID in object meta: {uid}");

        var (applyStatus, applyBody) = await ApplyAsync(ConfigMapPath, Settings("green", $", uid: {otherUid}"));
        applyStatus.Should().Be((HttpStatusCode)422);
        ShouldBeStatus(applyBody, 422, "Invalid", $"ConfigMap \"settings\" is invalid: metadata.uid: Invalid value: \"{otherUid}\": field is immutable");

        var live = (await SendAsync(HttpMethod.Get, ConfigMapPath)).Body;
        live["metadata"]!["uid"]!.GetValue<string>().Should().Be(uid);
        live["data"]!["mode"]!.GetValue<string>().Should().Be("blue");
    }

    [Fact]
    public async Task A_bindings_roleRef_is_immutable()
    {
        const string path = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/readers";
        static string Binding(string role) => $"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {"{"}name: readers, namespace: default{"}"}
            roleRef: {"{"}apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}{"}"}
            subjects: [{"{"}apiGroup: rbac.authorization.k8s.io, kind: User, name: alice{"}"}]
            """;
        (await ApplyAsync(path, Binding("view"))).Status.Should().Be(HttpStatusCode.Created);

        var (status, body) = await ApplyAsync(path, Binding("edit"));

        status.Should().Be((HttpStatusCode)422);
        ShouldBeStatus(body, 422, "Invalid", "RoleBinding.rbac.authorization.k8s.io \"readers\" is invalid: roleRef: Invalid value: "
            + "rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef");
        (await SendAsync(HttpMethod.Get, path)).Body["roleRef"]!["name"]!.GetValue<string>().Should().Be("view");
        (await ApplyAsync(path, Binding("view").Replace("name: alice", "name: bob"))).Status.Should().Be(HttpStatusCode.OK, "subjects may change");
    }

    [Fact]
    public async Task An_update_of_managedFields_alone_is_stored_and_bumps_the_resourceVersion()
    {
        var before = (await ApplyAsync(ConfigMapPath, Settings("blue"))).Body;
        var rv = before["metadata"]!["resourceVersion"]!.GetValue<string>();
        var changed = before.DeepClone().AsObject();
        changed["metadata"]!["managedFields"]!.AsArray()[0]!["manager"] = "renamed";

        var (status, after) = await SendAsync(HttpMethod.Put, ConfigMapPath, changed.ToJsonString());

        status.Should().Be(HttpStatusCode.OK);
        after["metadata"]!["resourceVersion"]!.GetValue<string>().Should().NotBe(rv);
        var stored = (await SendAsync(HttpMethod.Get, ConfigMapPath)).Body["metadata"]!["managedFields"]!.AsArray();
        stored.Select(e => e!["manager"]!.GetValue<string>()).Should().Contain("renamed").And.NotContain("test");
    }

    [Fact]
    public async Task A_continue_token_older_than_its_lifetime_is_410_Expired()
    {
        for (var i = 0; i < 3; i++)
            (await ApplyAsync($"/api/v1/namespaces/default/configmaps/cm-{i}", $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\n")).Status
                .Should().Be(HttpStatusCode.Created);
        var first = (await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?limit=1")).Body;
        var token = first["metadata"]!["continue"]!.GetValue<string>();
        var (fresh, page) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?limit=1&continue=" + Uri.EscapeDataString(token));
        fresh.Should().Be(HttpStatusCode.OK);
        page["items"]!.AsArray().Should().ContainSingle().Which!["metadata"]!["name"]!.GetValue<string>().Should().Be("cm-1");

        cluster.Clock.Advance(cluster.ContinueTokenLifetime + TimeSpan.FromSeconds(1));
        var (status, body) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?limit=1&continue=" + Uri.EscapeDataString(token));

        status.Should().Be(HttpStatusCode.Gone);
        ShouldBeStatus(body, 410, "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, "
            + "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an "
            + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        var inconsistent = body["metadata"]!["continue"]!.GetValue<string>();
        var (rest, remainder) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?limit=5&continue=" + Uri.EscapeDataString(inconsistent));
        rest.Should().Be(HttpStatusCode.OK, "the token the 410 offers continues where the expired one stopped");
        remainder["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Should().Equal("cm-1", "cm-2");
    }
}
