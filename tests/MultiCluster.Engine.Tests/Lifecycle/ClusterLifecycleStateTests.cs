using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ClusterLifecycleStateTests
{
    private static KubeObject Group(string kind, string spec, string? status, int generation = 2) =>
        KubeObject.Parse($$"""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"{{kind}}","metadata":{"name":"dev-01-md-0","generation":{{generation}}},"spec":{{spec}}{{(status is null ? "" : $",\"status\":{status}")}}}""");

    private static ClusterProvisioningStatus Provisioned(int workersReady = 2) =>
        new("Provisioned", true, true, 1, 1, workersReady, 2, null);

    [Fact]
    public void A_machine_group_is_settled_only_at_its_wanted_size_with_the_latest_spec_seen()
    {
        MachineGroupState.Read(Group("MachineDeployment", """{"replicas":3}""", """{"observedGeneration":2,"replicas":3,"readyReplicas":3,"upToDateReplicas":3}"""))
            .IsSettled.Should().BeTrue();
        MachineGroupState.Read(Group("MachineDeployment", """{"replicas":1}""", """{"observedGeneration":2,"replicas":3,"readyReplicas":3,"upToDateReplicas":3}"""))
            .IsSettled.Should().BeFalse("two machines are still to be deleted after a scale down");
        MachineGroupState.Read(Group("MachineDeployment", """{"replicas":3}""", """{"observedGeneration":1,"replicas":3,"readyReplicas":3,"upToDateReplicas":3}"""))
            .IsSettled.Should().BeFalse("the controller has not seen the latest spec");
        MachineGroupState.Read(Group("MachineDeployment", """{"replicas":3}""", """{"observedGeneration":2,"replicas":3,"readyReplicas":3,"upToDateReplicas":2}"""))
            .IsSettled.Should().BeFalse("one machine still runs the old version");
        MachineGroupState.Read(Group("KubeadmControlPlane", """{"replicas":3}""", """{"observedGeneration":2,"replicas":3,"readyReplicas":3,"updatedReplicas":3}"""))
            .IsSettled.Should().BeTrue("v1beta1 counts up-to-date machines as updatedReplicas");
        MachineGroupState.Read(Group("MachineDeployment", "{}", null)).Should().Be(new MachineGroupState("MachineDeployment", "dev-01-md-0", 1, 0, 0, 0, false));
    }

    [Fact]
    public void A_cluster_is_ready_when_provisioned_and_every_group_is_settled()
    {
        var settled = new MachineGroupState("KubeadmControlPlane", "cp", 1, 1, 1, 1, true);
        var workers = new MachineGroupState("MachineDeployment", "md", 2, 2, 2, 2, true);
        var state = new ClusterLifecycleState("dev-01", "default", Provisioned(), settled, [workers], null, "v1.32.3");
        state.IsReady.Should().BeTrue();
        state.PercentComplete.Should().Be(100);

        var scaling = state with { Workers = [workers with { Wanted = 4 }] };
        scaling.IsReady.Should().BeFalse();
        scaling.Summary.Should().Be("phase Provisioned, control plane 1/1 ready, workers 2/4 ready");

        var pending = new ClusterLifecycleState("dev-01", "default",
            new ClusterProvisioningStatus("Pending", false, false, null, null, null, null, new ClusterCondition("Available", "False", "NotAvailable", null)),
            settled with { Ready = 0, Current = 0 }, [workers with { Ready = 0, Current = 0 }], null, "v1.32.3");
        pending.IsReady.Should().BeFalse();
        pending.Summary.Should().Be("phase Pending, control plane 0/1 ready, workers 0/2 ready; failing condition Available=False (NotAvailable)");
    }

    [Fact]
    public void A_topology_cluster_without_machine_groups_yet_is_judged_on_its_own_counts()
    {
        var state = new ClusterLifecycleState("dev-cc", "default", Provisioned(workersReady: 1), null, [], TopologyWorkers: 2, "v1.32.3");
        state.WantedWorkers.Should().Be(2);
        state.IsReady.Should().BeFalse("one of two workers is ready");
        (state with { Status = Provisioned(workersReady: 2) }).IsReady.Should().BeTrue();
    }

    [Fact]
    public void The_fleet_member_keeps_what_the_fleet_knows_and_takes_the_phase()
    {
        var known = new FleetCluster { Name = "dev-01", Context = "dev", Region = "eu-west-1", KubernetesVersion = "v1.31.0" };
        var state = new ClusterLifecycleState("dev-01", "team-a", Provisioned(), null, [], null, "v1.32.3");
        var member = state.ToFleetCluster(known, "mgmt");
        (member.Context, member.Region, member.Phase, member.ManagementCluster, member.ClusterApiNamespace, member.KubernetesVersion)
            .Should().Be(("dev", "eu-west-1", "Provisioned", "mgmt", "team-a", "v1.32.3"));
        state.ToFleetCluster(null, "mgmt").Context.Should().Be("dev-01-admin@dev-01");
    }

    [RequiresSharedCrdsFact]
    public async Task The_waiter_reports_phase_and_counts_on_timeout_and_deletion_is_waited_for()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-wait");
        var spec = new FleetClusterSpec { Name = "dev-01", Provider = "Docker", KubernetesVersion = "v1.32.3", WorkerReplicas = 2 };
        var rendered = await new ClusterManifestService(management.Connector).RenderForAsync(spec, management.Cluster);
        var apply = new ApplyService(management.Connector);
        await apply.ApplyAsync(apply.Plan([management.Cluster], rendered.Objects), new ApplyOptions()).ToListAsync();
        var operations = new ManagedClusterClient(management.Connector);
        var waiter = new ClusterWaiter(operations) { PollInterval = TimeSpan.FromMilliseconds(200) };

        var state = await operations.GetStateAsync(management.Cluster, "default", "dev-01");
        state!.ControlPlane!.Wanted.Should().Be(1);
        state.Workers.Should().ContainSingle().Which.Wanted.Should().Be(2);
        state.KubernetesVersion.Should().Be("v1.32.3");

        // No controller runs here: the cluster stays Pending.
        var wait = () => waiter.WaitUntilReadyAsync(management.Cluster, "default", "dev-01", TimeSpan.FromSeconds(1));
        var timedOut = (await wait.Should().ThrowAsync<FleetClusterException>()).Which;
        (timedOut.ErrorId, timedOut.Category, timedOut.Cluster).Should().Be((FleetErrorIds.ClusterNotReady, FleetErrorCategory.OperationTimeout, "dev-01"));
        timedOut.Message.Should().Contain("phase Pending, control plane 0/1 ready, workers 0/2 ready");

        var missing = () => waiter.WaitUntilReadyAsync(management.Cluster, "default", "nope", TimeSpan.FromSeconds(1));
        (await missing.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(FleetErrorIds.ClusterNotFound);

        (await operations.DeleteClusterAsync(management.Cluster, "default", "dev-01")).Should().Be(new ClusterDeletion(true, "cluster.x-k8s.io/v1beta2"));
        await waiter.WaitUntilGoneAsync(management.Cluster, "default", "dev-01", TimeSpan.FromSeconds(10));
        (await operations.GetStateAsync(management.Cluster, "default", "dev-01")).Should().BeNull();
        (await operations.DeleteClusterAsync(management.Cluster, "default", "dev-01")).Should().Be(new ClusterDeletion(false, "cluster.x-k8s.io/v1beta2"));
    }

    [RequiresSharedCrdsFact]
    public async Task Deleting_reports_the_apiVersion_the_management_cluster_serves()
    {
        await using var management = await ManagementCluster.StartV1Beta1Async("mgmt-delete-v1beta1");

        (await new ManagedClusterClient(management.Connector).DeleteClusterAsync(management.Cluster, "default", "gone"))
            .Should().Be(new ClusterDeletion(false, "cluster.x-k8s.io/v1beta1"));
    }
}
