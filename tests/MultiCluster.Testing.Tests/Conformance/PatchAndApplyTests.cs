using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// Server-side apply's ownership and conflicts (reference/using-api/server-side-apply), the three patch
/// formats on a built-in kind (tasks/manage-kubernetes-objects/update-api-object-kubectl-patch), and dryRun=All.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class PatchAndApplyTests
{
    private static string Settings(string value) => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings}}\ndata: {{k: \"{value}\"}}\n";

    private static string[] Managers(ApiResponse answer) =>
        answer.Object["metadata"]!["managedFields"]!.AsArray().Select(e => e!["manager"]!.GetValue<string>()).ToArray();

    [ConformanceTheory]
    public async Task Applying_a_field_another_applier_owns_is_409_naming_it_and_force_takes_the_field_over(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps", "settings");
        (await t.ApplyAsync(path, Settings("1"), "alpha")).ShouldHaveCode(201);

        var conflict = await t.ApplyAsync(path, Settings("2"), "beta");

        // k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager (internal/conflict.go): NewApplyConflict with
        // "Apply failed with 1 conflict: conflict with MANAGER: PATH" and one FieldManagerConflict cause per field.
        conflict.ShouldBeStatus(409, "Conflict").Should().Be("Apply failed with 1 conflict: conflict with \"alpha\": .data.k");
        var cause = conflict.Object["details"]!["causes"]!.AsArray().Should().ContainSingle().Subject!;
        (cause["reason"]!.GetValue<string>(), cause["message"]!.GetValue<string>(), cause["field"]!.GetValue<string>())
            .Should().Be(("FieldManagerConflict", "conflict with \"alpha\"", ".data.k"));
        (await t.SendAsync(HttpMethod.Get, path)).StringAt("data", "k").Should().Be("1");

        var forced = (await t.ApplyAsync(path, Settings("2"), "beta", force: true)).ShouldHaveCode(200);
        forced.StringAt("data", "k").Should().Be("2");
        Managers(forced).Should().Equal(["beta"], "alpha lost its only field, and a manager that owns nothing is dropped");
    }

    [ConformanceTheory]
    public async Task Applying_a_field_an_update_set_is_409_naming_the_updater_and_its_apiVersion(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps", "settings");
        (await t.ApplyAsync(path, Settings("1"), "alpha")).ShouldHaveCode(201);
        (await t.SendAsync(HttpMethod.Patch, path + "?fieldManager=writer", """{"data":{"k":"2"}}""", "application/merge-patch+json")).ShouldHaveCode(200);

        var conflict = await t.ApplyAsync(path, Settings("3"), "alpha");

        // printManager: an Update owner is printed as "NAME" using APIVERSION.
        conflict.ShouldBeStatus(409, "Conflict").Should().Be("Apply failed with 1 conflict: conflict with \"writer\" using v1: .data.k");
    }

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"main","image":"nginx:1.27"},{"name":"sidecar","image":"busybox:1.36"}]}}}}
        """;

    private static string[] Containers(ApiResponse answer) =>
        answer.ShouldHaveCode(200).Object["spec"]!["template"]!["spec"]!["containers"]!.AsArray()
            .Select(c => $"{c!["name"]!.GetValue<string>()}={c["image"]!.GetValue<string>()}").ToArray();

    [ConformanceTheory]
    public async Task Strategic_merge_merges_containers_by_name_merge_patch_replaces_the_list_and_json_patch_tests_first(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("apps", "v1", "deployments", "web");
        (await t.SendAsync(HttpMethod.Post, t.PathOf("apps", "v1", "deployments"), Deployment)).ShouldHaveCode(201);
        Task<ApiResponse> Patch(string body, string type) => t.SendAsync(HttpMethod.Patch, path, body, type);

        Containers(await Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.28"}]}}}}""",
            "application/strategic-merge-patch+json")).Should().Equal("main=nginx:1.28", "sidecar=busybox:1.36");
        Containers(await Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}""",
            "application/strategic-merge-patch+json")).Should().Equal("main=nginx:1.28");
        Containers(await Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox:1.37"}]}}}}""",
            "application/merge-patch+json")).Should().Equal("only=busybox:1.37");

        (await Patch("""[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":3}]""",
            "application/json-patch+json")).ShouldHaveCode(200).Object["spec"]!["replicas"]!.GetValue<int>().Should().Be(3);
        // A failed "test" operation refuses the whole patch (patch.go: jsonpatch Apply error answered 422).
        (await Patch("""[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":5}]""",
            "application/json-patch+json")).Code.Should().Be(422);
        (await t.SendAsync(HttpMethod.Get, path)).Object["spec"]!["replicas"]!.GetValue<int>().Should().Be(3);
    }

    [ConformanceTheory]
    public async Task DryRun_All_answers_create_patch_apply_and_delete_but_stores_nothing(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var collection = t.PathOf("", "v1", "configmaps");

        var ghost = (await t.SendAsync(HttpMethod.Post, collection + "?dryRun=All",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ghost"},"data":{"k":"v"}}""")).ShouldHaveCode(201);
        ghost.StringAt("metadata", "uid").Should().NotBeNullOrEmpty("a dry-run create fills the system fields it would set");
        ghost.StringAt("metadata", "resourceVersion").Should().BeNullOrEmpty("nothing was written to storage");
        (await t.SendAsync(HttpMethod.Get, collection + "/ghost")).ShouldBeStatus(404, "NotFound");

        var created = (await t.ApplyAsync(collection + "/settings", Settings("1"), "conformance")).ShouldHaveCode(201);
        var rv = created.StringAt("metadata", "resourceVersion");
        (await t.SendAsync(HttpMethod.Patch, collection + "/settings?dryRun=All", """{"data":{"k":"2"}}""", "application/merge-patch+json"))
            .ShouldHaveCode(200).StringAt("data", "k").Should().Be("2");
        (await t.ApplyAsync(collection + "/settings", Settings("3"), "conformance", extraQuery: "dryRun=All"))
            .ShouldHaveCode(200).StringAt("data", "k").Should().Be("3");
        (await t.SendAsync(HttpMethod.Delete, collection + "/settings?dryRun=All")).ShouldHaveCode(200);

        var live = await t.SendAsync(HttpMethod.Get, collection + "/settings");
        (live.StringAt("data", "k"), live.StringAt("metadata", "resourceVersion")).Should().Be(("1", rv));
    }

    [ConformanceTheory]
    public async Task A_create_or_apply_into_a_namespace_that_does_not_exist_is_404_naming_the_namespace(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var missing = t.Namespace + "-absent";
        var collection = $"/api/v1/namespaces/{missing}/configmaps";

        // NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle): errors.NewNotFound(namespaces, name).
        var created = await t.SendAsync(HttpMethod.Post, collection, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}""");
        var applied = await t.ApplyAsync(collection + "/settings", Settings("1"), "conformance");

        foreach (var answer in new[] { created, applied })
        {
            answer.ShouldBeStatus(404, "NotFound").Should().Be($"namespaces \"{missing}\" not found");
            answer.StringAt("details", "kind").Should().Be("namespaces");
            answer.StringAt("details", "name").Should().Be(missing);
        }
        // A read in the same namespace names the object instead: reads are not admitted, so no namespace check.
        var read = await t.SendAsync(HttpMethod.Get, collection + "/settings");
        read.ShouldBeStatus(404, "NotFound").Should().Be("configmaps \"settings\" not found");
        read.StringAt("details", "kind").Should().Be("configmaps");
    }
}
