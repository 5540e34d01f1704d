using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ClusterKubeconfigReaderTests
{
    private const string Kubeconfig = "apiVersion: v1\nkind: Config\nusers:\n- name: dev-01-admin\n  user:\n    client-key-data: U0VDUkVULUtFWQ==\n";

    [Fact]
    public async Task The_kubeconfig_secret_is_decoded()
    {
        await using var management = await ManagementCluster.StartBareAsync("mgmt-kc");
        management.CreateNamespace("clusters");
        management.Emulator.CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "dev-01-kubeconfig", ["namespace"] = "clusters" },
            ["type"] = "cluster.x-k8s.io/secret",
            ["data"] = new JsonObject { ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Kubeconfig)) },
        });

        var text = await new ClusterKubeconfigReader(management.Connector).ReadAsync(management.Cluster, "clusters", "dev-01");

        text.Should().Be(Kubeconfig);
    }

    [Fact]
    public async Task A_missing_secret_means_the_cluster_is_not_ready_yet()
    {
        await using var management = await ManagementCluster.StartBareAsync("mgmt-kc2");

        var act = () => new ClusterKubeconfigReader(management.Connector).ReadAsync(management.Cluster, "default", "dev-02");

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterNotReady);
        error.Message.Should().Contain("default/dev-02-kubeconfig does not exist");
        error.RecommendedAction.Should().Contain("Wait-FleetCluster dev-02");
    }
}
