using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Testing.Tests;

/// <summary>CustomResourceDefinitions: serving, schema admission, status/scale subresources, removal.</summary>
public class CustomResourceTests : IAsyncLifetime
{
    internal const string WidgetCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg], categories: [all]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
              scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      replicas: {type: integer}
                      color: {type: string, default: blue}
                  status:
                    type: object
                    properties:
                      replicas: {type: integer}
                      phase: {type: string}
        """;

    private EmulatedCluster cluster = null!;
    private Kubernetes client = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "crd" });
        client = TestSupport.ClientFor(cluster);
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(WidgetCrd));
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await cluster.DisposeAsync();
    }

    private static object Widget(string name, object replicas, object? extraSpec = null) => new Dictionary<string, object>
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new Dictionary<string, object> { ["name"] = name },
        ["spec"] = extraSpec ?? new Dictionary<string, object> { ["replicas"] = replicas },
    };

    private Task<object> CreateWidget(object body, string? fieldValidation = null) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "example.com", "v1", "default", "widgets", fieldValidation: fieldValidation);

    private async Task<JsonElement> GetWidget(string name) =>
        (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets", name);

    private static async Task<(HttpStatusCode Code, JsonElement Status)> Failure(Func<Task> call)
    {
        var e = await FluentActions.Awaiting(call).Should().ThrowAsync<HttpOperationException>();
        return (e.Which.Response.StatusCode, JsonDocument.Parse(e.Which.Response.Content).RootElement);
    }

    [Fact]
    public async Task Crd_is_established_and_its_kind_is_discoverable()
    {
        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com");
        crd.Status.Conditions.Should().Contain(c => c.Type == "Established" && c.Status == "True");
        crd.Status.Conditions.Should().Contain(c => c.Type == "NamesAccepted" && c.Status == "True");
        crd.Status.AcceptedNames.Kind.Should().Be("Widget");
        var resources = await client.GetAPIResourcesAsync(cluster, "example.com", "v1");
        resources.Should().Contain(["widgets", "widgets/status", "widgets/scale"]);
    }

    [Fact]
    public async Task Custom_resource_round_trip_with_defaults()
    {
        await CreateWidget(Widget("w1", 2));
        var widget = await GetWidget("w1");
        widget.GetProperty("kind").GetString().Should().Be("Widget");
        widget.GetProperty("spec").GetProperty("color").GetString().Should().Be("blue");
        widget.GetProperty("metadata").GetProperty("generation").GetInt64().Should().Be(1);
        var list = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets");
        list.GetProperty("kind").GetString().Should().Be("WidgetList");
        list.GetProperty("items").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Schema_violation_is_422_with_the_real_message()
    {
        var (code, status) = await Failure(() => CreateWidget(Widget("bad", "string")));
        code.Should().Be((HttpStatusCode)422);
        status.GetProperty("message").GetString().Should().Be(
            "Widget.example.com \"bad\" is invalid: spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"");
        var cause = status.GetProperty("details").GetProperty("causes")[0];
        cause.GetProperty("field").GetString().Should().Be("spec.replicas");
        status.GetProperty("details").GetProperty("kind").GetString().Should().Be("Widget");
    }

    [Fact]
    public async Task Strict_field_validation_rejects_unknown_fields()
    {
        var (code, status) = await Failure(() => CreateWidget(
            Widget("strict", 1, new Dictionary<string, object> { ["replicas"] = 1, ["foo"] = "x" }), fieldValidation: "Strict"));
        code.Should().Be(HttpStatusCode.BadRequest);
        status.GetProperty("message").GetString().Should().Be("strict decoding error: unknown field \"spec.foo\"");

        await CreateWidget(Widget("pruned", 1, new Dictionary<string, object> { ["replicas"] = 1, ["foo"] = "x" }), fieldValidation: "Ignore");
        (await GetWidget("pruned")).GetProperty("spec").TryGetProperty("foo", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Status_subresource_splits_spec_and_status_writes()
    {
        await CreateWidget(Widget("s1", 1));
        var withStatus = new Dictionary<string, object>
        {
            ["apiVersion"] = "example.com/v1", ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "s1" },
            ["spec"] = new Dictionary<string, object> { ["replicas"] = 7 },
            ["status"] = new Dictionary<string, object> { ["phase"] = "Ready", ["replicas"] = 1 },
        };
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(withStatus, "example.com", "v1", "default", "widgets", "s1");
        var afterStatus = await GetWidget("s1");
        afterStatus.GetProperty("status").GetProperty("phase").GetString().Should().Be("Ready");
        afterStatus.GetProperty("spec").GetProperty("replicas").GetInt64().Should().Be(1);

        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"replicas\":3},\"status\":{\"phase\":\"Lost\"}}", V1Patch.PatchType.MergePatch),
            "example.com", "v1", "default", "widgets", "s1");
        var afterMain = await GetWidget("s1");
        afterMain.GetProperty("status").GetProperty("phase").GetString().Should().Be("Ready");
        afterMain.GetProperty("spec").GetProperty("replicas").GetInt64().Should().Be(3);
        afterMain.GetProperty("metadata").GetProperty("generation").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Scale_subresource_reads_and_writes_the_declared_paths()
    {
        await CreateWidget(Widget("sc", 2));
        var scale = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectScaleAsync("example.com", "v1", "default", "widgets", "sc");
        scale.GetProperty("spec").GetProperty("replicas").GetInt64().Should().Be(2);
        await client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(
            new V1Patch("{\"spec\":{\"replicas\":5}}", V1Patch.PatchType.MergePatch), "example.com", "v1", "default", "widgets", "sc");
        (await GetWidget("sc")).GetProperty("spec").GetProperty("replicas").GetInt64().Should().Be(5);
    }

    [Fact]
    public async Task Strategic_merge_patch_of_a_custom_resource_is_415()
    {
        await CreateWidget(Widget("smp", 1));
        var (code, status) = await Failure(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.StrategicMergePatch), "example.com", "v1", "default", "widgets", "smp"));
        code.Should().Be(HttpStatusCode.UnsupportedMediaType);
        status.GetProperty("reason").GetString().Should().Be("UnsupportedMediaType");
    }

    [Fact]
    public async Task Deleting_the_crd_stops_serving_and_removes_objects()
    {
        await CreateWidget(Widget("gone", 1));
        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.example.com");
        var (code, _) = await Failure(() => GetWidget("gone"));
        code.Should().Be(HttpStatusCode.NotFound);
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(WidgetCrd));
        var list = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets");
        list.GetProperty("items").GetArrayLength().Should().Be(0);
    }

    [RequiresSharedCrdsFact]
    public async Task Every_shared_upstream_crd_loads_and_serves()
    {
        var names = SharedCrds.LoadInto(cluster);
        names.Should().NotBeEmpty();
        foreach (var name in names)
        {
            var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name);
            crd.Status.Conditions.Should().Contain(c => c.Type == "Established" && c.Status == "True", name);
            var served = crd.Spec.Versions.First(v => v.Served);
            var listed = (JsonElement)(crd.Spec.Scope == "Namespaced"
                ? await client.CustomObjects.ListNamespacedCustomObjectAsync(crd.Spec.Group, served.Name, "default", crd.Spec.Names.Plural)
                : await client.CustomObjects.ListClusterCustomObjectAsync(crd.Spec.Group, served.Name, crd.Spec.Names.Plural));
            listed.GetProperty("kind").GetString().Should().Be(crd.Spec.Names.Kind + "List", name);
        }
    }
}

internal static class DiscoveryExtensions
{
    public static async Task<IReadOnlyList<string>> GetAPIResourcesAsync(this Kubernetes client, EmulatedCluster cluster, string group, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, $"apis/{group}/{version}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        using var response = await client.HttpClient.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return document.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
    }
}
