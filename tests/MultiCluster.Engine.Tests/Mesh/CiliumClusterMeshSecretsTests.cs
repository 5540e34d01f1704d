using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>The shared CA and the cilium-clustermesh Secrets applied to three emulated clusters, as cilium clustermesh connect writes them.</summary>
public sealed class CiliumClusterMeshSecretsTests : IAsyncLifetime
{
    private const string CaMarker = "CA-PRIVATE-KEY-MARKER";
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "ciliumsec");
        _connector = new EmulatorConnector(_fleet);
        Secret(_fleet[0], "cilium-ca", new() { ["ca.crt"] = "shared CA cert", ["ca.key"] = CaMarker });
        Secret(_fleet[0], "clustermesh-apiserver-remote-cert", new() { ["ca.crt"] = "shared CA cert", ["tls.crt"] = "client cert 0", ["tls.key"] = "client key 0" });
        Secret(_fleet[1], "clustermesh-apiserver-remote-cert", new() { ["ca.crt"] = "shared CA cert", ["tls.crt"] = "client cert 1", ["tls.key"] = "client key 1" });
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static void Secret(EmulatedCluster cluster, string name, Dictionary<string, string> data) => cluster.CreateObject(new JsonObject
    {
        ["apiVersion"] = "v1", ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system" },
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(d.Value))))),
    });

    private Dictionary<string, string> Data(int cluster, string name) =>
        (_fleet[cluster].Store.Get(_fleet[cluster].Registry.Find("", "secrets")!, "kube-system", name)?["data"] as JsonObject ?? [])
        .ToDictionary(d => d.Key, d => Encoding.UTF8.GetString(Convert.FromBase64String(d.Value!.GetValue<string>())));

    private List<FleetCluster> Clusters() => _fleet.Clusters.Select((c, i) => new FleetCluster
    {
        Name = c.Name, Context = c.Name, Network = new FleetClusterNetwork { PodCidr = $"10.{i + 1}.0.0/16", ClusterId = i + 1 },
    }).ToList();

    private async Task<List<FleetResourceResult>> Apply(bool whatIf = false)
    {
        var clusters = Clusters();
        var members = await new CiliumMeshPlanner(_connector).PlanAsync(clusters, new CiliumJoinOptions());
        return await new CiliumClusterMeshSecrets(_connector).ApplyAsync(members, clusters, clusters.Select(c => c.Name).ToHashSet(), whatIf, new FanOutOptions()).ToListAsync();
    }

    private static string Describe(IEnumerable<FleetResourceResult> results) => string.Join("\n", results.Select(r => $"{r}: {r.Message}"));

    [Fact]
    public async Task Shares_the_CA_writes_each_members_peers_as_the_cilium_CLI_does_and_a_second_run_is_Unchanged()
    {
        var preview = await Apply(whatIf: true);
        preview.Select(r => $"{r.Cluster} {r.Name} {r.Action}").Should().BeEquivalentTo(
            $"{_fleet[0].Name} cilium-clustermesh WouldCreate", $"{_fleet[1].Name} cilium-ca WouldCreate", $"{_fleet[1].Name} cilium-clustermesh WouldCreate",
            $"{_fleet[2].Name} cilium-ca WouldCreate", $"{_fleet[2].Name} cilium-clustermesh WouldCreate");
        Data(2, "cilium-clustermesh").Should().BeEmpty();

        var applied = await Apply();

        applied.Should().HaveCount(5, Describe(applied));
        applied.Should().OnlyContain(r => r.Action == FleetResourceAction.Created && r.Error == null, Describe(applied));
        applied.Single(r => r.Cluster == _fleet[2].Name && r.Name == "cilium-clustermesh").Message.Should().Be($"Peers: {_fleet[0].Name}, {_fleet[1].Name}.");
        applied.Single(r => r.Cluster == _fleet[0].Name).Message.Should().Be(
            $"Peers: {_fleet[1].Name}; left out (unreachable, or no kube-system/clustermesh-apiserver-remote-cert): {_fleet[2].Name}.");
        Data(2, "cilium-ca").Should().Equal(new Dictionary<string, string> { ["ca.crt"] = "shared CA cert", ["ca.key"] = CaMarker });
        var mesh = Data(2, "cilium-clustermesh");
        var peer = _fleet[0].Name;
        mesh.Keys.Should().BeEquivalentTo(peer, $"{peer}.etcd-client-ca.crt", $"{peer}.etcd-client.crt", $"{peer}.etcd-client.key",
            _fleet[1].Name, $"{_fleet[1].Name}.etcd-client-ca.crt", $"{_fleet[1].Name}.etcd-client.crt", $"{_fleet[1].Name}.etcd-client.key");
        mesh[peer].Should().Be($"""
            endpoints:
            - https://127.0.0.1:32379
            trusted-ca-file: '/var/lib/cilium/clustermesh/{peer}.etcd-client-ca.crt'
            key-file: '/var/lib/cilium/clustermesh/{peer}.etcd-client.key'
            cert-file: '/var/lib/cilium/clustermesh/{peer}.etcd-client.crt'

            """);
        mesh[$"{peer}.etcd-client.key"].Should().Be("client key 0");
        JsonSerializer.Serialize(applied.Select(r => new { r.Cluster, r.Name, r.Message })).Should().NotContain("client key").And.NotContain(CaMarker);

        var again = await Apply();
        again.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged, Describe(again));
    }

    [Fact]
    public async Task A_member_with_another_CA_fails_alone_and_keeps_its_secrets()
    {
        Secret(_fleet[1], "cilium-ca", new() { ["ca.crt"] = "another CA", ["ca.key"] = "another key" });

        var results = await Apply();

        var failed = results.Where(r => r.Action == FleetResourceAction.Failed).Should().ContainSingle().Subject;
        failed.Cluster.Should().Be(_fleet[1].Name);
        var error = failed.Error.Should().BeOfType<FleetClusterException>().Subject;
        error.ErrorId.Should().Be(MeshErrorIds.CiliumCaMismatch);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Message.Should().Be($"kube-system/cilium-ca on '{_fleet[1].Name}' holds another CA than '{_fleet[0].Name}'; Cluster Mesh peers must share one CA. Its cilium-clustermesh Secret was not written.");
        Data(1, "cilium-clustermesh").Should().BeEmpty();
        Data(1, "cilium-ca")["ca.crt"].Should().Be("another CA");
        results.Where(r => r.Cluster != _fleet[1].Name).Should().HaveCount(3, "the first member's cilium-clustermesh, the third's cilium-ca and cilium-clustermesh")
            .And.OnlyContain(r => r.Action == FleetResourceAction.Created, Describe(results));
    }
}
