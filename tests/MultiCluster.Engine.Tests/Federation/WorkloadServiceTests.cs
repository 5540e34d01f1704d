using System.Collections;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Engine.Tests.Federation;

/// <summary>Workload federation against three emulated clusters (named as in KubeFed's teaching material).</summary>
public sealed class WorkloadServiceTests : IAsyncLifetime
{
    // The KubeFed teaching example: one FederatedDeployment on three clusters, replicas overridden
    // on one and an env list added on another.
    private const string TeachingExample = """
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedDeployment
        metadata:
          name: test-deployment
          namespace: test-namespace
        spec:
          template:
            metadata:
              labels:
                app: nginx
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app: nginx
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - image: nginx
                    name: nginx
          placement:
            clusters:
            - name: cluster1
            - name: cluster2
            - name: cluster3
          overrides:
          - clusterName: cluster2
            clusterOverrides:
            - path: "/spec/replicas"
              value: 5
          - clusterName: cluster3
            clusterOverrides:
            - op: add
              path: "/spec/template/spec/containers/0/env"
              value:
              - name: REGION
                value: eu-central-1
        """;

    private const string Namespace = "test-namespace";
    private const string Name = "test-deployment";

    private EmulatedFleet _emulators = null!;
    private KubernetesConnector _connector = null!;
    private WorkloadService _service = null!;
    private IReadOnlyList<FleetCluster> _fleet = null!;

