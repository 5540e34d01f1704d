using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ManagedClusterClientTests
{
    private static async Task<IReadOnlyList<KubeObject>> CreateAsync(ManagementCluster management, FleetClusterSpec spec)
    {
        var rendered = await new ClusterManifestService(management.Connector).RenderForAsync(spec, management.Cluster);
        var apply = new ApplyService(management.Connector);
        var results = await apply.ApplyAsync(apply.Plan([management.Cluster], rendered.Objects), new ApplyOptions()).ToListAsync();
        results.Should().HaveCount(rendered.Objects.Count).And.NotBeEmpty().And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        return rendered.Objects;
    }

    private static FleetClusterSpec Spec(string name, string? clusterClass = null) => new()
    {
        Name = name, Provider = "Docker", KubernetesVersion = "v1.32.3", WorkerReplicas = 2, ClusterClass = clusterClass,
    };

    [RequiresSharedCrdsFact]
    public async Task Workers_are_scaled_and_the_cluster_upgraded_control_plane_first()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-ops");
        var objects = await CreateAsync(management, Spec("dev-01"));
        var controlPlane = objects.Single(o => o.Kind == "KubeadmControlPlane");
        var workers = objects.Single(o => o.Kind == "MachineDeployment");
        var operations = new ManagedClusterClient(management.Connector);

        (await operations.ScaleWorkersAsync(management.Cluster, "default", "dev-01", 5)).Should().Be("dev-01-md-0");
        var tooEarly = () => operations.UpgradeWorkersAsync(management.Cluster, "default", "dev-01", "v1.33.0");
        (await tooEarly.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(LifecycleErrorIds.UpgradeNotAllowed);
        await operations.UpgradeControlPlaneAsync(management.Cluster, "default", "dev-01", "v1.33.0");
        (await operations.UpgradeWorkersAsync(management.Cluster, "default", "dev-01", "v1.33.0")).Should().Equal("dev-01-md-0");

        var md = (await management.GetAsync(workers))!.Json["spec"]!;
        md["replicas"]!.GetValue<int>().Should().Be(5);
        md["template"]!["spec"]!["version"]!.GetValue<string>().Should().Be("v1.33.0");
        (await management.GetAsync(controlPlane))!.Json["spec"]!["version"]!.GetValue<string>().Should().Be("v1.33.0");
    }

    [RequiresSharedCrdsFact]
    public async Task A_skipped_minor_version_is_refused_and_nothing_changes()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-skip");
        var controlPlane = (await CreateAsync(management, Spec("dev-02"))).Single(o => o.Kind == "KubeadmControlPlane");

        var act = () => new ManagedClusterClient(management.Connector).UpgradeControlPlaneAsync(management.Cluster, "default", "dev-02", "v1.34.1");

        (await act.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Contain("would skip minor version 1.33");
        (await management.GetAsync(controlPlane))!.Json["spec"]!["version"]!.GetValue<string>().Should().Be("v1.32.3");
    }

    [RequiresSharedCrdsFact]
    public async Task A_topology_cluster_is_scaled_and_upgraded_through_its_topology()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-cc");
        var cluster = (await CreateAsync(management, Spec("dev-03", "quick-start"))).Single();
        var operations = new ManagedClusterClient(management.Connector);

        (await operations.ScaleWorkersAsync(management.Cluster, "default", "dev-03", 4, "md-0")).Should().Be("md-0");
        await operations.UpgradeControlPlaneAsync(management.Cluster, "default", "dev-03", "v1.33.2");

        var topology = (await management.GetAsync(cluster))!.Json["spec"]!["topology"]!;
        topology["version"]!.GetValue<string>().Should().Be("v1.33.2");
        topology["workers"]!["machineDeployments"]![0]!["replicas"]!.GetValue<int>().Should().Be(4);
        topology["workers"]!["machineDeployments"]![0]!["class"]!.GetValue<string>().Should().Be("default-worker");
    }

    [RequiresSharedCrdsFact]
    public async Task A_topology_pool_list_changed_after_it_was_read_is_refused_not_overwritten()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-cc-race");
        await CreateAsync(management, Spec("dev-04", "quick-start"));
        var emulator = management.Emulator;
        var clusters = emulator.Registry.Find("cluster.x-k8s.io", "clusters")!;
        await emulator.SetFaultsAsync(new FaultSettings { Hanging = true, Methods = ["PATCH"] });

        var scaling = new ManagedClusterClient(management.Connector).ScaleWorkersAsync(management.Cluster, "default", "dev-04", 7, "md-0");
        while (!emulator.RequestLog.Requests.Any(r => r.Method == "GET" && r.Path.EndsWith("/clusters/dev-04", StringComparison.Ordinal))) await Task.Delay(20);
        await Task.Delay(300);
        // Another writer scales the pool between our read and our patch.
        var live = emulator.Store.Get(clusters, "default", "dev-04")!;
        live["spec"]!["topology"]!["workers"]!["machineDeployments"]![0]!["replicas"] = 3;
        emulator.Store.Update(clusters, live);
        await emulator.ClearFaultsAsync();

        var error = (await FluentActions.Awaiting(() => scaling).Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.ResourceChanged);
        error.Cluster.Should().Be(management.Cluster.Name);
        emulator.Store.Get(clusters, "default", "dev-04")!["spec"]!["topology"]!["workers"]!["machineDeployments"]![0]!["replicas"]!.GetValue<int>()
            .Should().Be(3, "the other writer's change stands");
    }

    [RequiresSharedCrdsFact]
    public async Task Unknown_clusters_and_deployments_are_named()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-missing");
        await CreateAsync(management, Spec("dev-04"));
        var operations = new ManagedClusterClient(management.Connector);

        var noCluster = () => operations.ScaleWorkersAsync(management.Cluster, "default", "nope", 1);
        var noPool = () => operations.ScaleWorkersAsync(management.Cluster, "default", "dev-04", 1, "md-9");

        (await noCluster.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(FleetErrorIds.ClusterNotFound);
        (await noPool.Should().ThrowAsync<FleetInputException>()).Which.Message.Should().Contain("-MachineDeployment 'md-9'").And.Contain("dev-04-md-0");
    }
}
