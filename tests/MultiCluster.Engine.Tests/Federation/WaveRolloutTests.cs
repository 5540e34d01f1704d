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
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Engine.Tests.Federation;

/// <summary>Progressive rollouts over three emulated clusters whose deployment controller finishes rollouts at once.</summary>
public sealed class WaveRolloutTests : IAsyncLifetime
{
    private const string Namespace = "waves";
    private static readonly string Unpullable = "registry" + DeploymentStatus.UnpullableRegistrySuffix + "/web:2";

    private EmulatedFleet _emulators = null!;
    private KubernetesConnector _connector = null!;
    private WorkloadService _service = null!;
    private IReadOnlyList<FleetCluster> _fleet = null!;
    private readonly List<string> _log = [];

    public async Task InitializeAsync()
    {
        _emulators = await EmulatedFleet.StartAsync(3, "wv",
            configure: (_, options) => new EmulatedClusterOptions
            {
                Name = options.Name, Controllers = ControllerCatalog.Create(DeploymentController.ControllerName),
            });
        _connector = new KubernetesConnector(KubeconfigSource.FromPaths(_emulators.KubeconfigPath),
            new ConnectorOptions { Retry = new FleetRetryOptions { MaxAttempts = 1 } });
        _service = new WorkloadService(_connector);
        _fleet = Enumerable.Range(1, 3).Select(i => new FleetCluster
        {
            Name = $"cluster{i}",
            Context = $"wv-{i}",
            Region = i == 1 ? "us-east-1" : "eu-central-1",
            Labels = new Dictionary<string, string> { ["env"] = i == 1 ? "canary" : "prod" },
        }).ToList();
        foreach (var cluster in _emulators.Clusters)
            cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } });
    }

    public async Task DisposeAsync()
    {
        _connector.Dispose();
        await _emulators.DisposeAsync();
    }

    private static string Web(string image, string version) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: {{Namespace}}, annotations: { version: '{{version}}' } }
        spec:
          replicas: 3
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec: { containers: [ { name: web, image: '{{image}}' } ] }
        """;

    private IReadOnlyList<WorkloadPlan> Plan(string yaml, IDictionary? overrides = null) =>
        WorkloadPlanner.Plan(ManifestReader.ReadText(yaml, "web.yaml"), ClusterPlacement.Everywhere, WorkloadOverrideReader.Read(overrides), _fleet);

    private static IReadOnlyList<ClusterPlacement> OneWavePerCluster =>
        [new ClusterPlacement { LabelSelector = "env=canary" }, new ClusterPlacement { Names = ["cluster2"] }, new ClusterPlacement { Regions = ["eu-*"] }];

    private static WaveRolloutOptions Options(bool rollback = false, double bakeSeconds = 0) => new()
    {
        WaveTimeout = TimeSpan.FromSeconds(2), BakeTime = TimeSpan.FromSeconds(bakeSeconds), RollbackOnFailure = rollback,
        PollInterval = TimeSpan.FromMilliseconds(100),
    };

    private async Task<List<FleetResourceResult>> Roll(IReadOnlyList<WorkloadPlan> plans, WaveRolloutOptions options, Action<string>? onLog = null)
    {
        var results = new List<FleetResourceResult>();
        var rollout = new WaveRollout(_service);
        await foreach (var result in rollout.RunAsync(WavePlanner.Split(plans, OneWavePerCluster), options, line => { _log.Add(line); onLog?.Invoke(line); }))
            results.Add(result);
        return results;
    }

    private async Task<V1Deployment?> Deployment(int index)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(_emulators.Kubeconfig));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream, currentContext: $"wv-{index}"));
        return (await client.AppsV1.ListNamespacedDeploymentAsync(Namespace)).Items.SingleOrDefault();
    }

    [Fact]
    public async Task Three_waves_that_become_ready_are_published_in_order()
    {
        var results = await Roll(Plan(Web("nginx:1.27", "1")), Options());

        results.Select(r => (r.Cluster, r.Action)).Should().Equal(
            ("cluster1", FleetResourceAction.Created), ("cluster2", FleetResourceAction.Created), ("cluster3", FleetResourceAction.Created));
        _log.Should().Equal(
            "Wave 1 of 3 (cluster1): publishing.", "Wave 1 of 3 (cluster1): done.",
            "Wave 2 of 3 (cluster2): publishing.", "Wave 2 of 3 (cluster2): done.",
            "Wave 3 of 3 (cluster3): publishing.", "Wave 3 of 3 (cluster3): done.");
        for (var i = 1; i <= 3; i++) (await Deployment(i))!.Status.ReadyReplicas.Should().Be(3);
    }

    [Fact]
    public async Task A_wave_that_never_becomes_ready_stops_the_rollout_before_the_next_wave_and_says_why()
    {
        var plans = Plan(Web("nginx:1.27", "1"), new Hashtable { ["cluster2"] = new Hashtable { ["/spec/template/spec/containers/0/image"] = Unpullable } });

        var act = () => Roll(plans, Options());

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(FederationErrorIds.WaveFailed);
        error.Target.Should().Be("wave 2");
        error.Message.Should().Be("Wave 2 of 3 (cluster2) did not become ready within 2 s: cluster2: Deployment waves/web 0/3 ready, 3/3 updated. " +
            "Wave 3 (cluster3) was not started.");
        (await Deployment(2))!.Spec.Template.Spec.Containers[0].Image.Should().Be(Unpullable, "without -OnFailure Rollback the failed wave keeps the new template");
        (await Deployment(3)).Should().BeNull("wave 3 was never started");
    }

    [Fact]
    public async Task Rollback_restores_the_previous_template_on_the_failed_wave_and_leaves_later_waves_untouched()
    {
        await Roll(Plan(Web("nginx:1.27", "1")), Options());
        var next = Plan(Web("nginx:1.28", "2"), new Hashtable { ["cluster2"] = new Hashtable { ["/spec/template/spec/containers/0/image"] = Unpullable } });

        var act = () => Roll(next, Options(rollback: true));

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        error.Message.Should().StartWith("Wave 2 of 3 (cluster2) did not become ready within 2 s: cluster2: Deployment waves/web 3/3 ready, 1/3 updated.")
            .And.EndWith("It was rolled back: the previous template is back on cluster2. Wave 3 (cluster3) was not started.");
        var cluster2 = (await Deployment(2))!;
        cluster2.Spec.Template.Spec.Containers[0].Image.Should().Be("nginx:1.27");
        cluster2.Metadata.Annotations["version"].Should().Be("1");
        (await Deployment(1))!.Metadata.Annotations["version"].Should().Be("2", "wave 1 succeeded and stays");
        var cluster3 = (await Deployment(3))!;
        cluster3.Metadata.Annotations["version"].Should().Be("1");
        cluster3.Metadata.Generation.Should().Be(1, "wave 3 was never touched");
        _log.Should().Contain("Wave 2 of 3 (cluster2): rolling back.");
    }

    [Fact]
    public async Task A_wave_that_breaks_during_its_bake_time_fails_after_it()
    {
        await Roll(Plan(Web("nginx:1.27", "1")), Options());
        _log.Clear();
        Task? breakage = null;

        var act = () => Roll(Plan(Web("nginx:1.28", "2")), Options(rollback: true, bakeSeconds: 1.5), line =>
        {
            if (line.StartsWith("Wave 1 of 3 (cluster1): ready; baking", StringComparison.Ordinal))
                breakage = BreakByHand(1);
        });

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        await breakage!;
        error.Message.Should().StartWith("Wave 1 of 3 (cluster1) was ready but no longer after its bake time of 2 s: cluster1: Deployment waves/web");
        (await Deployment(1))!.Metadata.Annotations["version"].Should().Be("1", "the wave was rolled back to the template before it");
        (await Deployment(2))!.Metadata.Annotations["version"].Should().Be("1");
    }

    private async Task BreakByHand(int index)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(_emulators.Kubeconfig));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream, currentContext: $"wv-{index}"));
        var patch = """{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"IMAGE"}]}}}}""".Replace("IMAGE", Unpullable);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "web", Namespace, fieldManager: "kubectl-edit");
    }

    [Fact]
    public async Task WhatIf_dry_runs_every_wave_in_order_and_changes_nothing()
    {
        var results = await Roll(Plan(Web("nginx:1.27", "1")), Options() with { WhatIf = true, BakeTime = TimeSpan.FromMinutes(1) });

        results.Select(r => (r.Cluster, r.Action)).Should().Equal(
            ("cluster1", FleetResourceAction.WouldCreate), ("cluster2", FleetResourceAction.WouldCreate), ("cluster3", FleetResourceAction.WouldCreate));
        _log.Should().Equal(
            "Wave 1 of 3 (cluster1): would publish, wait up to 2 s for ready, bake 60 s.",
            "Wave 2 of 3 (cluster2): would publish, wait up to 2 s for ready, bake 60 s.",
            "Wave 3 of 3 (cluster3): would publish, wait up to 2 s for ready, bake 60 s.");
        for (var i = 1; i <= 3; i++) (await Deployment(i)).Should().BeNull();
    }

    [Fact]
    public async Task A_wave_whose_previous_state_cannot_be_read_is_not_published_when_rollback_is_asked()
    {
        await _emulators[1].SetFaultsAsync(new MultiCluster.Testing.ApiServer.FaultSettings { Stopped = true });
        try
        {
            var act = () => Roll(Plan(Web("nginx:1.27", "1")), Options(rollback: true));

            var error = (await act.Should().ThrowAsync<FleetException>()).Which;
            error.Message.Should().StartWith("Wave 2 of 3 (cluster2) was not published: what cluster2 had before could not be read");
        }
        finally
        {
            await _emulators[1].ClearFaultsAsync();
        }
        (await Deployment(1)).Should().NotBeNull();
        (await Deployment(3)).Should().BeNull();
    }

    [Fact]
    public async Task Rolling_back_a_wave_that_created_the_workload_deletes_it_again()
    {
        var plans = Plan(Web("nginx:1.27", "1"), new Hashtable { ["cluster1"] = new Hashtable { ["/spec/template/spec/containers/0/image"] = Unpullable } });

        var act = () => Roll(plans, Options(rollback: true));

        (await act.Should().ThrowAsync<FleetException>()).Which.Message.Should().EndWith(
            "It was rolled back: what it created is deleted again from cluster1. Waves 2 to 3 (cluster2, cluster3) were not started.");
        for (var i = 1; i <= 3; i++) (await Deployment(i)).Should().BeNull();
    }

    [Fact]
    public async Task A_wave_that_cannot_be_published_stops_without_waiting()
    {
        await _emulators[2].SetFaultsAsync(new MultiCluster.Testing.ApiServer.FaultSettings { Stopped = true });
        try
        {
            var act = () => Roll(Plan(Web("nginx:1.27", "1")), Options() with { WaveTimeout = TimeSpan.FromMinutes(5) });

            var error = (await act.Should().ThrowAsync<FleetException>()).Which;
            error.Message.Should().StartWith("Wave 3 of 3 (cluster3) could not be published: cluster3: ").And.NotContain("was not started");
        }
        finally
        {
            await _emulators[2].ClearFaultsAsync();
        }
        (await Deployment(2)).Should().NotBeNull();
    }
}
