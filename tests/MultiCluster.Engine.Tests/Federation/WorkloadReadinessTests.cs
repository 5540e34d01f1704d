using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Federation;

/// <summary>Readiness as the status of each workload kind reports it, and the words for what is missing.</summary>
public class WorkloadReadinessTests
{
    private static FleetWorkloadStatus Read(string kind, string spec, string status, long generation = 2) =>
        WorkloadStatusReader.Read("prod-b", new WorkloadReference("apps/v1", kind, "shop", "web"), "shop", KubeObject.Parse(
            $"{{\"apiVersion\":\"apps/v1\",\"kind\":\"{kind}\",\"metadata\":{{\"name\":\"web\",\"namespace\":\"shop\",\"generation\":{generation}}}," +
            $"\"spec\":{{{spec}}},\"status\":{{{status}}}}}"));

    [Theory]
    [InlineData("Deployment", "\"replicas\":3", "\"observedGeneration\":2,\"replicas\":3,\"updatedReplicas\":3,\"readyReplicas\":3", true, "3/3 ready, 3/3 updated")]
    [InlineData("Deployment", "\"replicas\":3", "\"observedGeneration\":1,\"replicas\":3,\"updatedReplicas\":3,\"readyReplicas\":3", false,
        "generation 2 is not yet seen by its controller (it saw 1)")]
    [InlineData("Deployment", "\"replicas\":3", "\"observedGeneration\":2,\"replicas\":4,\"updatedReplicas\":1,\"readyReplicas\":3", false, "3/3 ready, 1/3 updated")]
    [InlineData("Deployment", "\"replicas\":1", "\"observedGeneration\":2,\"replicas\":2,\"updatedReplicas\":1,\"readyReplicas\":1", false,
        "1/1 ready, 1/1 updated, old replicas still running")]
    [InlineData("StatefulSet", "\"replicas\":2", "\"observedGeneration\":2,\"updatedReplicas\":1,\"readyReplicas\":2", false, "2/2 ready, 1/2 updated")]
    [InlineData("DaemonSet", "", "\"observedGeneration\":2,\"desiredNumberScheduled\":4,\"updatedNumberScheduled\":4,\"numberReady\":3", false, "3/4 ready, 4/4 updated")]
    [InlineData("DaemonSet", "", "\"observedGeneration\":2,\"desiredNumberScheduled\":4,\"updatedNumberScheduled\":4,\"numberReady\":4", true, "4/4 ready, 4/4 updated")]
    [InlineData("ReplicaSet", "\"replicas\":2", "\"observedGeneration\":2,\"readyReplicas\":2", true, "2/2 ready")]
    public void Kinds_with_replicas_are_ready_once_the_current_template_runs_everywhere(string kind, string spec, string status, bool ready, string reason)
    {
        var read = Read(kind, spec, status);

        read.Ready.Should().Be(ready);
        WorkloadReadiness.Describe(read).Should().Be($"prod-b: {kind} shop/web {reason}");
    }

    [Fact]
    public void An_absent_workload_is_not_ready_and_the_error_says_where_and_for_how_long()
    {
        var absent = WorkloadStatusReader.Read("dev-c", new WorkloadReference("v1", "ConfigMap", "shop", "web"), "shop", null);

        var error = WorkloadReadiness.NotReady(absent, TimeSpan.FromMinutes(10));

        absent.Ready.Should().BeFalse();
        error.Message.Should().Be("Workload web is not ready on cluster 'dev-c' after waiting 10 min: is not there.");
        error.ErrorId.Should().Be(FederationErrorIds.WorkloadNotReady);
        error.Target.Should().Be("dev-c: ConfigMap shop/web");
    }
}
