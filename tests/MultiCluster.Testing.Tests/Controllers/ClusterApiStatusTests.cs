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

    private static JsonObject ConditionOf(JsonObject status, string type) =>
        status["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == type);

    [Fact]
    public void V1beta1_has_ready_flags_and_conditions_with_severity_while_waiting()
    {
        var provisioning = ClusterApiStatus.Cluster(Cluster("v1beta1"), ClusterPhase.Provisioning, 1, 2, Start);
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
        var provisioned = ClusterApiStatus.Cluster(Cluster("v1beta2"), ClusterPhase.Provisioned, 3, 2, Start);
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
        cluster["status"] = ClusterApiStatus.Cluster(cluster, ClusterPhase.Provisioning, 1, 0, Start);
        var later = Start.AddMinutes(5);

        var again = ClusterApiStatus.Cluster(cluster, ClusterPhase.Provisioning, 1, 0, later);
        JsonNode.DeepEquals(again, cluster["status"]).Should().BeTrue("an unchanged status must not be rewritten");

        var provisioned = ClusterApiStatus.Cluster(cluster, ClusterPhase.Provisioned, 1, 0, later);
        ((string?)ConditionOf(provisioned, "InfrastructureReady")["lastTransitionTime"]).Should().Be("2026-01-01T00:00:00Z");
        ((string?)ConditionOf(provisioned, "Available")["lastTransitionTime"]).Should().Be("2026-01-01T00:05:00Z");
    }
}
