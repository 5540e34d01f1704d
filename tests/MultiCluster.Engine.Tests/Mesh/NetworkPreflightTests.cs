using MultiCluster.Engine.Mesh;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>The checks of NetworkPreflight on facts alone.</summary>
public sealed class NetworkPreflightTests
{
    private static ClusterNetworkFacts Facts(string name, int? id = null, string? network = null, string? ciliumName = null) =>
        ClusterNetworkReader.FromFleetFile(new FleetCluster
        {
            Name = name,
            Network = new FleetClusterNetwork { PodCidr = "10.0.0.0/16", ServiceCidr = "10.100.0.0/16", ClusterId = id, MeshNetwork = network },
        }) with { Server = new Uri("https://127.0.0.1:6443"), CiliumClusterName = new(ciliumName ?? name, "fleet cluster name") };

    [Theory]
    [InlineData(0, false, FleetCheckStatus.Fail)]
    [InlineData(255, false, FleetCheckStatus.Pass)]
    [InlineData(256, false, FleetCheckStatus.Fail)]
    [InlineData(511, true, FleetCheckStatus.Pass)]
    [InlineData(512, true, FleetCheckStatus.Fail)]
    public void Cluster_ids_must_be_within_Ciliums_range(int id, bool extended, FleetCheckStatus expected)
    {
        var checks = NetworkPreflight.Evaluate([Facts("one", id)], new NetworkPreflightOptions { Provider = FleetMeshProvider.Cilium, ExtendedClusterIds = extended });

        var check = checks.Single(c => c.Check == "ClusterId");
        check.Status.Should().Be(expected);
        if (expected == FleetCheckStatus.Fail)
            check.Message.Should().Be($"Cluster id {id} of one (fleet file) is outside Cilium's range 1-{(extended ? 511 : 255)}.");
    }

    [Theory]
    [InlineData("Prod-1", "must be lower-case letters, digits and '-', starting and ending with a letter or digit")]
    [InlineData("a-cluster-name-that-is-far-too-long", "is 35 characters long; Cilium allows 32")]
    [InlineData("default", "is Cilium's default name, which Cluster Mesh refuses for a cluster with an id")]
    public void Cilium_names_it_refuses_fail(string name, string problem)
    {
        var checks = NetworkPreflight.Evaluate([Facts("one", 1, ciliumName: name)], new NetworkPreflightOptions { Provider = FleetMeshProvider.Cilium });

        var check = checks.Single(c => c.Check == "ClusterName");
        check.Should().BeEquivalentTo(new { Status = FleetCheckStatus.Fail, Value = name, Message = $"Cilium cluster name '{name}' (fleet cluster name) {problem}." });
    }

    [Fact]
    public void An_invalid_network_name_fails_and_a_member_without_one_among_named_ones_warns()
    {
        var checks = NetworkPreflight.Evaluate([Facts("one", network: "net 1"), Facts("two", network: "net2"), Facts("three")],
            new NetworkPreflightOptions { Provider = FleetMeshProvider.Istio });

        checks.Where(c => c.Check == "MeshNetwork").Select(c => (c.Cluster, c.Status)).Should().Equal(
            ("one", FleetCheckStatus.Fail), ("two", FleetCheckStatus.Pass), ("three", FleetCheckStatus.Warn));
    }

    [Fact]
    public void A_pod_range_that_overlaps_the_clusters_own_service_range_fails()
    {
        var facts = ClusterNetworkReader.FromFleetFile(new FleetCluster
        {
            Name = "one", Network = new FleetClusterNetwork { PodCidr = "10.0.0.0/8", ServiceCidr = "10.96.0.0/12" },
        }) with { Server = new Uri("https://10.0.0.1:6443") };

        var checks = NetworkPreflight.Evaluate([facts], new NetworkPreflightOptions { Provider = FleetMeshProvider.Submariner });

        checks.Where(c => c.Status != FleetCheckStatus.Pass).Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Check = "CidrOverlap", Peer = (string?)null,
            Message = "The pod range 10.0.0.0/8 of one (fleet file) overlaps its service range 10.96.0.0/12 (fleet file).",
        });
    }
}
