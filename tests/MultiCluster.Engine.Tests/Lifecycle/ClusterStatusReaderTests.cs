using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ClusterStatusReaderTests
{
    private static KubeObject Cluster(string version, string status) =>
        KubeObject.Parse($$"""{"apiVersion":"cluster.x-k8s.io/{{version}}","kind":"Cluster","metadata":{"name":"dev-01"},"status":{{status}}}""");

    [Fact]
    public void A_provisioned_v1beta2_cluster_with_all_machines_is_ready()
    {
        var status = ClusterStatusReader.Read(Cluster("v1beta2", """
            {"phase":"Provisioned","initialization":{"infrastructureProvisioned":true,"controlPlaneInitialized":true},
             "controlPlane":{"desiredReplicas":3,"readyReplicas":3},"workers":{"desiredReplicas":2,"readyReplicas":2},
             "conditions":[{"type":"Available","status":"True","reason":"Available","message":"","lastTransitionTime":"2026-11-24T03:00:00Z"},
                           {"type":"RollingOut","status":"False","reason":"NotRollingOut","message":"","lastTransitionTime":"2026-11-24T03:00:00Z"}]}
            """));

        status.Should().Be(new ClusterProvisioningStatus("Provisioned", true, true, 3, 3, 2, 2, null));
        status.IsReady().Should().BeTrue();
        status.IsReady(workers: 3).Should().BeFalse("only two workers are ready");
    }

    [Fact]
    public void A_v1beta2_cluster_still_scaling_names_its_failing_condition()
    {
        var status = ClusterStatusReader.Read(Cluster("v1beta2", """
            {"phase":"Provisioned","initialization":{"infrastructureProvisioned":true,"controlPlaneInitialized":true},
             "controlPlane":{"desiredReplicas":3,"readyReplicas":1},
             "conditions":[{"type":"ScalingUp","status":"True","reason":"ScalingUp","message":"Scaling up from 1 to 3","lastTransitionTime":"2026-11-24T03:00:00Z"},
                           {"type":"WorkersAvailable","status":"False","reason":"NotAvailable","message":"0 of 2 available","lastTransitionTime":"2026-11-24T03:00:00Z"},
                           {"type":"Available","status":"False","reason":"NotAvailable","message":"ControlPlaneAvailable: 1 of 3 ready","lastTransitionTime":"2026-11-24T03:00:00Z"}]}
            """));

        status.IsReady().Should().BeFalse();
        status.FailingCondition.Should().Be(new ClusterCondition("Available", "False", "NotAvailable", "ControlPlaneAvailable: 1 of 3 ready"));
    }

    [Fact]
    public void A_v1beta1_cluster_is_read_from_its_flags_and_the_v1beta2_counts()
    {
        var status = ClusterStatusReader.Read(Cluster("v1beta1", """
            {"phase":"Provisioned","infrastructureReady":true,"controlPlaneReady":true,
             "v1beta2":{"controlPlane":{"desiredReplicas":1,"readyReplicas":1},"workers":{"desiredReplicas":2,"readyReplicas":2}}}
            """));

        status.IsReady().Should().BeTrue();
    }

    [Fact]
    public void A_failed_v1beta1_cluster_reports_its_failure()
    {
        var status = ClusterStatusReader.Read(Cluster("v1beta1", """
            {"phase":"Failed","failureReason":"InvalidConfiguration","failureMessage":"VPC quota exceeded",
             "conditions":[{"type":"Ready","status":"False","reason":"WaitingForInfrastructure","lastTransitionTime":"2026-11-24T03:00:00Z"}]}
            """));

        status.IsFailed.Should().BeTrue();
        status.FailingCondition!.ToString().Should().Be("Failure=True (InvalidConfiguration): VPC quota exceeded");
    }

    [Fact]
    public void A_new_cluster_without_status_is_pending()
    {
        var status = ClusterStatusReader.Read(KubeObject.Parse("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"x"}}"""));

        status.Phase.Should().Be("Pending");
        status.IsReady().Should().BeFalse();
        status.FailingCondition.Should().BeNull();
    }
}