    public async Task InitializeAsync()
    {
        _emulators = await EmulatedFleet.StartAsync(3, "kf",
            configure: (_, options) => new EmulatedClusterOptions { Name = options.Name, Controllers = ControllerCatalog.Create(DeploymentController.ControllerName) });
        _connector = new KubernetesConnector(KubeconfigSource.FromPaths(_emulators.KubeconfigPath),
            new ConnectorOptions { Retry = new FleetRetryOptions { MaxAttempts = 1 } });
        _service = new WorkloadService(_connector);
        _fleet = Enumerable.Range(1, 3).Select(i => new FleetCluster
        {
            Name = $"cluster{i}",
            Context = $"kf-{i}",
            Labels = new Dictionary<string, string> { ["env"] = i == 3 ? "dev" : "prod" },
        }).ToList();
        foreach (var cluster in _emulators.Clusters)
        {
            cluster.CreateObject(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace },
            });
        }
    }

    public async Task DisposeAsync()
    {
        _connector.Dispose();
        await _emulators.DisposeAsync();
    }

    private IReadOnlyList<WorkloadPlan> Plan(string yaml, ClusterPlacement? placement = null, IDictionary? overrides = null) =>
        WorkloadPlanner.Plan(ManifestReader.ReadText(yaml, "workload.yaml"), placement ?? new ClusterPlacement(),
            WorkloadOverrideReader.Read(overrides), _fleet);

    private async Task<List<FleetResourceResult>> Publish(IReadOnlyList<WorkloadPlan> plans, bool whatIf = false) =>
        await _service.PublishAsync(_service.PlanPublish(plans), new ApplyOptions { WhatIf = whatIf }).ToListAsync();

    private Kubernetes Client(int index)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(_emulators.Kubeconfig));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream, currentContext: $"kf-{index}"));
    }

    private async Task<V1Deployment?> Deployment(int index, string name = Name)
    {
        using var client = Client(index);
        var list = await client.AppsV1.ListNamespacedDeploymentAsync(Namespace);
        return list.Items.SingleOrDefault(d => d.Metadata.Name == name);
    }

    [Fact]
    public async Task The_teaching_example_gives_the_described_objects_converges_and_heals_drift()
    {
        var plans = Plan(TeachingExample);

        var first = await Publish(plans);
        var second = await Publish(plans);

        first.Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[]
        {
            ("cluster1", FleetResourceAction.Created), ("cluster2", FleetResourceAction.Created), ("cluster3", FleetResourceAction.Created),
        });
        second.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        for (var i = 1; i <= 3; i++)
        {
            var deployment = (await Deployment(i))!;
            deployment.Metadata.Labels.Should().Equal(new Dictionary<string, string>
            {
                ["app"] = "nginx", [KubeObject.ManagedByLabel] = "multicluster", [WorkloadDefinition.WorkloadLabel] = Name,
            });
            deployment.Spec.Replicas.Should().Be(i == 2 ? 5 : 3);
            var container = deployment.Spec.Template.Spec.Containers.Should().ContainSingle().Which;
            container.Image.Should().Be("nginx");
            if (i == 3) container.Env.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Name = "REGION", Value = "eu-central-1" });
            else container.Env.Should().BeNullOrEmpty();
        }

        (await Compare(plans[0])).Should().BeEmpty();

        using (var admin = Client(1))
        {
            await admin.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":7}}""", V1Patch.PatchType.MergePatch),
                Name, Namespace, fieldManager: "kubectl-edit");
        }

        var drift = await Compare(plans[0]);
        var changed = drift.Should().ContainSingle().Which;
        changed.Should().BeEquivalentTo(new
        {
            Cluster = "cluster1", Workload = Name, Kind = "Deployment", Namespace, DriftType = FleetDriftType.Changed,
            Path = "spec.replicas", Expected = (object)3L, Actual = (object)7L,
        });
        changed.Message.Should().Be("spec.replicas is 7 on the cluster; the workload says 3.");

        var preview = await Publish(plans, whatIf: true);
        preview.Single(r => r.Cluster == "cluster1").Action.Should().Be(FleetResourceAction.WouldChange, preview.Single(r => r.Cluster == "cluster1").Message);
        (await Deployment(1))!.Spec.Replicas.Should().Be(7, "WhatIf changes nothing");

        var healing = await Publish(plans);
        healing.Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[]
        {
            ("cluster1", FleetResourceAction.Configured), ("cluster2", FleetResourceAction.Unchanged), ("cluster3", FleetResourceAction.Unchanged),
        });
        (await Deployment(1))!.Spec.Replicas.Should().Be(3);
        (await Compare(plans[0])).Should().BeEmpty();
    }

    private static WorkloadOnClusters Everywhere(WorkloadPlan plan) => new(WorkloadReference.Of(plan), plan.PlacedClusters);

    private static ReadinessWait Wait(TimeSpan timeout) => new() { Timeout = timeout, PollInterval = TimeSpan.FromMilliseconds(100) };

    private async Task<List<FleetDrift>> Compare(WorkloadPlan plan) => await _service.CompareAsync(plan, new FanOutOptions()).ToListAsync();

    [Fact]
    public async Task Status_reports_presence_generation_and_ready_replicas_per_cluster()
    {
        var plans = Plan(TeachingExample);
        await Publish(plans);

        var statuses = await _service.WaitUntilReadyAsync([Everywhere(plans[0])], Wait(TimeSpan.FromSeconds(10)));

        statuses.OrderBy(s => s.Cluster).Select(s => (s.Cluster, s.Present, s.Generation, s.Replicas)).Should().Equal(
            ("cluster1", true, 1L, "3/3"), ("cluster2", true, 1L, "5/5"), ("cluster3", true, 1L, "3/3"));
        var absent = await _service.GetStatusAsync(new WorkloadReference("apps/v1", "Deployment", Namespace, "other"), _fleet, new FanOutOptions()).ToListAsync();
        absent.Should().HaveCount(3).And.OnlyContain(s => s.Present == false && !s.Ready);
    }

    [Fact]
    public async Task Prune_removes_the_workload_from_a_cluster_that_left_the_placement_and_nothing_else()
    {
        const string Template = """
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: test-deployment, namespace: test-namespace }
            data: { mode: blue }
            """;
        await Publish(Plan(Template, ClusterPlacement.Everywhere));
        using (var admin = Client(3))
        {
            await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "unmanaged" } }, Namespace);
        }

        var narrowed = Plan(Template, new ClusterPlacement { LabelSelector = "env=prod" })[0];
        var drift = await _service.CompareAsync(narrowed, new FanOutOptions()).ToListAsync();
        var prune = await _service.PlanPruneAsync(narrowed, new DeleteOptions());
        var deleted = await _service.DeleteAsync(prune.Targets, new DeleteOptions()).ToListAsync();

        drift.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = "cluster3", DriftType = FleetDriftType.NotPlaced });
        prune.Targets.Select(t => t.Description).Should().Equal("Cluster cluster3: delete v1 ConfigMap test-namespace/test-deployment");
        deleted.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Deleted);
        using var cluster3 = Client(3);
        (await cluster3.CoreV1.ListNamespacedConfigMapAsync(Namespace)).Items.Select(c => c.Metadata.Name).Should().Contain("unmanaged").And.NotContain(Name);
        using var cluster1 = Client(1);
        (await cluster1.CoreV1.ListNamespacedConfigMapAsync(Namespace)).Items.Select(c => c.Metadata.Name).Should().Contain(Name);
    }

    [Fact]
    public async Task Prune_never_takes_an_unreadable_cluster_for_one_without_the_workload_and_keeps_the_circuit_breaker()
    {
        await Publish(Plan(TeachingExample));
        var onlyCluster1 = Plan(TeachingExample.Replace("    - name: cluster2\n    - name: cluster3\n", ""))[0];
        onlyCluster1.PlacedClusters.Select(c => c.Name).Should().Equal("cluster1");

        var tooMany = () => _service.PlanPruneAsync(onlyCluster1, new DeleteOptions { MaxClusters = 2 });
        (await tooMany.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);

        await _emulators[2].SetFaultsAsync(new FaultSettings { Stopped = true });
        try
        {
            var plan = await _service.PlanPruneAsync(onlyCluster1, new DeleteOptions());
            var drift = await _service.CompareAsync(onlyCluster1, new FanOutOptions()).ToListAsync();

            plan.Targets.Select(t => t.Cluster.Name).Should().Equal("cluster2");
            plan.KnownResults.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = "cluster3", Action = FleetResourceAction.Failed });
            ((FleetException)plan.KnownResults[0].Error!).ErrorId.Should().Be(FleetErrorIds.ClusterListFailed);
            drift.Single(d => d.Cluster == "cluster3").DriftType.Should().Be(FleetDriftType.Unknown);
            drift.Single(d => d.Cluster == "cluster2").DriftType.Should().Be(FleetDriftType.NotPlaced);
        }
        finally
        {
            await _emulators[2].ClearFaultsAsync();
        }
        (await Deployment(3)).Should().NotBeNull();
    }

    [Theory]
    [InlineData("replace-missing")]
    [InlineData("no-kind")]
    [InlineData("placement-empty")]
    [InlineData("empty-override")]
    [InlineData("kubefed-unknown-shape")]
    public async Task Bad_input_fails_before_anything_is_sent(string problem)
    {
        // A good workload first: nothing of it may reach a cluster when a later one is bad.
        const string Good = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: good, namespace: test-namespace }\ndata: { a: '1' }\n---\n";
        var (yaml, placement, overrides) = problem switch
        {
            "replace-missing" => (Good + "apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: test-namespace }\n", ClusterPlacement.Everywhere,
                new Hashtable { ["cluster2"] = new Hashtable { ["/data/password"] = "x" } }),
            "no-kind" => (Good + "apiVersion: v1\nmetadata: { name: s }\n", ClusterPlacement.Everywhere, null),
            "placement-empty" => (Good, new ClusterPlacement { LabelSelector = "env=staging" }, null),
            "empty-override" => (Good, ClusterPlacement.Everywhere, new Hashtable { ["cluster1"] = Array.Empty<object>() }),
            _ => (TeachingExample.Replace("  overrides:", "  rollout: {}\n  overrides:"), new ClusterPlacement(), (Hashtable?)null),
        };

        var act = () => Publish(Plan(yaml, placement, overrides));

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        error.Message.Should().Contain("workload.yaml");
        foreach (var cluster in _emulators.Clusters)
        {
            cluster.Store.List(cluster.Registry.Find("", "configmaps")!, Namespace).Items.Should().BeEmpty();
            cluster.Store.List(cluster.Registry.Find("apps", "deployments")!, Namespace).Items.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task A_wave_publishes_only_its_clusters_and_waits_only_for_them()
    {
        var plans = Plan(TeachingExample);
        var waves = WavePlanner.Split(plans, [new ClusterPlacement { Names = ["cluster2"] }, new ClusterPlacement { Names = ["*"] }]);

        var published = await _service.PublishAsync(waves[0].Targets, new ApplyOptions()).ToListAsync();
        var ready = await _service.WaitUntilReadyAsync(waves[0].Awaited, Wait(TimeSpan.FromSeconds(10)));

        published.Should().ContainSingle().Which.Cluster.Should().Be("cluster2");
        ready.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = "cluster2", Ready = true, Replicas = "5/5" });
        (await Deployment(1)).Should().BeNull();
        (await Deployment(3)).Should().BeNull();
    }

    [Fact]
    public async Task Rollback_restores_what_a_wave_changed_and_deletes_what_it_created()
    {
        await Publish(Plan(TeachingExample.Replace("    - name: cluster3\n", "")));
        var next = Plan(TeachingExample.Replace("replicas: 3", "replicas: 9"));
        var targets = _service.PlanPublish(next);

        var snapshot = await _service.SnapshotAsync(targets, new FanOutOptions());
        await _service.PublishAsync(targets, new ApplyOptions()).ToListAsync();
        (await Deployment(1))!.Spec.Replicas.Should().Be(9);
        var rolledBack = await _service.RollbackAsync(snapshot, new ApplyOptions()).ToListAsync();

        snapshot.IsComplete.Should().BeTrue();
        rolledBack.Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[]
        {
            ("cluster1", FleetResourceAction.Configured), ("cluster2", FleetResourceAction.Unchanged), ("cluster3", FleetResourceAction.Deleted),
        });
        (await Deployment(1))!.Spec.Replicas.Should().Be(3);
        (await Deployment(2))!.Spec.Replicas.Should().Be(5);
        (await Deployment(3)).Should().BeNull();
    }

    [Fact]
    public async Task Rollback_restores_only_the_fields_the_module_applied_and_leaves_other_managers_fields_to_them()
    {
        await Publish(Plan(TeachingExample.Replace("    - name: cluster3\n", "")));
        async Task Autoscale(string note)
        {
            using var client = Client(1);
            var patch = new V1Patch("""{"metadata":{"annotations":{"autoscaler.example.com/last-scale":"NOTE"}}}""".Replace("NOTE", note), V1Patch.PatchType.MergePatch);
            await client.AppsV1.PatchNamespacedDeploymentAsync(patch, Name, Namespace, fieldManager: "autoscaler");
        }
        await Autoscale("before-the-wave");
        var targets = _service.PlanPublish(Plan(TeachingExample.Replace("replicas: 3", "replicas: 9")));
        var snapshot = await _service.SnapshotAsync(targets, new FanOutOptions());
        await _service.PublishAsync(targets, new ApplyOptions()).ToListAsync();
        await Autoscale("during-the-wave");

        var rolledBack = await _service.RollbackAsync(snapshot, new ApplyOptions()).ToListAsync();

        rolledBack.Should().HaveCount(3).And.OnlyContain(r => r.Action != FleetResourceAction.Failed);
        var deployment = (await Deployment(1))!;
        deployment.Spec.Replicas.Should().Be(3, "the module's own field is put back");
        deployment.Metadata.Annotations["autoscaler.example.com/last-scale"].Should().Be("during-the-wave", "another manager's field is not rolled back");
        deployment.Metadata.ManagedFields.Where(f => f.Manager == "multicluster").Select(f => f.FieldsV1.ToString())
            .Should().NotContain(f => f.Contains("autoscaler.example.com"), "the rollback took no other manager's field");
    }

    [Fact]
    public async Task A_snapshot_of_an_unreadable_cluster_is_incomplete()
    {
        await _emulators[0].SetFaultsAsync(new FaultSettings { Stopped = true });
        try
        {
            var snapshot = await _service.SnapshotAsync(_service.PlanPublish(Plan(TeachingExample)), new FanOutOptions());

            snapshot.IsComplete.Should().BeFalse();
            snapshot.Failures.Should().ContainSingle().Which.Cluster.Should().Be("cluster1");
        }
        finally
        {
            await _emulators[0].ClearFaultsAsync();
        }
    }

    [Fact]
    public async Task Waiting_ends_at_the_timeout_with_an_unreadable_cluster_not_ready()
    {
        var plans = Plan(TeachingExample);
        await Publish(plans);
        await _emulators[2].SetFaultsAsync(new FaultSettings { Stopped = true });

        var statuses = await _service.WaitUntilReadyAsync([Everywhere(plans[0])], Wait(TimeSpan.FromSeconds(1)) with { PollInterval = TimeSpan.FromMilliseconds(200) });

        var cluster3 = statuses.Single(s => s.Cluster == "cluster3");
        cluster3.Should().BeEquivalentTo(new { Present = (bool?)null, Ready = false });
        cluster3.Error.Should().BeAssignableTo<FleetException>().Which.ErrorId.Should().Be(FleetErrorIds.ClusterUnreachable);
        await _emulators[2].ClearFaultsAsync();
    }

    [Fact]
    public async Task An_object_deleted_by_hand_is_Missing_drift_and_the_next_publish_recreates_it()
    {
        var plans = Plan(TeachingExample);
        await Publish(plans);
        using (var admin = Client(2))
        {
            await admin.AppsV1.DeleteNamespacedDeploymentAsync(Name, Namespace);
        }

        var drift = await Compare(plans[0]);
        var republished = await Publish(plans);

        drift.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = "cluster2", DriftType = FleetDriftType.Missing, Path = (string?)null });
        republished.Single(r => r.Cluster == "cluster2").Action.Should().Be(FleetResourceAction.Created);
        (await Deployment(2))!.Spec.Replicas.Should().Be(5);
    }

    [Fact]
    public async Task Remove_reaches_every_cluster_only_when_forced()
    {
        await Publish(Plan(TeachingExample));
        var workload = new WorkloadReference("apps/v1", "Deployment", Namespace, Name);

        var guarded = () => _service.PlanRemoveAsync(workload, _fleet, new DeleteOptions());
        (await guarded.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);

        var plan = await _service.PlanRemoveAsync(workload, _fleet, new DeleteOptions { MaxClusters = int.MaxValue, MaxFleetShare = 1 });
        var removed = await _service.DeleteAsync(plan.Targets, new DeleteOptions { MaxClusters = int.MaxValue, MaxFleetShare = 1 }).ToListAsync();

        removed.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted);
        for (var i = 1; i <= 3; i++) (await Deployment(i)).Should().BeNull();
    }

    [Fact]
    public async Task KubeFed_cluster_scoped_RBAC_documents_publish_without_a_namespace_and_converge()
    {
        const string Rbac = """
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRole
            metadata: { name: pod-reader }
            spec:
              template:
                rules: [{ apiGroups: [""], resources: [pods], verbs: [get, list] }]
              placement:
                clusterSelector: {}
              overrides:
                - clusterName: cluster3
                  clusterOverrides: [{ op: add, path: /rules/0/verbs/-, value: watch }]
            ---
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRoleBinding
            metadata: { name: pod-reader }
            spec:
              template:
                roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader }
                subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: readers }]
              placement:
                clusterSelector: { matchLabels: { env: prod } }
            """;
        var plans = Plan(Rbac);

        var first = await Publish(plans);
        var second = await Publish(plans);

        first.Select(r => $"{r.Cluster} {r.Kind} {r.Namespace ?? "-"} {r.Action}").Should().BeEquivalentTo(
            "cluster1 ClusterRole - Created", "cluster2 ClusterRole - Created", "cluster3 ClusterRole - Created",
            "cluster1 ClusterRoleBinding - Created", "cluster2 ClusterRoleBinding - Created");
        second.Should().HaveCount(5).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        using var cluster3 = Client(3);
        (await cluster3.RbacAuthorizationV1.ReadClusterRoleAsync("pod-reader")).Rules[0].Verbs.Should().Equal("get", "list", "watch");
        (await cluster3.RbacAuthorizationV1.ListClusterRoleBindingAsync()).Items.Should().NotContain(b => b.Metadata.Name == "pod-reader");
    }

    [MultiCluster.Testing.Xunit.RequiresSharedCrdsFact]
    public async Task The_upstream_KubeFed_sample_publishes_as_KubeFed_would_place_it()
    {
        var sample = ManifestReader.ReadPaths([Path.Combine(SharedFiles.Crds!, "examples", "kubefed", "federateddeployment.yaml")]);
        var plans = WorkloadPlanner.Plan(sample, new ClusterPlacement(), null, _fleet);

        var results = await Publish(plans);

        results.Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[]
        {
            ("cluster1", FleetResourceAction.Created), ("cluster2", FleetResourceAction.Created),
        });
        var cluster2 = (await Deployment(2, "test-deployment"))!;
        cluster2.Spec.Replicas.Should().Be(5);
        cluster2.Spec.Template.Spec.Containers[0].Image.Should().Be("nginx:1.17.0-alpine");
        // The deployment controller's revision annotation may be there, as on a real cluster; foo must not.
        (cluster2.Metadata.Annotations ?? new Dictionary<string, string>()).Keys.Should()
            .NotContain("foo", "the sample adds annotation foo and then removes it").And.OnlyContain(key => key == "deployment.kubernetes.io/revision");
        (await Deployment(1, "test-deployment"))!.Spec.Template.Spec.Containers[0].Image.Should().Be("nginx");
        (await Deployment(3, "test-deployment")).Should().BeNull();
    }
}
