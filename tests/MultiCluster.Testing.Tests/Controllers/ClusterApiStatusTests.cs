using System.Text.Json.Nodes;
using MultiCluster.Testing.Controllers.ClusterApi;

namespace MultiCluster.Testing.Tests.Controllers;

public sealed class ClusterApiStatusTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonObject Cluster(string version) => new()
    {
        ["apiVersion"] = $"cluster.x-k8s.io/{version}",
        ["kind"] = "Cluster",
        ["metadata"] = new JsonObject { ["name"] = "work", ["generation"] = 3 },
    };

    private static JsonObject ControlPlane(string version) => new()
    {
        ["apiVersion"] = $"controlplane.cluster.x-k8s.io/{version}",
        ["kind"] = "KubeadmControlPlane",
        ["metadata"] = new JsonObject { ["name"] = "work-cp", ["generation"] = 2 },
        ["spec"] = new JsonObject { ["replicas"] = 3, ["version"] = "v1.32.1" },
    };

    private static JsonObject Deployment(string version) => new()
    {
        ["apiVersion"] = $"cluster.x-k8s.io/{version}",
        ["kind"] = "MachineDeployment",
        ["metadata"] = new JsonObject { ["name"] = "work-md", ["generation"] = 4 },
        ["spec"] = new JsonObject { ["replicas"] = 2 },
    };

    private static MachineTarget Target(int replicas, string version) => new(replicas, version, version);

    // The owner with every machine up and at the target.
    private static MachineOwner Settled(JsonObject owner, int replicas)
    {
        var rollout = new MachineRollout("m", TimeSpan.FromSeconds(1));
        rollout.AdvanceTo(Target(replicas, "v1.31.2"), Start, Start.AddHours(1));
        return new MachineOwner(owner, rollout.Summarize(Target(replicas, "v1.31.2"), Start.AddHours(1)));
    }

    // Three machines at v1.31.2 moving to v1.32.1: one new machine created, not Ready yet.
    private static MachineSummary UpgradeStarted()
    {
        var rollout = new MachineRollout("m", TimeSpan.FromSeconds(1));
        rollout.AdvanceTo(Target(3, "v1.31.2"), Start, Start.AddHours(1));
        rollout.AdvanceTo(Target(3, "v1.32.1"), Start, Start.AddHours(2));
        var firstStep = Start.AddHours(2).AddSeconds(1);
        rollout.AdvanceTo(Target(3, "v1.32.1"), Start, firstStep);
        return rollout.Summarize(Target(3, "v1.32.1"), firstStep);
    }

    private static JsonObject ConditionOf(JsonObject status, string type) =>
        status["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == type);

    [Fact]
    public void V1beta1_has_ready_flags_and_conditions_with_severity_while_waiting()
    {
        var provisioning = ClusterApiStatus.Cluster(Cluster("v1beta1"), ClusterPhase.Provisioning, null, [], Start);
        ((bool?)provisioning["infrastructureReady"]).Should().BeTrue();
        ((bool?)provisioning["controlPlaneReady"]).Should().BeFalse();
        ((long?)provisioning["observedGeneration"]).Should().Be(3);
        provisioning["initialization"].Should().BeNull("v1beta1 has no status.initialization");
        var ready = ConditionOf(provisioning, "Ready");
        ((string?)ready["status"]).Should().Be("False");
        ((string?)ready["severity"]).Should().Be("Info");
        ((string?)ready["reason"]).Should().Be("WaitingForControlPlane");
        ((string?)ConditionOf(provisioning, "InfrastructureReady")["status"]).Should().Be("True");
    }

    [Fact]
    public void V1beta2_reports_initialization_and_replica_counts()
    {
        var provisioned = ClusterApiStatus.Cluster(Cluster("v1beta2"), ClusterPhase.Provisioned, Settled(ControlPlane("v1beta2"), 3), [Settled(Deployment("v1beta2"), 2)], Start);
        ((bool?)provisioned["initialization"]!["controlPlaneInitialized"]).Should().BeTrue();
        ((int?)provisioned["controlPlane"]!["readyReplicas"]).Should().Be(3);
        ((int?)provisioned["workers"]!["availableReplicas"]).Should().Be(2);
        provisioned["infrastructureReady"].Should().BeNull("v1beta2 moved it to status.initialization");
        ((long?)ConditionOf(provisioned, "Available")["observedGeneration"]).Should().Be(3);
    }

    [Fact]
    public void A_condition_keeps_its_transition_time_until_its_status_flips()
    {
        var cluster = Cluster("v1beta2");
        cluster["status"] = ClusterApiStatus.Cluster(cluster, ClusterPhase.Provisioning, null, [], Start);
        var later = Start.AddMinutes(5);

        var again = ClusterApiStatus.Cluster(cluster, ClusterPhase.Provisioning, null, [], later);
        JsonNode.DeepEquals(again, cluster["status"]).Should().BeTrue("an unchanged status must not be rewritten");

        var provisioned = ClusterApiStatus.Cluster(cluster, ClusterPhase.Provisioned, null, [], later);
        ((string?)ConditionOf(provisioned, "InfrastructureReady")["lastTransitionTime"]).Should().Be("2026-01-01T00:00:00Z");
        ((string?)ConditionOf(provisioned, "Available")["lastTransitionTime"]).Should().Be("2026-01-01T00:05:00Z");
    }

    [Fact]
    public void A_v1beta2_control_plane_mid_upgrade_reports_counts_the_lowest_version_and_rolling_conditions()
    {
        var status = MachineOwnerStatus.Build(ControlPlane("v1beta2"), UpgradeStarted(), "sel", Start);

        ((int?)status["replicas"]).Should().Be(4);
        ((int?)status["readyReplicas"]).Should().Be(3);
        ((int?)status["availableReplicas"]).Should().Be(3);
        ((int?)status["upToDateReplicas"]).Should().Be(1);
        ((string?)status["version"]).Should().Be("v1.31.2", "status.version is the lowest version of the machines");
        ((long?)status["observedGeneration"]).Should().Be(2);
        ((bool?)status["initialization"]!["controlPlaneInitialized"]).Should().BeTrue();
        status["versions"]!.ToJsonString().Should().Be("""[{"version":"v1.31.2","replicas":3},{"version":"v1.32.1","replicas":1}]""");
        var rolling = ConditionOf(status, "RollingOut");
        ((string?)rolling["status"]).Should().Be("True");
        ((string?)rolling["message"]).Should().Be("Rolling out 3 not up-to-date replicas\n* Version v1.31.2, v1.32.1 required");
        ((string?)ConditionOf(status, "MachinesUpToDate")["reason"]).Should().Be("NotUpToDate");
        ((string?)ConditionOf(status, "MachinesReady")["reason"]).Should().Be("NotReady");
        ((string?)ConditionOf(status, "ScalingDown")["message"]).Should().Be("Scaling down from 4 to 3 replicas");
        ((string?)ConditionOf(status, "ScalingUp")["reason"]).Should().Be("NotScalingUp");
        ((string?)ConditionOf(status, "Available")["status"]).Should().Be("True");
        var deprecated = status["deprecated"]!["v1beta1"]!.AsObject();
        ((int?)deprecated["updatedReplicas"]).Should().Be(1);
        ((string?)ConditionOf(deprecated, "MachinesSpecUpToDate")["reason"]).Should().Be("RollingUpdateInProgress");
    }

    [Fact]
    public void A_v1beta1_machine_deployment_has_updated_replicas_phase_and_the_v1beta2_block()
    {
        var deployment = Deployment("v1beta1");
        var status = MachineOwnerStatus.Build(deployment, UpgradeStarted() with { Target = Target(2, "v1.32.1") }, "sel", Start);

        ((int?)status["updatedReplicas"]).Should().Be(1);
        ((int?)status["unavailableReplicas"]).Should().Be(0);
        ((string?)status["phase"]).Should().Be("ScalingDown");
        status["upToDateReplicas"].Should().BeNull("v1beta1 has updatedReplicas at the top");
        ((int?)status["v1beta2"]!["upToDateReplicas"]).Should().Be(1);
        ((string?)ConditionOf(status["v1beta2"]!.AsObject(), "RollingOut")["status"]).Should().Be("True");
        ((string?)ConditionOf(status, "Ready")["status"]).Should().Be("True", "a MachineDeployment's Ready sums up only Available");
        ((string?)ConditionOf(status, "Available")["status"]).Should().Be("True");
        var machineSet = ConditionOf(status, "MachineSetReady");
        ((string?)machineSet["reason"]).Should().Be("WaitingForInfrastructure");
        ((string?)machineSet["severity"]).Should().Be("Info");
        status["conditions"]!.AsArray().Select(c => (string?)c!["type"]).Should().Equal("Ready", "Available", "MachineSetReady");
    }

    [Fact]
    public void A_machine_deployment_short_of_available_machines_is_not_available_and_says_why()
    {
        var deployment = Deployment("v1beta2");
        var rollout = new MachineRollout("m", TimeSpan.FromSeconds(1));
        rollout.AdvanceTo(Target(2, "v1.31.2"), Start, Start);
        var machines = rollout.Summarize(Target(2, "v1.31.2"), Start);

        var status = MachineOwnerStatus.Build(deployment, machines, "sel", Start);

        var available = ConditionOf(status, "Available");
        ((string?)available["reason"]).Should().Be("NotAvailable");
        ((string?)available["message"]).Should().Be("0 available replicas, at least 2 required (spec.strategy.rollout.maxUnavailable is 0, spec.replicas is 2)");
        ((string?)status["phase"]).Should().Be("ScalingUp");
        var cluster = ClusterApiStatus.Cluster(Cluster("v1beta2"), ClusterPhase.Provisioned, null, [new MachineOwner(deployment, machines)], Start);
        ((string?)ConditionOf(cluster, "WorkersAvailable")["message"]).Should().StartWith("* MachineDeployment work-md: 0 available replicas");
        ((string?)ConditionOf(cluster, "ScalingUp")["message"]).Should().Be("* MachineDeployment work-md: Scaling up from 1 to 2 replicas");
        ((string?)ConditionOf(cluster, "Available")["status"]).Should().Be("False");
        ((string?)ConditionOf(cluster, "Available")["message"]).Should().StartWith("* WorkersAvailable:\n  * MachineDeployment work-md: 0 available replicas");
    }
}
