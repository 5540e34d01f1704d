using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>NetworkPreflight against three emulated clusters, values from the fleet file and from the clusters.</summary>
public sealed class NetworkPreflightLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "net");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private FleetCluster Member(int index, string? podCidr = null, string? serviceCidr = null, int? clusterId = null) => new()
    {
        Name = _fleet[index].Name,
        Context = _fleet[index].Name,
        Network = new FleetClusterNetwork { PodCidr = podCidr, ServiceCidr = serviceCidr, ClusterId = clusterId },
    };

    private static string Describe(IEnumerable<FleetNetworkCheck> checks) => string.Join("\n", checks);

    [Fact]
    public async Task Finds_exactly_the_overlap_the_duplicate_id_and_the_foreign_root_and_says_where_each_value_came_from()
    {
        var (a, b, c) = (_fleet[0], _fleet[1], _fleet[2]);
        MeshSeed.KubeadmConfig(b, "10.244.128.0/17", "10.97.0.0/16");
        MeshSeed.CiliumConfig(b, "1", b.Name);
        MeshSeed.Node(c, "c-node-1", "10.30.1.0/24");
        MeshSeed.Node(c, "c-node-2", "10.30.2.0/24");
        MeshSeed.KubernetesService(c, "10.98.0.1");
        var shared = MeshSeed.NewRoot("shared-root");
        var foreign = MeshSeed.NewRoot("other-root");
        MeshSeed.IstioCaCerts(a, shared.Pem);
        MeshSeed.IstioCaCerts(b, foreign.Pem);
        MeshSeed.IstioCaCerts(c, shared.Pem);
        var members = new[] { Member(0, "10.244.0.0/16", "10.96.0.0/16", 1), Member(1), Member(2, clusterId: 3) };

        var checks = await new NetworkPreflight(_connector).TestAsync(members, new NetworkPreflightOptions());

        checks.Should().HaveCount(27, Describe(checks));
        var findings = checks.Where(f => f.Status != FleetCheckStatus.Pass).ToList();
        findings.Should().HaveCount(3, Describe(findings));
        findings[0].Should().BeEquivalentTo(new
        {
            Cluster = a.Name, Peer = b.Name, Check = "CidrOverlap", Status = FleetCheckStatus.Fail, Value = "10.244.0.0/16", Source = "fleet file",
            Message = $"The pod range 10.244.0.0/16 of {a.Name} (fleet file) overlaps the pod range of {b.Name}, 10.244.128.0/17 (kube-system/kubeadm-config).",
            RecommendedAction = "Pick another range for one of the clusters, or enable Submariner Globalnet (global CIDR 242.0.0.0/8).",
        });
        findings[1].Should().BeEquivalentTo(new
        {
            Cluster = b.Name, Peer = a.Name, Check = "ClusterId", Status = FleetCheckStatus.Fail, Value = "1", Source = "kube-system/cilium-config",
            Message = $"Cluster id 1 of {b.Name} (kube-system/cilium-config) is also the id of {a.Name} (fleet file).",
        });
        findings[2].Should().BeEquivalentTo(new
        {
            Cluster = b.Name, Peer = a.Name, Check = "RootCa", Status = FleetCheckStatus.Fail, Value = foreign.Fingerprint,
            Source = "istio-system/cacerts root-cert.pem",
        });
        findings[2].Message.Should().Contain(shared.Fingerprint);

        var ranges = checks.Where(f => f.Check is "PodCidr" or "ServiceCidr").Select(f => (f.Cluster, f.Check, f.Value, f.Source)).ToList();
        ranges.Should().Equal(
            (a.Name, "PodCidr", "10.244.0.0/16", "fleet file"),
            (a.Name, "ServiceCidr", "10.96.0.0/16", "fleet file"),
            (b.Name, "PodCidr", "10.244.128.0/17", "kube-system/kubeadm-config"),
            (b.Name, "ServiceCidr", "10.97.0.0/16", "kube-system/kubeadm-config"),
            (c.Name, "PodCidr", "10.30.1.0/24,10.30.2.0/24", "Node podCIDRs"),
            (c.Name, "ServiceCidr", "10.98.0.1/32", "default/kubernetes Service ClusterIP (the range's first address only)"));
        checks.Where(f => f.Check == "TrustDomain").Select(f => f.Value).Should().Equal("cluster.local", "cluster.local", "cluster.local");
    }

    [Fact]
    public async Task A_clean_fleet_passes_every_check()
    {
        var root = MeshSeed.NewRoot("root");
        foreach (var cluster in _fleet.Clusters) MeshSeed.IstioCaCerts(cluster, root.Pem);
        var members = new[]
        {
            Member(0, "10.1.0.0/16", "10.101.0.0/16", 1), Member(1, "10.2.0.0/16", "10.102.0.0/16", 2), Member(2, "10.3.0.0/16", "10.103.0.0/16", 3),
        };

        var checks = await new NetworkPreflight(_connector).TestAsync(members, new NetworkPreflightOptions());

        checks.Should().HaveCount(27).And.OnlyContain(f => f.Status == FleetCheckStatus.Pass, Describe(checks));
        checks.Where(f => f.Check == "RootCa").Select(f => f.Value).Should().Equal(root.Fingerprint, root.Fingerprint, root.Fingerprint);
        checks.Where(f => f.Check == "CidrOverlap").Select(f => (f.Cluster, f.Peer)).Should().Equal(
            (_fleet[0].Name, _fleet[1].Name), (_fleet[0].Name, _fleet[2].Name), (_fleet[1].Name, _fleet[2].Name));
    }

    [Fact]
    public async Task A_cluster_that_is_down_fails_reachability_and_its_fleet_file_ranges_are_still_compared()
    {
        await _fleet[2].SetFaultsAsync(new FaultSettings { Stopped = true });
        var members = new[] { Member(0, "10.1.0.0/16", "10.101.0.0/16", 1), Member(1, "10.2.0.0/16", "10.102.0.0/16", 2), Member(2, "10.1.128.0/17", "10.103.0.0/16", 3) };

        var checks = await new NetworkPreflight(_connector).TestAsync(members,
            new NetworkPreflightOptions { Provider = FleetMeshProvider.Submariner, FanOut = new FanOutOptions { TimeoutSeconds = 20 } });

        var findings = checks.Where(f => f.Status != FleetCheckStatus.Pass).ToList();
        findings.Select(f => (f.Cluster, f.Peer, f.Check)).Should().Equal(
            (_fleet[2].Name, null, "Reachability"),
            (_fleet[0].Name, _fleet[2].Name, "CidrOverlap"));
        findings[0].Message.Should().StartWith($"The API server of {_fleet[2].Name} could not be read:");
        checks.Should().NotContain(f => f.Check == "ClusterId" || f.Check == "RootCa", "Submariner needs neither");
    }
}
