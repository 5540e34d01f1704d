using System.Diagnostics;
using System.Text.Json;

namespace MultiCluster.Testing.Tests;

/// <summary>The emulator through the real kubectl 1.32, run as a process with --kubeconfig.</summary>
public class KubectlConformanceTests : IAsyncLifetime
{
    private EmulatedFleet fleet = null!;

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
}
