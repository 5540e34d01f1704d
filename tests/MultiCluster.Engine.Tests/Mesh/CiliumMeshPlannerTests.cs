using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>Cilium Cluster Mesh ids, names and values over three emulated clusters.</summary>
public sealed class CiliumMeshPlannerTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "cilium");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private FleetCluster Member(int index, string podCidr, int? clusterId = null) => new()
    {
        Name = _fleet[index].Name, Context = _fleet[index].Name,
        Network = new FleetClusterNetwork { PodCidr = podCidr, ServiceCidr = $"10.{100 + index}.0.0/16", ClusterId = clusterId },
    };

    [Fact]
    public async Task Keeps_the_fleet_files_and_the_installed_ids_allocates_the_lowest_free_one_and_renders_every_peer()
    {
        MeshSeed.CiliumConfig(_fleet[1], "1", "west");
        _fleet[0].CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "clustermesh-apiserver", ["namespace"] = "kube-system" },
            ["spec"] = new JsonObject
            {
                ["type"] = "NodePort",
                ["ports"] = new JsonArray(new JsonObject { ["port"] = 2379, ["protocol"] = "TCP", ["targetPort"] = 2379, ["nodePort"] = 30379 }),
            },
        });
        var options = new CiliumJoinOptions();
        var planner = new CiliumMeshPlanner(_connector);

        var members = await planner.PlanAsync([Member(0, "10.1.0.0/16", 5), Member(1, "10.2.0.0/16"), Member(2, "10.3.0.0/16")], options);

        members.Should().HaveCount(3);
        members.Select(m => (m.Cluster, m.Name, m.NameSource, m.Id, m.IdSource)).Should().Equal(
            (_fleet[0].Name, _fleet[0].Name, "fleet cluster name", 5, "fleet file"),
            (_fleet[1].Name, "west", "kube-system/cilium-config", 1, "kube-system/cilium-config"),
            (_fleet[2].Name, _fleet[2].Name, "fleet cluster name", 2, "allocated"));
        members.Select(m => m.PeerPort).Should().Equal(30379, CiliumMeshPlanner.DefaultNodePort, CiliumMeshPlanner.DefaultNodePort);
        CiliumMeshPlanner.HelmValues(members[1], members, options).Should().Be($"""
            cluster:
              name: west
              id: 1
            clustermesh:
              apiserver:
                service:
                  type: NodePort
              config:
                clusters:
                - name: {_fleet[0].Name}
                  address: 127.0.0.1
                  port: 30379
                - name: {_fleet[2].Name}
                  address: 127.0.0.1
                  port: 32379
                domain: mesh.cilium.io
                enabled: true
              useAPIServer: true

            """);
    }

    [Fact]
    public async Task Refuses_overlapping_pod_ranges_ids_out_of_range_duplicate_ids_and_a_cluster_given_twice_naming_value_and_source()
    {
        MeshSeed.KubeadmConfig(_fleet[2], "10.1.128.0/17", "10.99.0.0/16");
        MeshSeed.CiliumConfig(_fleet[1], "1", "west");
        var planner = new CiliumMeshPlanner(_connector);
        var before = _fleet.Clusters.Select(c => c.Store.CurrentResourceVersion).ToList();
        var noPod = (int i, int? id) => Member(i, null!, id) with { Network = new FleetClusterNetwork { ClusterId = id } };

        var overlap = () => planner.PlanAsync([Member(0, "10.1.0.0/16"), noPod(2, null)], new CiliumJoinOptions());
        var outOfRange = () => planner.PlanAsync([Member(0, "10.1.0.0/16", 300)], new CiliumJoinOptions());
        var duplicate = () => planner.PlanAsync([Member(0, "10.1.0.0/16", 1), Member(1, "10.2.0.0/16")], new CiliumJoinOptions());
        var twice = () => planner.PlanAsync([Member(0, "10.1.0.0/16"), Member(0, "10.1.0.0/16")], new CiliumJoinOptions());

        (await overlap.Should().ThrowAsync<FleetInputException>()).Which.Should().BeEquivalentTo(new
        {
            ErrorId = MeshErrorIds.CidrOverlap, Target = _fleet[0].Name,
            Message = $"The pod range 10.1.0.0/16 of '{_fleet[0].Name}' (fleet file) overlaps the pod range 10.1.128.0/17 of '{_fleet[2].Name}' (kube-system/kubeadm-config); Cilium Cluster Mesh needs distinct pod ranges.",
        }, o => o.ExcludingMissingMembers());
        (await outOfRange.Should().ThrowAsync<FleetInputException>()).Which.Message.Should().Be($"Cluster id 300 of '{_fleet[0].Name}' (fleet file) is outside Cilium's range 1-255.");
        (await duplicate.Should().ThrowAsync<FleetInputException>()).Which.Should().BeEquivalentTo(new
        {
            ErrorId = MeshErrorIds.ClusterIdDuplicate, Target = _fleet[1].Name,
            Message = $"Cluster id 1 of '{_fleet[1].Name}' (kube-system/cilium-config) is also the id of '{_fleet[0].Name}' (fleet file).",
        }, o => o.ExcludingMissingMembers());
        (await twice.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(MeshErrorIds.ClusterDuplicate);
        _fleet.Clusters.Select(c => c.Store.CurrentResourceVersion).Should().Equal(before, "planning only reads");
    }

    [Fact]
    public async Task Extended_ids_allow_511_and_set_maxConnectedClusters()
    {
        var options = new CiliumJoinOptions { ExtendedClusterIds = true };
        var members = await new CiliumMeshPlanner(_connector).PlanAsync([Member(0, "10.1.0.0/16", 511)], options);

        members.Should().ContainSingle().Which.Id.Should().Be(511);
        CiliumMeshPlanner.HelmValues(members[0], members, options).Should().Contain("maxConnectedClusters: 511");
    }
    [Fact]
    public async Task Given_ids_win_over_the_fleet_file_and_never_over_an_installed_cilium()
    {
        MeshSeed.CiliumConfig(_fleet[1], "4", "west");
        var planner = new CiliumMeshPlanner(_connector);
        var given = new CiliumJoinOptions { ClusterIds = new Dictionary<string, string> { [_fleet[0].Name] = "9" } };

        var members = await planner.PlanAsync([Member(0, "10.1.0.0/16", 5), Member(1, "10.2.0.0/16")], given);

        members.Should().HaveCount(2);
        members.Select(m => (m.Id, m.IdSource)).Should().Equal((9, "-ClusterId"), (4, "kube-system/cilium-config"));
        var mismatch = () => planner.PlanAsync([Member(0, "10.1.0.0/16"), Member(1, "10.2.0.0/16")],
            new CiliumJoinOptions { ClusterIds = new Dictionary<string, string> { [_fleet[1].Name] = "6" } });
        (await mismatch.Should().ThrowAsync<FleetInputException>()).Which.Should().BeEquivalentTo(new
        {
            ErrorId = MeshErrorIds.ClusterIdMismatch, Target = _fleet[1].Name,
            Message = $"-ClusterId gives '{_fleet[1].Name}' the id 6, but its installed Cilium (kube-system/cilium-config) has 4. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
    }
}
