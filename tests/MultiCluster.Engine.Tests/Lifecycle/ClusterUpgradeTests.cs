using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ClusterUpgradeTests
{
    private static readonly ClusterUpgradeOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) };
    private const string Core = ClusterApiController.ClusterGroup;
    private const string ControlPlaneGroup = ClusterApiController.ControlPlaneGroup;

    [RequiresSharedCrdsFact]
    public async Task A_cluster_is_upgraded_and_its_API_server_and_nodes_report_the_version()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-upgrade");
        await bed.CreateClustersAsync("dev-01");

        var result = await new ManagedClusterClient(bed.Connector).UpgradeAsync(bed.Management, "default", "dev-01", UpgradeTestBed.ToVersion, Fast);

        result.Should().BeEquivalentTo(new
        {
            Cluster = "dev-01", FromVersion = UpgradeTestBed.FromVersion, KubernetesVersion = UpgradeTestBed.ToVersion,
            ControlPlane = "dev-01-control-plane", MachineDeployments = new[] { "dev-01-md-0" }, Rolled = true,
        });
        bed.Child("dev-01").KubernetesVersion.Should().Be(UpgradeTestBed.ToVersion);
        ((string)bed.Get(Core, "machinedeployments", "dev-01-md-0")["spec"]!["template"]!["spec"]!["version"]!).Should().Be(UpgradeTestBed.ToVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task Workers_wait_until_the_control_plane_reports_it_has_rolled()
    {
        // No controller: the test plays Cluster API and writes the status fields itself.
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-wait", withController: false);
        await bed.CreateClustersAsync("dev-02");
        var upgrade = new ManagedClusterClient(bed.Connector).UpgradeAsync(bed.Management, "default", "dev-02", UpgradeTestBed.ToVersion, Fast);

        await WaitUntil(() => bed.ControlPlaneVersion("dev-02") == UpgradeTestBed.ToVersion);
        bed.WriteStatus(ControlPlaneGroup, "kubeadmcontrolplanes", "dev-02-control-plane", cp => Rolling(cp, version: UpgradeTestBed.FromVersion, upToDate: 0));
        await Task.Delay(300);
        upgrade.IsCompleted.Should().BeFalse("the control plane still reports the old version");
        WorkerVersion(bed, "dev-02").Should().Be(UpgradeTestBed.FromVersion, "workers move only after the control plane rolled");

        bed.WriteStatus(ControlPlaneGroup, "kubeadmcontrolplanes", "dev-02-control-plane", cp => Rolling(cp, version: UpgradeTestBed.ToVersion, upToDate: 1));
        await WaitUntil(() => WorkerVersion(bed, "dev-02") == UpgradeTestBed.ToVersion);
        bed.WriteStatus(Core, "machinedeployments", "dev-02-md-0", md => Rolling(md, version: null, upToDate: 1));
        await Task.Delay(300);
        upgrade.IsCompleted.Should().BeFalse("one of two workers is up to date");

        bed.WriteStatus(Core, "machinedeployments", "dev-02-md-0", md => Rolling(md, version: null, upToDate: 2));
        (await upgrade.WaitAsync(TimeSpan.FromSeconds(30))).Rolled.Should().BeTrue();
    }

    [RequiresSharedCrdsFact]
    public async Task A_rollout_that_does_not_finish_times_out_naming_what_it_waits_for()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-timeout", withController: false);
        await bed.CreateClustersAsync("dev-03");

        var act = () => new ManagedClusterClient(bed.Connector).UpgradeAsync(bed.Management, "default", "dev-03", UpgradeTestBed.ToVersion,
            new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromMilliseconds(500) });

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeTimedOut);
        error.Message.Should().Contain("KubeadmControlPlane dev-03-control-plane has no status yet");
        WorkerVersion(bed, "dev-03").Should().Be(UpgradeTestBed.FromVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task Running_it_again_after_the_control_plane_moved_redoes_nothing_and_finishes_the_workers()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-again");
        await bed.CreateClustersAsync("dev-04");
        var operations = new ManagedClusterClient(bed.Connector);
        await operations.UpgradeControlPlaneAsync(bed.Management, "default", "dev-04", UpgradeTestBed.ToVersion);
        var generation = (long)bed.Get(ControlPlaneGroup, "kubeadmcontrolplanes", "dev-04-control-plane")["metadata"]!["generation"]!;

        var result = await operations.UpgradeAsync(bed.Management, "default", "dev-04", UpgradeTestBed.ToVersion, Fast);

        result.FromVersion.Should().Be(UpgradeTestBed.ToVersion);
        ((long)bed.Get(ControlPlaneGroup, "kubeadmcontrolplanes", "dev-04-control-plane")["metadata"]!["generation"]!).Should().Be(generation);
        WorkerVersion(bed, "dev-04").Should().Be(UpgradeTestBed.ToVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task A_skipped_minor_version_is_refused_before_anything_changes()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-skip2");
        await bed.CreateClustersAsync("dev-05");

        var act = () => new ManagedClusterClient(bed.Connector).UpgradeAsync(bed.Management, "default", "dev-05", "v1.34.0", Fast);

        (await act.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(LifecycleErrorIds.UpgradeNotAllowed);
        bed.ControlPlaneVersion("dev-05").Should().Be(UpgradeTestBed.FromVersion);
        WorkerVersion(bed, "dev-05").Should().Be(UpgradeTestBed.FromVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task With_the_OnDelete_strategy_workers_get_the_version_and_strategy_but_are_not_awaited()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-ondelete", withController: false);
        await bed.CreateClustersAsync("dev-06");
        var upgrade = new ManagedClusterClient(bed.Connector).UpgradeAsync(bed.Management, "default", "dev-06", UpgradeTestBed.ToVersion,
            new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(30), WorkerStrategy = FleetUpgradeStrategy.OnDelete });

        await WaitUntil(() => bed.ControlPlaneVersion("dev-06") == UpgradeTestBed.ToVersion);
        bed.WriteStatus(ControlPlaneGroup, "kubeadmcontrolplanes", "dev-06-control-plane", cp => Rolling(cp, version: UpgradeTestBed.ToVersion, upToDate: 1));
        var result = await upgrade.WaitAsync(TimeSpan.FromSeconds(30));

        result.Rolled.Should().BeFalse("the workers are replaced only as their machines are deleted");
        result.MachineDeployments.Should().Equal("dev-06-md-0");
        var workers = bed.Get(Core, "machinedeployments", "dev-06-md-0");
        ((string)workers["spec"]!["rollout"]!["strategy"]!["type"]!).Should().Be("OnDelete");
        WorkerVersion(bed, "dev-06").Should().Be(UpgradeTestBed.ToVersion);
    }

    private static string WorkerVersion(UpgradeTestBed bed, string cluster) =>
        (string)bed.Get(Core, "machinedeployments", cluster + "-md-0")["spec"]!["template"]!["spec"]!["version"]!;

    /// <summary>A v1beta2 status mid-rollout: the current generation observed, all machines ready, <paramref name="upToDate"/> of them new.</summary>
    private static JsonObject Rolling(JsonObject owner, string? version, int upToDate)
    {
        var replicas = (long)owner["spec"]!["replicas"]!;
        var status = new JsonObject
        {
            ["observedGeneration"] = (long)owner["metadata"]!["generation"]!,
            ["replicas"] = replicas,
            ["readyReplicas"] = replicas,
            ["availableReplicas"] = replicas,
            ["upToDateReplicas"] = upToDate,
        };
        if (version is not null) status["version"] = version;
        return status;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met");
            await Task.Delay(50);
        }
    }
}
