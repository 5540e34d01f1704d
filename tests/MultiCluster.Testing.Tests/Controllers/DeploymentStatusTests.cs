using System.Text.Json.Nodes;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Testing.Tests.Controllers;

public sealed class DeploymentStatusTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static JsonObject Deployment(int replicas, long generation = 1, JsonObject? status = null)
    {
        var deployment = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "web", ["generation"] = generation },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray() } },
            },
        };
        if (status is not null)
            deployment["status"] = status;
        return deployment;
    }

    private static JsonObject ConditionOf(JsonObject status, string type) =>
        status["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == type);

    [Fact]
    public void New_deployment_rolls_with_nothing_available()
    {
        var deployment = Deployment(3);
        var status = DeploymentStatus.Rolling(deployment, T0);
        status["replicas"]!.GetValue<int>().Should().Be(3);
        status["updatedReplicas"]!.GetValue<int>().Should().Be(3);
        status["unavailableReplicas"]!.GetValue<int>().Should().Be(3);
        status["readyReplicas"].Should().BeNull();
        ConditionOf(status, "Available")["reason"]!.GetValue<string>().Should().Be("MinimumReplicasUnavailable");
        ConditionOf(status, "Progressing")["reason"]!.GetValue<string>().Should().Be("ReplicaSetUpdated");
        ConditionOf(status, "Progressing")["message"]!.GetValue<string>()
            .Should().Be($"ReplicaSet \"{DeploymentStatus.ReplicaSetName(deployment)}\" is progressing.");
    }

    [Fact]
    public void Complete_rollout_has_every_replica_and_the_real_reasons()
    {
        var deployment = Deployment(3, generation: 2);
        deployment["status"] = DeploymentStatus.Rolling(deployment, T0);
        var status = DeploymentStatus.Complete(deployment, T0.AddSeconds(5));
        deployment["status"] = status;
        DeploymentStatus.IsComplete(deployment).Should().BeTrue();
        status["observedGeneration"]!.GetValue<long>().Should().Be(2);
        status["availableReplicas"]!.GetValue<int>().Should().Be(3);
        status["unavailableReplicas"].Should().BeNull();
        var available = ConditionOf(status, "Available");
        available["reason"]!.GetValue<string>().Should().Be("MinimumReplicasAvailable");
        available["message"]!.GetValue<string>().Should().Be("Deployment has minimum availability.");
        available["lastTransitionTime"]!.GetValue<string>().Should().Be("2026-05-01T10:00:05Z");
        var progressing = ConditionOf(status, "Progressing");
        progressing["reason"]!.GetValue<string>().Should().Be("NewReplicaSetAvailable");
        progressing["lastTransitionTime"]!.GetValue<string>().Should().Be("2026-05-01T10:00:00Z", "Progressing stayed True");
        progressing["lastUpdateTime"]!.GetValue<string>().Should().Be("2026-05-01T10:00:05Z");
    }

    [Fact]
    public void Scaling_up_keeps_availability_within_max_unavailable()
    {
        var done = Deployment(4);
        done["status"] = DeploymentStatus.Complete(done, T0);
        var scaledTo5 = Deployment(5, generation: 2, status: done["status"]!.DeepClone().AsObject());
        var status = DeploymentStatus.Rolling(scaledTo5, T0.AddSeconds(1));
        status["readyReplicas"]!.GetValue<int>().Should().Be(4);
        ConditionOf(status, "Available")["status"]!.GetValue<string>().Should().Be("True", "25% of 5 rounds down to 1 unavailable allowed");
        ConditionOf(status, "Available")["lastTransitionTime"]!.GetValue<string>().Should().Be("2026-05-01T10:00:00Z");
        DeploymentStatus.IsComplete(scaledTo5).Should().BeFalse();
    }

    [Fact]
    public void Zero_replicas_are_available_at_once_and_replicas_default_to_one()
    {
        var status = DeploymentStatus.Rolling(Deployment(0), T0);
        ConditionOf(status, "Available")["status"]!.GetValue<string>().Should().Be("True");
        var unspecified = Deployment(1);
        unspecified["spec"]!.AsObject().Remove("replicas");
        DeploymentStatus.DesiredReplicas(unspecified).Should().Be(1);
    }

    [Fact]
    public void ReplicaSet_name_changes_with_the_template_only()
    {
        var a = Deployment(1);
        var b = Deployment(7);
        DeploymentStatus.ReplicaSetName(a).Should().Be(DeploymentStatus.ReplicaSetName(b)).And.StartWith("web-");
        b["spec"]!["template"]!["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["v"] = "2" } };
        DeploymentStatus.ReplicaSetName(a).Should().NotBe(DeploymentStatus.ReplicaSetName(b));
    }
}
