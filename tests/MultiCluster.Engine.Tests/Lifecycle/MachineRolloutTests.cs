using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>Status as Cluster API writes it in each API version, mid-rollout and rolled.</summary>
public class MachineRolloutTests
{
    private static KubeObject ControlPlane(string version, string status, long generation = 2) => KubeObject.Parse($$"""
        {"apiVersion":"controlplane.cluster.x-k8s.io/{{version}}","kind":"KubeadmControlPlane",
         "metadata":{"name":"dev-01-control-plane","generation":{{generation}}},"spec":{"replicas":3,"version":"v1.33.0"},"status":{{status}}}
        """);

    private static KubeObject Workers(string version, string status) => KubeObject.Parse(
        "{\"apiVersion\":\"cluster.x-k8s.io/" + version + "\",\"kind\":\"MachineDeployment\",\"metadata\":{\"name\":\"dev-01-md-0\",\"generation\":5}," +
        "\"spec\":{\"replicas\":2,\"template\":{\"spec\":{\"version\":\"v1.33.0\"}}},\"status\":" + status + "}");

    [Fact]
    public void A_v1beta2_control_plane_mid_rollout_says_what_it_waits_for()
    {
        var state = MachineRollout.Read(ControlPlane("v1beta2", """
            {"observedGeneration":2,"version":"v1.32.3","replicas":4,"readyReplicas":4,"upToDateReplicas":1,
             "conditions":[{"type":"RollingOut","status":"True","reason":"RollingOut","message":"Rolling out 2 not up-to-date replicas"}]}
            """), "v1.33.0");

        state.Rolled.Should().BeFalse();
        state.Waiting.Should().Be("KubeadmControlPlane dev-01-control-plane: status.version v1.32.3, not v1.33.0, 1/3 machines up to date, 1 old machine still to remove");
    }

    [Fact]
    public void A_v1beta2_control_plane_is_rolled_when_every_machine_is_up_to_date_ready_and_at_the_version()
    {
        MachineRollout.Read(ControlPlane("v1beta2", """{"observedGeneration":2,"version":"v1.33.0","replicas":3,"readyReplicas":3,"upToDateReplicas":3}"""), "v1.33.0")
            .Should().Be(new MachineRolloutState(true, ""));
    }

    [Fact]
    public void A_status_the_controller_wrote_for_an_older_generation_is_not_trusted()
    {
        var state = MachineRollout.Read(ControlPlane("v1beta2", """{"observedGeneration":1,"version":"v1.33.0","replicas":3,"readyReplicas":3,"upToDateReplicas":3}"""), "v1.33.0");

        state.Rolled.Should().BeFalse();
        state.Waiting.Should().Contain("has not seen generation 2 yet (observedGeneration 1)");
    }

    [Fact]
    public void A_v1beta1_control_plane_counts_updatedReplicas_and_names_its_false_condition()
    {
        var state = MachineRollout.Read(ControlPlane("v1beta1", """
            {"observedGeneration":2,"version":"v1.33.0","replicas":3,"updatedReplicas":3,"readyReplicas":2,"unavailableReplicas":1,
             "conditions":[{"type":"MachinesReady","status":"False","severity":"Warning","reason":"NodeStartupTimeout","message":"1 machine not ready"}]}
            """), "v1.33.0");

        state.Rolled.Should().BeFalse();
        state.Waiting.Should().Be("KubeadmControlPlane dev-01-control-plane: 2/3 ready (MachinesReady=False: 1 machine not ready)");
        MachineRollout.Read(ControlPlane("v1beta1", """{"observedGeneration":2,"version":"v1.33.0","replicas":3,"updatedReplicas":3,"readyReplicas":3}"""), "v1.33.0")
            .Rolled.Should().BeTrue();
    }

    [Fact]
    public void A_v1beta1_object_prefers_the_v1beta2_up_to_date_count_when_Cluster_API_reports_it()
    {
        var state = MachineRollout.Read(Workers("v1beta1", """
            {"observedGeneration":5,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"v1beta2":{"upToDateReplicas":1,"readyReplicas":2}}
            """), null);

        state.Waiting.Should().Be("MachineDeployment dev-01-md-0: 1/2 machines up to date");
    }

    [Fact]
    public void Machine_deployments_are_judged_without_a_status_version()
    {
        MachineRollout.Read(Workers("v1beta2", """{"observedGeneration":5,"replicas":2,"readyReplicas":2,"upToDateReplicas":2,"phase":"Running"}"""), null)
            .Rolled.Should().BeTrue();
        MachineRollout.Read(Workers("v1beta2", """{"observedGeneration":5,"replicas":3,"readyReplicas":2,"upToDateReplicas":1,"phase":"ScalingDown"}"""), null)
            .Waiting.Should().Be("MachineDeployment dev-01-md-0: 1/2 machines up to date, 1 old machine still to remove");
    }

    [Fact]
    public void An_object_without_status_is_not_rolled()
    {
        MachineRollout.Read(KubeObject.Parse("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"MachineDeployment","metadata":{"name":"md"}}"""), null)
            .Should().Be(new MachineRolloutState(false, "MachineDeployment md has no status yet"));
    }
}
