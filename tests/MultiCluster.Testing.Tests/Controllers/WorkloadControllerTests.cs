using k8s;
using k8s.Models;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Tests.Auth;

namespace MultiCluster.Testing.Tests.Controllers;

/// <summary>
/// The simulated kube-controller-manager, scheduler and kubelet through the real KubernetesClient:
/// ReplicaSets and Pods behind a Deployment, rolling updates, StatefulSets, DaemonSets, Jobs,
/// garbage collection and the managedFields the controllers leave.
/// </summary>
public sealed class WorkloadControllerTests : IAsyncLifetime
{
    private static readonly TimeSpan ReadyDelay = TimeSpan.FromSeconds(10);
    private const string Ns = "default";

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

    private async Task Settle()
    {
        await Controller.WhenIdleAsync();
        Controller.LastError.Should().BeNull();
    }

    private async Task Advance(TimeSpan by)
    {
        _cluster.Clock.Advance(by);
        await Settle();
    }

    private static V1PodTemplateSpec Template(string app, string image, string restartPolicy = "Always", IList<string>? command = null) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { RestartPolicy = restartPolicy, Containers = [new V1Container { Name = app, Image = image, Command = command }] },
    };

    private static V1LabelSelector Selector(string app) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    private static V1Deployment Deployment(string name, int replicas, string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec { Replicas = replicas, Selector = Selector(name), Template = Template(name, image) },
    };

    private async Task<IList<V1Pod>> Pods(string selector) => (await _admin.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: selector)).Items;

    private async Task<IList<V1ReplicaSet>> ReplicaSets(string selector) =>
        (await _admin.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: selector)).Items.OrderBy(rs => rs.Metadata.Name).ToList();

    [Fact]
    public async Task A_deployment_gets_a_replica_set_named_by_its_template_hash_whose_pods_run_and_become_ready()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3, "nginx:1.27"), Ns);
        await Settle();

        var sets = await ReplicaSets("app=web");
        sets.Should().HaveCount(1);
        var rs = sets[0];
        var hash = rs.Metadata.Labels["pod-template-hash"];
        rs.Metadata.Name.Should().Be($"web-{hash}");
        hash.Should().MatchRegex("^[bcdfghjklmnpqrstvwxz2456789]+$");
        rs.Spec.Selector.MatchLabels.Should().Contain("pod-template-hash", hash);
        rs.Metadata.Annotations.Should().Contain("deployment.kubernetes.io/revision", "1");
        var owner = rs.Metadata.OwnerReferences.Should().ContainSingle().Subject;
        owner.Kind.Should().Be("Deployment");
        owner.Name.Should().Be("web");
        owner.Controller.Should().BeTrue();
        owner.BlockOwnerDeletion.Should().BeTrue();

        var pending = await Pods("app=web");
        pending.Should().HaveCount(3);
        foreach (var pod in pending)
        {
            pod.Metadata.Name.Should().MatchRegex($"^{rs.Metadata.Name}-[bcdfghjklmnpqrstvwxz2456789]{{5}}$");
            pod.Metadata.OwnerReferences.Should().ContainSingle(o => o.Kind == "ReplicaSet" && o.Name == rs.Metadata.Name && o.Controller == true);
            pod.Spec.NodeName.Should().Be(_cluster.Name + "-worker", "an instance without Node objects runs pods on its implicit worker");
            pod.Status.Phase.Should().Be("Pending");
            pod.Status.ContainerStatuses.Should().ContainSingle().Which.State.Waiting.Reason.Should().Be("ContainerCreating");
        }
        (await _admin.AppsV1.ReadNamespacedDeploymentAsync("web", Ns)).Status.ReadyReplicas.Should().BeNull();

        await Advance(ReadyDelay);
        var running = await Pods("app=web");
        running.Should().HaveCount(3);
        foreach (var pod in running)
        {
            pod.Status.Phase.Should().Be("Running");
            pod.Status.Conditions.Select(c => c.Type).Should().Contain(["PodScheduled", "Initialized", "ContainersReady", "Ready"]);
            pod.Status.Conditions.Should().OnlyContain(c => c.Status == "True");
            pod.Status.ContainerStatuses.Should().ContainSingle().Which.Ready.Should().BeTrue();
        }
        var readySet = (await ReplicaSets("app=web")).Single();
        readySet.Status.Replicas.Should().Be(3);
        readySet.Status.FullyLabeledReplicas.Should().Be(3);
        readySet.Status.ReadyReplicas.Should().Be(3);
        readySet.Status.AvailableReplicas.Should().Be(3);
        readySet.Status.ObservedGeneration.Should().Be(1);
        var deployment = await _admin.AppsV1.ReadNamespacedDeploymentAsync("web", Ns);
        deployment.Metadata.Annotations.Should().Contain("deployment.kubernetes.io/revision", "1");
        deployment.Status.AvailableReplicas.Should().Be(3);
        deployment.Status.Conditions.Single(c => c.Type == "Progressing").Message
            .Should().Be($"ReplicaSet \"{rs.Metadata.Name}\" has successfully progressed.");
    }

    [Fact]
    public async Task A_rolling_update_moves_pods_to_the_new_replica_set_within_max_surge_and_max_unavailable()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("api", 4, "nginx:1.27"), Ns);
        await Settle();
        await Advance(ReadyDelay);

        var update = await _admin.AppsV1.ReadNamespacedDeploymentAsync("api", Ns);
        update.Spec.Template.Spec.Containers[0].Image = "nginx:1.28";
        await _admin.AppsV1.ReplaceNamespacedDeploymentAsync(update, "api", Ns);
        await Settle();

        // 25% of 4: one surge pod, one unavailable: the new set gets 2 at once (4 + 1 - 3 after one old goes).
        var steps = new List<(int Old, int New, int Total)>();
        for (var i = 0; i < 8; i++)
        {
            var sets = await ReplicaSets("app=api");
            sets.Should().HaveCount(2);
            var newSet = sets.Single(s => s.Spec.Template.Spec.Containers[0].Image == "nginx:1.28");
            var oldSet = sets.Single(s => s != newSet);
            var pods = (await Pods("app=api")).Count;
            steps.Add((oldSet.Spec.Replicas ?? 0, newSet.Spec.Replicas ?? 0, pods));
            pods.Should().BeLessThanOrEqualTo(5, "maxSurge 25% of 4 allows one pod over");
            var available = (await _admin.AppsV1.ReadNamespacedDeploymentAsync("api", Ns)).Status.AvailableReplicas ?? 0;
            available.Should().BeGreaterThanOrEqualTo(3, "maxUnavailable 25% of 4 allows one pod short");
            if (oldSet.Spec.Replicas == 0 && newSet.Status.AvailableReplicas == 4) break;
            await Advance(ReadyDelay);
        }
        steps[^1].Should().Be((0, 4, 4));
        steps.Count.Should().BeGreaterThan(2, "the rollout takes several steps: {0}", string.Join(" ", steps));

        var done = await _admin.AppsV1.ReadNamespacedDeploymentAsync("api", Ns);
        done.Metadata.Annotations.Should().Contain("deployment.kubernetes.io/revision", "2");
        done.Status.UpdatedReplicas.Should().Be(4);
        done.Status.Replicas.Should().Be(4);
        done.Status.Conditions.Single(c => c.Type == "Progressing").Reason.Should().Be("NewReplicaSetAvailable");
    }

    [Fact]
    public async Task A_pod_whose_image_cannot_be_pulled_stays_pending_in_image_pull_back_off()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("broken", 1, "registry.invalid/broken:1"), Ns);
        await Settle();
        await Advance(ReadyDelay * 3);

        var pods = await Pods("app=broken");
        pods.Should().HaveCount(1);
        pods[0].Status.Phase.Should().Be("Pending");
        var waiting = pods[0].Status.ContainerStatuses.Should().ContainSingle().Subject;
        waiting.Ready.Should().BeFalse();
        waiting.State.Waiting.Reason.Should().Be("ImagePullBackOff");
        pods[0].Status.Conditions.Single(c => c.Type == "Ready").Status.Should().Be("False");
        (await _admin.AppsV1.ReadNamespacedDeploymentAsync("broken", Ns)).Status.UnavailableReplicas.Should().Be(1);
    }

    [Fact]
    public async Task A_stateful_set_creates_its_pods_in_order_each_once_the_one_before_is_ready()
    {
        await _admin.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Spec = new V1StatefulSetSpec { Replicas = 3, ServiceName = "db", Selector = Selector("db"), Template = Template("db", "postgres:17") },
        }, Ns);
        await Settle();

        var seen = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var names = (await Pods("app=db")).Select(p => p.Metadata.Name).Order().ToList();
            names.Should().HaveCount(i + 1, "OrderedReady waits for each pod before the next");
            seen.Add(string.Join(",", names));
            await Advance(ReadyDelay);
        }
        seen.Should().Equal("db-0", "db-0,db-1", "db-0,db-1,db-2");

        var set = await _admin.AppsV1.ReadNamespacedStatefulSetAsync("db", Ns);
        set.Status.Replicas.Should().Be(3);
        set.Status.ReadyReplicas.Should().Be(3);
        set.Status.AvailableReplicas.Should().Be(3);
        set.Status.CurrentReplicas.Should().Be(3);
        set.Status.UpdatedReplicas.Should().Be(3);
        set.Status.UpdateRevision.Should().StartWith("db-").And.Be(set.Status.CurrentRevision);
        set.Status.ObservedGeneration.Should().Be(1);
        var pod = await _admin.CoreV1.ReadNamespacedPodAsync("db-1", Ns);
        pod.Metadata.Labels.Should().Contain("statefulset.kubernetes.io/pod-name", "db-1").And.Contain("controller-revision-hash", set.Status.UpdateRevision)
            .And.Contain("apps.kubernetes.io/pod-index", "1");
        pod.Spec.Hostname.Should().Be("db-1");
        pod.Spec.Subdomain.Should().Be("db");

        set.Spec.Template.Spec.Containers[0].Image = "postgres:17.1";
        await _admin.AppsV1.ReplaceNamespacedStatefulSetAsync(set, "db", Ns);
        await Settle();
        var rolling = await _admin.AppsV1.ReadNamespacedStatefulSetAsync("db", Ns);
        rolling.Status.UpdateRevision.Should().NotBe(rolling.Status.CurrentRevision);
        rolling.Status.UpdatedReplicas.Should().Be(1, "the highest ordinal is replaced first");
        (await _admin.CoreV1.ReadNamespacedPodAsync("db-2", Ns)).Spec.Containers[0].Image.Should().Be("postgres:17.1");
        for (var i = 0; i < 3; i++) await Advance(ReadyDelay);
        var updated = await _admin.AppsV1.ReadNamespacedStatefulSetAsync("db", Ns);
        updated.Status.UpdatedReplicas.Should().Be(3);
        updated.Status.CurrentRevision.Should().Be(updated.Status.UpdateRevision);
    }

    [Fact]
    public async Task A_daemon_set_runs_one_pod_per_node_and_none_without_nodes()
    {
        await _admin.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent" },
            Spec = new V1DaemonSetSpec { Selector = Selector("agent"), Template = Template("agent", "fluent-bit:3") },
        }, Ns);
        await Settle();
        (await Pods("app=agent")).Should().BeEmpty();
        var empty = await _admin.AppsV1.ReadNamespacedDaemonSetAsync("agent", Ns);
        empty.Status.DesiredNumberScheduled.Should().Be(0);

        foreach (var node in new[] { "node-a", "node-b" })
            await _admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
        await Settle();
        await Advance(ReadyDelay);

        var pods = await Pods("app=agent");
        pods.Should().HaveCount(2);
        pods.Select(p => p.Spec.NodeName).Should().BeEquivalentTo(["node-a", "node-b"]);
        pods.Should().OnlyContain(p => p.Status.Phase == "Running");
        var set = await _admin.AppsV1.ReadNamespacedDaemonSetAsync("agent", Ns);
        set.Status.DesiredNumberScheduled.Should().Be(2);
        set.Status.CurrentNumberScheduled.Should().Be(2);
        set.Status.NumberReady.Should().Be(2);
        set.Status.UpdatedNumberScheduled.Should().Be(2);
        set.Status.NumberAvailable.Should().Be(2);
        set.Status.NumberUnavailable.Should().BeNull();

        await _admin.CoreV1.DeleteNodeAsync("node-b");
        await Settle();
        (await Pods("app=agent")).Should().ContainSingle().Which.Spec.NodeName.Should().Be("node-a");
    }

    [Fact]
    public async Task A_job_runs_its_completions_and_reports_complete()
    {
        await _admin.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "migrate" },
            Spec = new V1JobSpec { Completions = 2, Parallelism = 1, Template = Template("migrate", "busybox:1.37", "Never", ["sh", "-c", "true"]) },
        }, Ns);
        await Settle();
        var running = await _admin.BatchV1.ReadNamespacedJobAsync("migrate", Ns);
        running.Status.Active.Should().Be(1);
        running.Status.StartTime.Should().NotBeNull();

        await Advance(ReadyDelay);
        await Advance(ReadyDelay);
        var job = await _admin.BatchV1.ReadNamespacedJobAsync("migrate", Ns);
        job.Status.Succeeded.Should().Be(2);
        job.Status.Active.Should().BeNull();
        job.Status.CompletionTime.Should().NotBeNull();
        job.Status.Conditions.Should().HaveCount(2);
        job.Status.Conditions.Select(c => (c.Type, c.Status, c.Reason)).Should().Equal(
            ("SuccessCriteriaMet", "True", "CompletionsReached"), ("Complete", "True", "CompletionsReached"));
        var pods = await Pods("job-name=migrate");
        pods.Should().HaveCount(2);
        pods.Should().OnlyContain(p => p.Status.Phase == "Succeeded" && p.Metadata.Name.StartsWith("migrate-")
            && p.Status.ContainerStatuses[0].State.Terminated.Reason == "Completed");
    }

    [Fact]
    public async Task A_job_whose_pods_fail_stops_after_its_backoff_limit()
    {
        await _admin.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "flaky" },
            Spec = new V1JobSpec { BackoffLimit = 2, Template = Template("flaky", "busybox:1.37", "Never", ["sh", "-c", "exit 3"]) },
        }, Ns);
        await Settle();
        for (var i = 0; i < 4; i++) await Advance(ReadyDelay);

        var job = await _admin.BatchV1.ReadNamespacedJobAsync("flaky", Ns);
        job.Status.Failed.Should().Be(3, "backoffLimit 2 allows two retries");
        job.Status.Succeeded.Should().BeNull();
        job.Status.Conditions.Select(c => (c.Type, c.Reason)).Should().Equal(
            ("FailureTarget", "BackoffLimitExceeded"), ("Failed", "BackoffLimitExceeded"));
        job.Status.Conditions.Single(c => c.Type == "Failed").Message.Should().Be("Job has reached the specified backoff limit");
        var pods = await Pods("job-name=flaky");
        pods.Should().HaveCount(3);
        pods.Should().OnlyContain(p => p.Status.Phase == "Failed" && p.Status.ContainerStatuses[0].State.Terminated.ExitCode == 3);
    }

    [Fact]
    public async Task Deleting_a_deployment_collects_its_replica_sets_and_pods_unless_orphaned()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("gone", 2, "nginx:1.27"), Ns);
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("kept", 2, "nginx:1.27"), Ns);
        await Settle();
        (await Pods("app in (gone,kept)")).Should().HaveCount(4);

        await _admin.AppsV1.DeleteNamespacedDeploymentAsync("gone", Ns, propagationPolicy: "Background");
        await _admin.AppsV1.DeleteNamespacedDeploymentAsync("kept", Ns, propagationPolicy: "Orphan");
        await Settle();

        (await ReplicaSets("app=gone")).Should().BeEmpty();
        (await Pods("app=gone")).Should().BeEmpty();
        var orphan = (await ReplicaSets("app=kept")).Should().ContainSingle().Subject;
        orphan.Metadata.OwnerReferences.Should().BeNullOrEmpty();
        (await Pods("app=kept")).Should().HaveCount(2, "the orphaned ReplicaSet keeps its pods");
    }

    [Fact]
    public async Task Controllers_own_what_they_write_and_a_client_applying_a_controller_field_conflicts()
    {
        await _admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("owned", 1, "nginx:1.27"), Ns);
        await Settle();
        await Advance(ReadyDelay);

        var deployment = await _admin.AppsV1.ReadNamespacedDeploymentAsync("owned", Ns);
        var entries = deployment.Metadata.ManagedFields.Where(m => m.Manager == "kube-controller-manager").ToList();
        entries.Should().HaveCount(2);
        entries.Should().OnlyContain(m => m.Operation == "Update");
        entries.Select(m => m.Subresource ?? "").Should().BeEquivalentTo(["", "status"]);
        entries.Single(m => m.Subresource == "status").FieldsV1.ToString().Should().Contain("f:availableReplicas");
        entries.Single(m => m.Subresource != "status").FieldsV1.ToString().Should().Contain("f:deployment.kubernetes.io/revision");
        var pod = (await Pods("app=owned")).Should().ContainSingle().Subject;
        pod.Metadata.ManagedFields.Select(m => (m.Manager, m.Subresource ?? "")).Should().Contain(("kubelet", "status"))
            .And.Contain(("kube-controller-manager", ""));

        // Applying the Deployment's own spec never touches what the controller owns.
        var spec = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"owned","namespace":"default"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"owned"}},
                     "template":{"metadata":{"labels":{"app":"owned"}},"spec":{"containers":[{"name":"owned","image":"nginx:1.27"}]}}}}
            """;
        await _admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(spec, V1Patch.PatchType.ApplyPatch), "owned", Ns, fieldManager: "multicluster");

        // A different value for the controller's revision annotation is a conflict, as on a real cluster.
        var revision = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"owned","namespace":"default",
             "annotations":{"deployment.kubernetes.io/revision":"7"}}}
            """;
        var (code, message, _) = await EmulatorClients.FailureOf(() =>
            _admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(revision, V1Patch.PatchType.ApplyPatch), "owned", Ns, fieldManager: "multicluster"));
        code.Should().Be(409);
        message.Should().Be("Apply failed with 1 conflict: conflict with \"kube-controller-manager\" using apps/v1: .metadata.annotations.deployment.kubernetes.io/revision");

        await _admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(revision, V1Patch.PatchType.ApplyPatch), "owned", Ns,
            fieldManager: "multicluster", force: true);
        await Settle();
        (await _admin.AppsV1.ReadNamespacedDeploymentAsync("owned", Ns)).Metadata.Annotations["deployment.kubernetes.io/revision"]
            .Should().Be("1", "the controller writes its revision back");
    }
}
