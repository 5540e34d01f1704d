using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Testing.Tests;

/// <summary>The emulator through the real KubernetesClient: typed clients, errors, selectors, subresources, watch.</summary>
public class ClientConformanceTests : IAsyncLifetime
{
    private EmulatedCluster cluster = null!;
    private Kubernetes client = null!;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "conf", KubernetesVersion = "v1.32.7" });
        client = TestSupport.ClientFor(cluster);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await cluster.DisposeAsync();
    }

    private static V1ConfigMap ConfigMap(string name, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };

    private static V1Deployment Deployment(string name, int replicas = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "nginx:1.27" }] },
            },
        },
    };

    private static async Task<JsonElement> StatusOf(Func<Task> call, HttpStatusCode expected)
    {
        var e = await FluentActions.Awaiting(call).Should().ThrowAsync<HttpOperationException>();
        e.Which.Response.StatusCode.Should().Be(expected);
        var status = JsonDocument.Parse(e.Which.Response.Content).RootElement;
        status.GetProperty("kind").GetString().Should().Be("Status");
        return status;
    }

    [Fact]
    public async Task Version_and_initial_namespaces()
    {
        (await client.Version.GetCodeAsync()).GitVersion.Should().Be("v1.32.7");
        var namespaces = await client.CoreV1.ListNamespaceAsync();
        namespaces.Items.Select(n => n.Metadata.Name).Should().BeEquivalentTo("default", "kube-node-lease", "kube-public", "kube-system");
        namespaces.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Typed_create_get_list_patch_delete()
    {
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default");
        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Kind.Should().Be("ConfigMap");
        var fetched = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default");
        fetched.Data["k"].Should().Be("v");
        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"data\":{\"k\":\"w\"}}", V1Patch.PatchType.MergePatch), "settings", "default");
        patched.Data["k"].Should().Be("w");
        long.Parse(patched.Metadata.ResourceVersion).Should().BeGreaterThan(long.Parse(created.Metadata.ResourceVersion));
        var status = await client.CoreV1.DeleteNamespacedConfigMapAsync("settings", "default");
        status.Status.Should().Be("Success");
        var notFound = await StatusOf(() => client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default"), HttpStatusCode.NotFound);
        notFound.GetProperty("message").GetString().Should().Be("configmaps \"settings\" not found");
        notFound.GetProperty("reason").GetString().Should().Be("NotFound");
    }

    [Fact]
    public async Task Errors_are_Status_bodies_with_real_reasons_and_messages()
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), "default");
        var exists = await StatusOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), "default"), HttpStatusCode.Conflict);
        exists.GetProperty("reason").GetString().Should().Be("AlreadyExists");
        exists.GetProperty("details").GetProperty("kind").GetString().Should().Be("configmaps");

        var noNamespace = await StatusOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "missing"), HttpStatusCode.NotFound);
        noNamespace.GetProperty("message").GetString().Should().Be("namespaces \"missing\" not found");
        // The module tells a missing namespace from a missing object by these (KubernetesErrors).
        noNamespace.GetProperty("reason").GetString().Should().Be("NotFound");
        noNamespace.GetProperty("details").GetProperty("kind").GetString().Should().Be("namespaces");
        noNamespace.GetProperty("details").GetProperty("name").GetString().Should().Be("missing");

        var badName = await StatusOf(() => client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "Bad_Name" } }),
            (HttpStatusCode)422);
        badName.GetProperty("reason").GetString().Should().Be("Invalid");
        badName.GetProperty("message").GetString().Should().StartWith("Namespace \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label");
        badName.GetProperty("details").GetProperty("causes")[0].GetProperty("field").GetString().Should().Be("metadata.name");

        var stale = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web"), "default");
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":2}}", V1Patch.PatchType.MergePatch), "web", "default");
        stale.Spec.Replicas = 5;
        var conflict = await StatusOf(() => client.AppsV1.ReplaceNamespacedDeploymentAsync(stale, "web", "default"), HttpStatusCode.Conflict);
        conflict.GetProperty("message").GetString().Should().Be(
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Fact]
    public async Task Unknown_token_is_401_and_a_user_without_rights_403()
    {
        using var stranger = TestSupport.ClientFor(cluster, token: "not-a-token");
        var unauthorized = await StatusOf(() => stranger.CoreV1.ListNamespaceAsync(), HttpStatusCode.Unauthorized);
        unauthorized.GetProperty("reason").GetString().Should().Be("Unauthorized");

        cluster.AddAuthenticator(new StaticTokenAuthenticator("viewer-token", new ApiServer.UserInfo("viewer", ["system:authenticated"])));
        using var viewer = TestSupport.ClientFor(cluster, token: "viewer-token");
        var forbidden = await StatusOf(() => viewer.CoreV1.ListNamespacedSecretAsync("default"), HttpStatusCode.Forbidden);
        forbidden.GetProperty("message").GetString().Should().Be(
            "secrets is forbidden: User \"viewer\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"");
    }

    [Fact]
    public async Task Deployment_status_and_scale_subresources()
    {
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("api", replicas: 2), "default");
        created.Metadata.Generation.Should().Be(1);
        created.Spec.Strategy.Type.Should().Be("RollingUpdate");

        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("api", "default");
        scale.Spec.Replicas.Should().Be(2);
        scale.Status.Selector.Should().Be("app=api");
        scale.Spec.Replicas = 4;
        await client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "api", "default");
        var scaled = await client.AppsV1.ReadNamespacedDeploymentAsync("api", "default");
        scaled.Spec.Replicas.Should().Be(4);
        scaled.Metadata.Generation.Should().Be(2);

        // Status writes change status only; main-resource writes leave status alone.
        scaled.Status = new V1DeploymentStatus { Replicas = 4, ReadyReplicas = 4 };
        scaled.Spec.Replicas = 9;
        var afterStatus = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(scaled, "api", "default");
        afterStatus.Status.ReadyReplicas.Should().Be(4);
        afterStatus.Spec.Replicas.Should().Be(4);
        afterStatus.Status.ReadyReplicas = 0;
        afterStatus.Spec.Replicas = 1;
        var afterMain = await client.AppsV1.ReplaceNamespacedDeploymentAsync(afterStatus, "api", "default");
        afterMain.Status.ReadyReplicas.Should().Be(4);
        afterMain.Spec.Replicas.Should().Be(1);
    }

    [RequiresSharedCrdsFact]
    public async Task Unknown_fields_of_builtin_kinds_fail_strict_validation_and_are_dropped_otherwise()
    {
        var body = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "extra" }, Data = new Dictionary<string, string> { ["k"] = "v" } };
        var json = KubernetesJson.Serialize(body).Replace("\"data\":", "\"bogus\":1,\"data\":");
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Issuer == ApiServer.ServerCertificates.CertificateAuthority.Subject,
        }) { BaseAddress = cluster.Server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", cluster.AdminToken);

        using var strict = await http.PostAsync("/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        strict.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await strict.Content.ReadAsStringAsync()).Should().Contain("strict decoding error: unknown field \\\"bogus\\\"");

        using var warn = await http.PostAsync("/api/v1/namespaces/default/configmaps",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        warn.StatusCode.Should().Be(HttpStatusCode.Created);
        warn.Headers.GetValues("Warning").Should().ContainSingle().Which.Should().Be("299 - \"unknown field \\\"bogus\\\"\"");
        (await warn.Content.ReadAsStringAsync()).Should().NotContain("bogus");
    }

    [Fact]
    public async Task Invalid_labels_and_a_changed_deployment_selector_are_422()
    {
        var badLabel = await StatusOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            ConfigMap("labelled", new Dictionary<string, string> { ["app"] = "not valid!" }), "default"), (HttpStatusCode)422);
        badLabel.GetProperty("message").GetString().Should().StartWith(
            "ConfigMap \"labelled\" is invalid: metadata.labels: Invalid value: \"not valid!\": a valid label must be an empty string");

        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("fixed"), "default");
        created.Spec.Selector.MatchLabels["app"] = "other";
        created.Spec.Template.Metadata.Labels["app"] = "other";
        var immutable = await StatusOf(() => client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "fixed", "default"), (HttpStatusCode)422);
        immutable.GetProperty("message").GetString().Should().Contain("spec.selector: Invalid value: ").And.EndWith("field is immutable");
    }

    [Fact]
    public async Task Deployment_without_matching_selector_is_invalid()
    {
        var bad = Deployment("mismatch");
        bad.Spec.Selector.MatchLabels["app"] = "other";
        var status = await StatusOf(() => client.AppsV1.CreateNamespacedDeploymentAsync(bad, "default"), (HttpStatusCode)422);
        status.GetProperty("message").GetString().Should().Contain("`selector` does not match template `labels`");
    }

    [Fact]
    public async Task Watch_with_a_label_selector_sees_objects_enter_and_leave_it()
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("mover"), "default");
        var events = new List<(WatchEventType, string)>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reader = Task.Run(async () =>
        {
            await foreach (var (type, item) in client.CoreV1.WatchListNamespacedConfigMapAsync("default", labelSelector: "team=blue",
                               timeoutSeconds: 15, cancellationToken: cancel.Token))
            {
                events.Add((type, item.Metadata.Name));
                if (type == WatchEventType.Deleted) break;
            }
        });
        await Task.Delay(300);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"team\":\"blue\"}}}", V1Patch.PatchType.MergePatch), "mover", "default");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"2\"}}", V1Patch.PatchType.MergePatch), "mover", "default");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"team\":\"red\"}}}", V1Patch.PatchType.MergePatch), "mover", "default");
        await reader;
        events.Should().Equal((WatchEventType.Added, "mover"), (WatchEventType.Modified, "mover"), (WatchEventType.Deleted, "mover"));
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_objects()
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } });
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cfg"), "team-a");
        await client.CoreV1.DeleteNamespaceAsync("team-a");
        await StatusOf(() => client.CoreV1.ReadNamespacedConfigMapAsync("cfg", "team-a"), HttpStatusCode.NotFound);
        await StatusOf(() => client.CoreV1.ReadNamespaceAsync("team-a"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Self_subject_access_review_answers_from_the_authorizer()
    {
        var review = await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = "delete", Resource = "secrets", NamespaceProperty = "default" },
            },
        });
        review.Status.Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task Concurrent_writers_with_preconditions_lose_no_update()
    {
        var initial = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "counter" },
            Data = new Dictionary<string, string> { ["n"] = "0" },
        }, "default");
        const int writers = 16, incrementsEach = 5;
        var conflicts = 0;
        var attempts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            using var own = TestSupport.ClientFor(cluster);
            for (var done = 0; done < incrementsEach;)
            {
                var current = await own.CoreV1.ReadNamespacedConfigMapAsync("counter", "default");
                current.Data["n"] = (int.Parse(current.Data["n"]) + 1).ToString();
                Interlocked.Increment(ref attempts);
                try
                {
                    await own.CoreV1.ReplaceNamespacedConfigMapAsync(current, "counter", "default");
                    done++;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }));
        var final = await client.CoreV1.ReadNamespacedConfigMapAsync("counter", "default");
        final.Data["n"].Should().Be((writers * incrementsEach).ToString());
        // Each successful write moved resourceVersion by exactly one, and every other attempt was refused with 409.
        (long.Parse(final.Metadata.ResourceVersion) - long.Parse(initial.Metadata.ResourceVersion)).Should().Be(writers * incrementsEach);
        (attempts - conflicts).Should().Be(writers * incrementsEach);
    }
}
