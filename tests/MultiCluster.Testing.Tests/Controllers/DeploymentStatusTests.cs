using System.Text.Json.Nodes;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Controllers.Workloads;

namespace MultiCluster.Testing.Tests.Controllers;

/// <summary>The Deployment status derived from ReplicaSets, and the pod-template-hash, without a cluster.</summary>
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
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web", ["tier"] = "front" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx:1.27" }) },
                },
            },
        };
        if (status is not null)
            deployment["status"] = status;
        return deployment;
    }

    private static JsonObject ReplicaSet(string name, int replicas, int ready) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["replicas"] = replicas },
        ["status"] = new JsonObject { ["replicas"] = replicas, ["readyReplicas"] = ready, ["availableReplicas"] = ready },
    };

    private static JsonObject ConditionOf(JsonObject status, string type)
    {
        var conditions = status["conditions"]!.AsArray().OfType<JsonObject>().Where(c => (string?)c["type"] == type).ToList();
        conditions.Should().HaveCount(1);
        return conditions[0];
    }

    [Fact]
    public void A_new_replica_set_without_ready_pods_is_progressing_with_nothing_available()
    {
        var deployment = Deployment(3);
        var newSet = ReplicaSet("web-abc", 3, 0);
        var status = DeploymentStatus.Calculate(deployment, newSet, [newSet], T0);
        status["replicas"]!.GetValue<int>().Should().Be(3);
        status["updatedReplicas"]!.GetValue<int>().Should().Be(3);
        status["unavailableReplicas"]!.GetValue<long>().Should().Be(3);
        status["readyReplicas"].Should().BeNull("zero counts are omitted");
        ConditionOf(status, "Available")["reason"]!.GetValue<string>().Should().Be("MinimumReplicasUnavailable");
        ConditionOf(status, "Progressing")["reason"]!.GetValue<string>().Should().Be("ReplicaSetUpdated");
        ConditionOf(status, "Progressing")["message"]!.GetValue<string>().Should().Be("ReplicaSet \"web-abc\" is progressing.");
    }

    [Fact]
    public void All_replicas_of_the_new_replica_set_available_complete_the_rollout()
    {
        var deployment = Deployment(3, generation: 2);
        var newSet = ReplicaSet("web-abc", 3, 0);
        deployment["status"] = DeploymentStatus.Calculate(deployment, newSet, [newSet], T0);
        var ready = ReplicaSet("web-abc", 3, 3);
        var status = DeploymentStatus.Calculate(deployment, ready, [ready], T0.AddSeconds(5));
        status["observedGeneration"]!.GetValue<long>().Should().Be(2);
        status["availableReplicas"]!.GetValue<long>().Should().Be(3);
        status["unavailableReplicas"].Should().BeNull();
        var available = ConditionOf(status, "Available");
        available["reason"]!.GetValue<string>().Should().Be("MinimumReplicasAvailable");
        available["message"]!.GetValue<string>().Should().Be("Deployment has minimum availability.");
        available["lastTransitionTime"]!.GetValue<string>().Should().Be("2026-05-01T10:00:05Z");
        var progressing = ConditionOf(status, "Progressing");
        progressing["reason"]!.GetValue<string>().Should().Be("NewReplicaSetAvailable");
        progressing["message"]!.GetValue<string>().Should().Be("ReplicaSet \"web-abc\" has successfully progressed.");
        progressing["lastTransitionTime"]!.GetValue<string>().Should().Be("2026-05-01T10:00:00Z", "Progressing stayed True");
    }

    [Fact]
    public void A_surge_pod_that_never_becomes_ready_leaves_the_old_replicas_and_times_out()
    {
        var deployment = Deployment(3, generation: 2);
        var old = ReplicaSet("web-old", 3, 3);
        var surge = ReplicaSet("web-new", 1, 0);
        var status = DeploymentStatus.Calculate(deployment, surge, [old, surge], T0);
        status["replicas"]!.GetValue<int>().Should().Be(4);
        status["updatedReplicas"]!.GetValue<int>().Should().Be(1);
        status["readyReplicas"]!.GetValue<long>().Should().Be(3);
        status["unavailableReplicas"]!.GetValue<long>().Should().Be(1);
        ConditionOf(status, "Available")["status"]!.GetValue<string>().Should().Be("True", "3 of 3 old pods are still available");

        deployment["status"] = status;
        DeploymentStatus.ProgressDeadline(deployment).Should().Be(T0.AddSeconds(600));
        var waiting = DeploymentStatus.Calculate(deployment, surge, [old, surge], T0.AddSeconds(599));
        ConditionOf(waiting, "Progressing")["reason"]!.GetValue<string>().Should().Be("ReplicaSetUpdated");
        var timedOut = DeploymentStatus.Calculate(deployment, surge, [old, surge], T0.AddSeconds(600));
        ConditionOf(timedOut, "Progressing")["status"]!.GetValue<string>().Should().Be("False");
        ConditionOf(timedOut, "Progressing")["reason"]!.GetValue<string>().Should().Be("ProgressDeadlineExceeded");
        ConditionOf(timedOut, "Progressing")["message"]!.GetValue<string>().Should().Be("ReplicaSet \"web-new\" has timed out progressing.");
    }

    [Fact]
    public void Zero_replicas_are_available_at_once_and_replicas_default_to_one()
    {
        var deployment = Deployment(0);
        var empty = ReplicaSet("web-abc", 0, 0);
        var status = DeploymentStatus.Calculate(deployment, empty, [empty], T0);
        ConditionOf(status, "Available")["status"]!.GetValue<string>().Should().Be("True");
        var unspecified = Deployment(1);
        unspecified["spec"]!.AsObject().Remove("replicas");
        DeploymentStatus.DesiredReplicas(unspecified).Should().Be(1);
    }

    [Fact]
    public void The_template_hash_is_stable_across_field_order_and_changes_with_the_template()
    {
        var a = Deployment(1);
        var b = Deployment(7);
        DeploymentStatus.ReplicaSetName(a).Should().Be(DeploymentStatus.ReplicaSetName(b)).And.StartWith("web-");
        b["spec"]!["template"]!["metadata"]!["labels"] = new JsonObject { ["tier"] = "front", ["app"] = "web" };
        DeploymentStatus.ReplicaSetName(b).Should().Be(DeploymentStatus.ReplicaSetName(a), "labels in another order are the same template");
        b["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:1.28";
        DeploymentStatus.ReplicaSetName(a).Should().NotBe(DeploymentStatus.ReplicaSetName(b));
        var withCollision = Deployment(1, status: new JsonObject { ["collisionCount"] = 1 });
        DeploymentStatus.ReplicaSetName(withCollision).Should().NotBe(DeploymentStatus.ReplicaSetName(a), "a collision count changes the hash");
        DeploymentStatus.TemplateHash(a).Should().MatchRegex("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$");
    }

    [Fact]
    public void Hash_digits_are_spelt_as_rand_SafeEncodeString_spells_them()
    {
        // alphanums[c % 27] for '0'..'9' (48..57): the reason real pod-template-hashes use only 4-9 and b, c, d, f.
        WorkloadObjects.SafeEncode("0123456789").Should().Be("456789bcdf");
    }
}
