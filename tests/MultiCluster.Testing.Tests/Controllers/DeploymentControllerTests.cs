using k8s;
using k8s.Models;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Tests.Auth;

namespace MultiCluster.Testing.Tests.Controllers;

public sealed class DeploymentControllerTests : IAsyncLifetime
{
    private static readonly TimeSpan ReadyDelay = TimeSpan.FromSeconds(30);

    private readonly List<ApiServer.IController> _controllers =
        ControllerCatalog.Create(new ControllerSettings { DeploymentReadyDelay = ReadyDelay }, DeploymentController.ControllerName);

    private EmulatedCluster _cluster = null!;
    private Kubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = _controllers });
        _admin = EmulatorClients.Admin(_cluster);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _cluster.DisposeAsync();
    }

    private DeploymentController Controller => (DeploymentController)_controllers[0];

    private static V1Deployment Web(int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }] },
            },
        },
    };

    private async Task<V1Deployment> Settled()
    {
        await Controller.WhenIdleAsync();
        Controller.LastError.Should().BeNull();
        return await _admin.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
    }

    private static V1DeploymentCondition Condition(V1Deployment deployment, string type) =>
        deployment.Status.Conditions.Single(c => c.Type == type);

    [Fact]
    public async Task Status_follows_spec_after_the_clock_passes_the_delay()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Web(3), "default");
        var rolling = await Settled();
        rolling.Status.ObservedGeneration.Should().Be(1);
        rolling.Status.Replicas.Should().Be(3);
        rolling.Status.UpdatedReplicas.Should().Be(3);
        rolling.Status.ReadyReplicas.Should().BeNull();
        rolling.Status.UnavailableReplicas.Should().Be(3);
        Condition(rolling, "Available").Reason.Should().Be("MinimumReplicasUnavailable");
        Condition(rolling, "Progressing").Reason.Should().Be("ReplicaSetUpdated");

        _cluster.Clock.Advance(ReadyDelay - TimeSpan.FromSeconds(1));
        (await Settled()).Status.ReadyReplicas.Should().BeNull("the delay has not passed yet");

        _cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        var done = await Settled();
        done.Status.ReadyReplicas.Should().Be(3);
        done.Status.AvailableReplicas.Should().Be(3);
        done.Status.UnavailableReplicas.Should().BeNull();
        Condition(done, "Available").Status.Should().Be("True");
        Condition(done, "Available").Reason.Should().Be("MinimumReplicasAvailable");
        Condition(done, "Progressing").Reason.Should().Be("NewReplicaSetAvailable");
        Condition(done, "Progressing").Message.Should().MatchRegex("^ReplicaSet \"web-[a-z0-9]+\" has successfully progressed\\.$");
    }

    [Fact]
    public async Task Scale_subresource_changes_are_rolled_out_too()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Web(2), "default");
        await Settled();
        _cluster.Clock.Advance(ReadyDelay);
        (await Settled()).Status.ReadyReplicas.Should().Be(2);

        var scale = await _admin.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "default");
        scale.Spec.Replicas = 5;
        await _admin.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", "default");
        var scaling = await Settled();
        scaling.Metadata.Generation.Should().Be(2);
        scaling.Status.ObservedGeneration.Should().Be(2);
        scaling.Status.Replicas.Should().Be(5);
        scaling.Status.ReadyReplicas.Should().Be(2);
        Condition(scaling, "Available").Status.Should().Be("False", "3 of 5 missing is more than 25% unavailable");

        _cluster.Clock.Advance(ReadyDelay);
        (await Settled()).Status.AvailableReplicas.Should().Be(5);
        (await _admin.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "default")).Status.Replicas.Should().Be(5);
    }

    [Fact]
    public async Task An_image_from_an_invalid_registry_never_becomes_ready_and_the_old_replicas_stay()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Web(3), "default");
        await Settled();
        _cluster.Clock.Advance(ReadyDelay);
        (await Settled()).Status.ReadyReplicas.Should().Be(3);

        var broken = await _admin.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        broken.Spec.Template.Spec.Containers[0].Image = "registry" + DeploymentStatus.UnpullableRegistrySuffix + "/web:2";
        await _admin.AppsV1.ReplaceNamespacedDeploymentAsync(broken, "web", "default");
        _cluster.Clock.Advance(ReadyDelay * 10);
        var stuck = await Settled();

        // As the real controller leaves it: one surge pod of the new ReplicaSet, the three old ones kept.
        stuck.Status.ObservedGeneration.Should().Be(2);
        stuck.Status.Replicas.Should().Be(4);
        stuck.Status.UpdatedReplicas.Should().Be(1);
        stuck.Status.ReadyReplicas.Should().Be(3);
        stuck.Status.UnavailableReplicas.Should().Be(1);
        Condition(stuck, "Progressing").Reason.Should().Be("ReplicaSetUpdated");

        broken.Spec.Template.Spec.Containers[0].Image = "nginx:1.27";
        await _admin.AppsV1.ReplaceNamespacedDeploymentAsync(await Refreshed(broken), "web", "default");
        await Settled();
        _cluster.Clock.Advance(ReadyDelay);
        var fixedUp = await Settled();
        fixedUp.Status.UpdatedReplicas.Should().Be(3);
        fixedUp.Status.Replicas.Should().Be(3);
        fixedUp.Status.ReadyReplicas.Should().Be(3);
    }

    [Fact]
    public async Task A_new_deployment_with_an_unpullable_init_container_has_no_ready_replica()
    {
        var web = Web(2);
        web.Spec.Template.Spec.InitContainers = [new V1Container { Name = "setup", Image = "mirror.invalid:5000/setup:1" }];
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(web, "default");
        _cluster.Clock.Advance(ReadyDelay * 10);
        var stuck = await Settled();

        stuck.Status.UpdatedReplicas.Should().Be(2);
        stuck.Status.ReadyReplicas.Should().BeNull();
        Condition(stuck, "Available").Status.Should().Be("False");
    }

    [Fact]
    public async Task Pods_that_cannot_pull_their_image_get_the_kubelets_events_and_the_rollout_times_out()
    {
        var web = Web(2);
        web.Spec.Template.Spec.Containers[0].Image = "registry.invalid/web:2";
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(web, "default");
        var stuck = await Settled();
        var replicaSet = Condition(stuck, "Progressing").Message.Split('"')[1];

        var events = (await _admin.CoreV1.ListNamespacedEventAsync("default")).Items;
        events.Should().HaveCount(6, "two new pods, each Pulling, Failed and BackOff");
        var pods = events.Select(e => e.InvolvedObject.Name).Distinct().ToList();
        pods.Should().HaveCount(2);
        pods.Should().OnlyContain(p => p.StartsWith(replicaSet + "-") && p.Length == replicaSet.Length + 6);
        var warnings = events.Where(e => e.Type == "Warning").ToList();
        warnings.Should().HaveCount(2);
        warnings.Should().OnlyContain(e => e.Reason == "Failed" && e.InvolvedObject.Kind == "Pod" && e.Source.Component == "kubelet"
            && e.Message.StartsWith("Failed to pull image \"registry.invalid/web:2\": ") && e.InvolvedObject.FieldPath == "spec.containers{web}");
        events.Where(e => e.Reason == "BackOff").Should().HaveCount(2).And.OnlyContain(e => e.Type == "Normal" && e.Message == "Back-off pulling image \"registry.invalid/web:2\"");

        // The clock is real time plus an offset and condition times keep whole seconds: a margin of 10 s
        // below the 600 s deadline keeps a loaded machine's passing second from timing the rollout out early.
        _cluster.Clock.Advance(TimeSpan.FromSeconds(590));
        Condition(await Settled(), "Progressing").Reason.Should().Be("ReplicaSetUpdated");
        _cluster.Clock.Advance(TimeSpan.FromSeconds(10));
        var timedOut = Condition(await Settled(), "Progressing");
        timedOut.Status.Should().Be("False");
        timedOut.Reason.Should().Be("ProgressDeadlineExceeded");
        timedOut.Message.Should().Be($"ReplicaSet \"{replicaSet}\" has timed out progressing.");
        _cluster.Clock.Advance(TimeSpan.FromMinutes(5));
        Condition(await Settled(), "Progressing").Reason.Should().Be("ProgressDeadlineExceeded", "a timed-out rollout stays timed out");
        (await _admin.CoreV1.ListNamespacedEventAsync("default")).Items.Should().HaveCount(6, "events are recorded once per pod");
    }

    private async Task<V1Deployment> Refreshed(V1Deployment edited)
    {
        var current = await _admin.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        current.Spec = edited.Spec;
        return current;
    }

    [Fact]
    public async Task Advancing_the_clock_through_the_admin_path_completes_the_rollout()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Web(1), "default");
        await Settled();
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_cluster.Server, "/_emulator/clock"))
        {
            Content = new StringContent($$"""{"advanceSeconds":{{ReadyDelay.TotalSeconds}}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _cluster.AdminToken);
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
        (await Settled()).Status.AvailableReplicas.Should().Be(1);
    }
}

public sealed class ImmediateDeploymentControllerTests
{
    [Fact]
    public async Task Without_a_delay_a_new_deployment_is_available_at_once()
    {
        var controllers = ControllerCatalog.Create(ControllerCatalog.All);
        controllers.Select(c => c.Name).Should().Contain(
            [DeploymentController.ControllerName, ServiceAccountTokenController.ControllerName, RbacActivation.ControllerName]);
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = controllers });
        using var admin = EmulatorClients.Admin(cluster);
        await admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "api" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "api" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "api" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "api", Image = "busybox" }] },
                },
            },
        }, "default");
        await controllers.OfType<StoreController>().Single(c => c.Name == DeploymentController.ControllerName).WhenIdleAsync();
        var deployment = await admin.AppsV1.ReadNamespacedDeploymentAsync("api", "default");
        deployment.Status.AvailableReplicas.Should().Be(2);
    }

    [Fact]
    public void Unknown_controller_names_are_refused_with_the_known_ones()
    {
        FluentActions.Invoking(() => ControllerCatalog.Create("deploymnets"))
            .Should().Throw<ArgumentException>().WithMessage("*deploymnets*known: deployments, serviceaccount-tokens, rbac, serviceaccounts, root-ca-cert-publisher*");
    }
}

public sealed class RealTimeDeploymentControllerTests
{
    [Fact]
    public async Task Rollout_also_completes_when_the_delay_passes_in_real_time()
    {
        var controllers = ControllerCatalog.Create(new ControllerSettings { DeploymentReadyDelay = TimeSpan.FromMilliseconds(300) },
            DeploymentController.ControllerName);
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = controllers });
        using var admin = EmulatorClients.Admin(cluster);
        await admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "slow" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "slow" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "slow" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "slow", Image = "busybox" }] },
                },
            },
        }, "default");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int? available = null;
        while (available != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            available = (await admin.AppsV1.ReadNamespacedDeploymentAsync("slow", "default")).Status?.AvailableReplicas;
        }
        available.Should().Be(1);
    }
}
