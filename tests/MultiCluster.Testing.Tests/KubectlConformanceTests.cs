using System.Diagnostics;
using System.Text.Json;

namespace MultiCluster.Testing.Tests;

/// <summary>The emulator through the real kubectl 1.32, run as a process with --kubeconfig.</summary>
public class KubectlConformanceTests : IAsyncLifetime
{
    private EmulatedFleet fleet = null!;

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: main
                image: nginx:1.27
        """;

    public async Task InitializeAsync() => fleet = await EmulatedFleet.StartAsync(2, "kc");

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    private Task<TestSupport.KubectlResult> Kubectl(params string[] args) => TestSupport.KubectlAsync(fleet.KubeconfigPath, null, args);

    private Task<TestSupport.KubectlResult> KubectlWithInput(string stdin, params string[] args) =>
        TestSupport.KubectlAsync(fleet.KubeconfigPath, stdin, args);

    private static void ShouldSucceed(TestSupport.KubectlResult result) =>
        result.ExitCode.Should().Be(0, $"kubectl failed: {result.Stderr}");

    [RequiresKubectlFact]
    public async Task Get_namespaces_and_yaml_in_each_context()
    {
        foreach (var context in new[] { "kc-1", "kc-2" })
        {
            var table = await Kubectl("--context", context, "get", "namespaces");
            ShouldSucceed(table);
            table.Stdout.Should().Contain("kube-system").And.Contain("default");
        }
        var yaml = await Kubectl("get", "namespace", "default", "-o", "yaml");
        ShouldSucceed(yaml);
        yaml.Stdout.Should().Contain("kind: Namespace").And.Contain("name: default").And.Contain("uid:");
    }

    [RequiresKubectlFact]
    public async Task Api_resources_lists_builtin_kinds()
    {
        var result = await Kubectl("api-resources");
        ShouldSucceed(result);
        result.Stdout.Should().Contain("deployments").And.Contain("apps/v1").And.Contain("customresourcedefinitions")
            .And.Contain("clusterrolebindings").And.Contain("serviceaccounts");
    }

    [RequiresKubectlFact]
    public async Task Server_side_apply_patch_and_delete()
    {
        ShouldSucceed(await KubectlWithInput(Deployment, "apply", "--server-side", "-f", "-"));
        var conflict = await KubectlWithInput(Deployment.Replace("replicas: 2", "replicas: 3"),
            "apply", "--server-side", "--field-manager", "other", "-f", "-");
        conflict.ExitCode.Should().NotBe(0);
        conflict.Stderr.Should().Contain("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
        ShouldSucceed(await KubectlWithInput(Deployment.Replace("replicas: 2", "replicas: 3"),
            "apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", "-"));

        ShouldSucceed(await Kubectl("patch", "deployment", "web", "--type", "merge", "-p", "{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}"));
        ShouldSucceed(await Kubectl("patch", "deployment", "web", "--type", "json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]"));
        ShouldSucceed(await Kubectl("patch", "deployment", "web", "--type", "strategic", "-p",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.28\"}]}}}}"));

        var json = await Kubectl("get", "deployment", "web", "-o", "json");
        ShouldSucceed(json);
        var deployment = JsonDocument.Parse(json.Stdout).RootElement;
        deployment.GetProperty("metadata").GetProperty("labels").GetProperty("tier").GetString().Should().Be("front");
        deployment.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(5);
        deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0]
            .GetProperty("image").GetString().Should().Be("nginx:1.28");

        var table = await Kubectl("get", "deployment", "web");
        ShouldSucceed(table);
        table.Stdout.Should().MatchRegex(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+web\s+0/5\s+0\s+0\s+\d+s");

        ShouldSucceed(await Kubectl("delete", "deployment", "web"));
        var missing = await Kubectl("get", "deployment", "web");
        missing.ExitCode.Should().NotBe(0);
        missing.Stderr.Should().Contain("deployments.apps \"web\" not found");
    }

    [RequiresKubectlFact]
    public async Task Apply_of_a_custom_resource_is_validated_by_the_server()
    {
        ShouldSucceed(await KubectlWithInput(CustomResourceTests.WidgetCrd, "apply", "--server-side", "-f", "-"));
        const string widget = """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w, namespace: default}
            spec: {replicas: 1, foo: bar}
            """;
        var strict = await KubectlWithInput(widget, "apply", "--server-side", "-f", "-");
        strict.ExitCode.Should().NotBe(0);
        strict.Stderr.Should().Contain("unknown field \"spec.foo\"");
        var invalid = await KubectlWithInput(widget.Replace("replicas: 1, foo: bar", "replicas: many"), "apply", "--server-side", "-f", "-");
        invalid.ExitCode.Should().NotBe(0);
        invalid.Stderr.Should().Contain("spec.replicas in body must be of type integer");
        ShouldSucceed(await KubectlWithInput(widget.Replace(", foo: bar", ""), "apply", "--server-side", "-f", "-"));
        var got = await Kubectl("get", "widgets", "-o", "name");
        ShouldSucceed(got);
        got.Stdout.Trim().Should().Be("widget.example.com/w");
    }

    [RequiresKubectlFact]
    public async Task Imperative_create_commands_and_auth_can_i_work_over_protobuf()
    {
        // These kubectl commands send protobuf bodies, not JSON.
        ShouldSucceed(await Kubectl("create", "namespace", "team"));
        ShouldSucceed(await Kubectl("create", "secret", "generic", "creds", "-n", "team", "--from-literal", "password=s3cret"));
        ShouldSucceed(await Kubectl("create", "configmap", "settings", "-n", "team", "--from-literal", "mode=fast"));
        ShouldSucceed(await Kubectl("create", "serviceaccount", "robot", "-n", "team"));
        ShouldSucceed(await Kubectl("create", "deployment", "api", "-n", "team", "--image", "nginx:1.27", "--replicas", "3", "--port", "80"));
        ShouldSucceed(await Kubectl("create", "service", "clusterip", "api", "-n", "team", "--tcp", "80:8080"));

        var secret = JsonDocument.Parse((await Kubectl("get", "secret", "creds", "-n", "team", "-o", "json")).Stdout).RootElement;
        secret.GetProperty("data").GetProperty("password").GetString().Should().Be(Convert.ToBase64String("s3cret"u8.ToArray()));
        var deployment = JsonDocument.Parse((await Kubectl("get", "deployment", "api", "-n", "team", "-o", "json")).Stdout).RootElement;
        deployment.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(3);
        deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0]
            .GetProperty("ports")[0].GetProperty("containerPort").GetInt32().Should().Be(80);
        var service = JsonDocument.Parse((await Kubectl("get", "service", "api", "-n", "team", "-o", "json")).Stdout).RootElement;
        service.GetProperty("spec").GetProperty("ports")[0].GetProperty("targetPort").GetInt32().Should().Be(8080);

        var canI = await Kubectl("auth", "can-i", "delete", "secrets", "-n", "team");
        ShouldSucceed(canI);
        canI.Stdout.Trim().Should().Be("yes");
    }

    [RequiresKubectlFact]
    public async Task Get_watch_prints_changes_until_the_request_timeout()
    {
        var cluster = fleet.Clusters[0]; // kc-1, the current context
        var watch = Kubectl("get", "configmaps", "--watch", "--request-timeout", "10s", "-o", "name");
        // kubectl lists, then watches from the list's resourceVersion: once the list was answered,
        // a create is seen by the watch, however long kubectl took to start on a loaded machine.
        var deadline = Stopwatch.StartNew();
        while (!cluster.RequestLog.Requests.Any(r => r.Method == "GET" && r.Path == "/api/v1/namespaces/default/configmaps" && !r.Query.Contains("watch=", StringComparison.Ordinal)))
        {
            deadline.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "kubectl lists the config maps first");
            watch.IsCompleted.Should().BeFalse("kubectl is still waiting for changes");
            await Task.Delay(50);
        }
        ShouldSucceed(await KubectlWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seen}\ndata: {k: v}\n", "create", "-f", "-"));
        var result = await watch;
        result.Stdout.Should().Contain("configmap/seen");
    }

    private const string Settings = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {mode: blue}\n";

    private async Task<JsonElement> GetJson(params string[] args)
    {
        var result = await Kubectl([.. args, "-o", "json"]);
        ShouldSucceed(result);
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [RequiresKubectlFact]
    public async Task A_resourceVersion_in_an_applied_manifest_is_a_precondition()
    {
        ShouldSucceed(await KubectlWithInput(Settings, "apply", "--server-side", "-f", "-"));
        var current = (await GetJson("get", "configmap", "settings")).GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
        ShouldSucceed(await KubectlWithInput(Settings.Replace("mode: blue", "mode: green"), "apply", "--server-side", "-f", "-"));

        var stale = await KubectlWithInput(Settings.Replace("name: settings,", $"name: settings, resourceVersion: \"{current}\",").Replace("mode: blue", "mode: red"),
            "apply", "--server-side", "-f", "-");

        stale.ExitCode.Should().NotBe(0);
        stale.Stderr.Should().Contain(
            "Operation cannot be fulfilled on configmaps \"settings\": the object has been modified; please apply your changes to the latest version and try again");
        (await GetJson("get", "configmap", "settings")).GetProperty("data").GetProperty("mode").GetString().Should().Be("green", "the stale apply changed nothing");
    }

    [RequiresKubectlFact]
    public async Task Replace_with_another_objects_uid_fails_its_precondition()
    {
        ShouldSucceed(await KubectlWithInput(Settings, "create", "-f", "-"));
        var uid = (await GetJson("get", "configmap", "settings")).GetProperty("metadata").GetProperty("uid").GetString()!;
        const string otherUid = "00000000-0000-0000-0000-000000000001";

        var replaced = await KubectlWithInput(Settings.Replace("name: settings,", $"name: settings, uid: {otherUid},"), "replace", "-f", "-");

        replaced.ExitCode.Should().NotBe(0);
        replaced.Stderr.Should().Contain("Error from server (Conflict)").And.Contain(
            $"Operation cannot be fulfilled on configmaps \"settings\": Precondition failed: UID in precondition: {otherUid}, UID in object meta: {uid}");
    }

    [RequiresKubectlFact]
    public async Task A_bindings_roleRef_cannot_change()
    {
        static string Binding(string role) =>
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: readers, namespace: default}\n"
            + $"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\n"
            + "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]\n";
        ShouldSucceed(await KubectlWithInput(Binding("view"), "create", "-f", "-"));

        var applied = await KubectlWithInput(Binding("edit"), "apply", "--server-side", "--force-conflicts", "-f", "-");

        applied.ExitCode.Should().NotBe(0);
        applied.Stderr.Should().Contain("The RoleBinding \"readers\" is invalid: roleRef: Invalid value: "
            + "rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef");
        (await GetJson("get", "rolebinding", "readers")).GetProperty("roleRef").GetProperty("name").GetString().Should().Be("view");
    }
}
