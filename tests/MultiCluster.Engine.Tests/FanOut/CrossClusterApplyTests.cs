using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.FanOut;

/// <summary>
/// Objects read from one cluster applied to another, and bindings whose roleRef changes, against
/// emulated API servers that refuse what a real one refuses.
/// </summary>
public sealed class CrossClusterApplyTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(2, "cross");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private FleetCluster Source => _connector.Clusters[0];
    private FleetCluster Target => _connector.Clusters[1];

    private async Task<List<FleetResourceResult>> Apply(FleetCluster cluster, IReadOnlyList<KubeObject> objects, ApplyOptions? options = null)
    {
        var service = new ApplyService(_connector);
        return await service.ApplyAsync(service.Plan([cluster], objects), options ?? new ApplyOptions()).ToListAsync();
    }

    private static KubeObject ConfigMap(string mode) => new(new JsonObject
    {
        ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "settings", ["namespace"] = "default" },
        ["data"] = new JsonObject { ["mode"] = mode },
    });

    private static KubeObject Binding(string role) => new(new JsonObject
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "RoleBinding",
        ["metadata"] = new JsonObject { ["name"] = "readers", ["namespace"] = "default" },
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = "alice" }),
    });

    [Fact]
    public async Task An_object_read_from_one_cluster_applies_to_another_without_its_server_owned_metadata()
    {
        (await Apply(Source, [ConfigMap("blue")])).Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
        (await Apply(Target, [ConfigMap("green")])).Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
        var read = (await new FleetResourceReader(_connector).GetAsync([Source], new ResourceQuery { Kind = "ConfigMap", Name = "settings", Namespace = "default" },
            new FanOutOptions()).ToListAsync()).Should().ContainSingle().Subject.Value!;
        var carried = ManifestReader.ReadObjects([read.Object]).Should().ContainSingle().Subject;
        carried.Json["metadata"]!["uid"].Should().NotBeNull("the object read carries its cluster's uid");
        carried.ResourceVersion.Should().NotBeNull("and its resourceVersion, which the other cluster does not know");
        var targetUid = _fleet.Clusters[1].Store.List(_fleet.Clusters[1].Registry.Find("", "configmaps")!, "default").Items
            .Single(o => o["metadata"]!["name"]!.GetValue<string>() == "settings")["metadata"]!["uid"]!.GetValue<string>();

        var results = await Apply(Target, [carried]);

        results.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = Target.Name, Action = FleetResourceAction.Configured, Error = (FleetException?)null });
        var stored = _fleet.Clusters[1].Store.Get(_fleet.Clusters[1].Registry.Find("", "configmaps")!, "default", "settings")!;
        stored["data"]!["mode"]!.GetValue<string>().Should().Be("blue");
        stored["metadata"]!["uid"]!.GetValue<string>().Should().Be(targetUid, "the target's object stays itself");
        (await Apply(Target, [carried])).Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
    }

    [Fact]
    public async Task A_binding_whose_roleRef_changes_is_replaced_once_confirmed_and_previewed_as_WouldReplace()
    {
        (await Apply(Target, [Binding("view")])).Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
        var asked = new List<string>();

        var preview = await Apply(Target, [Binding("edit")], new ApplyOptions { WhatIf = true });
        preview.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Action = FleetResourceAction.WouldReplace,
            Message = "roleRef changes from ClusterRole view to ClusterRole edit: the binding would be deleted and recreated.",
        });

        var declined = await Apply(Target, [Binding("edit")], new ApplyOptions { ConfirmReplace = d => { asked.Add(d); return Task.FromResult(false); } });
        declined.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
        RoleOf().Should().Be("view", "a declined replacement leaves the binding alone");

        var replaced = await Apply(Target, [Binding("edit")], new ApplyOptions { ConfirmReplace = d => { asked.Add(d); return Task.FromResult(true); } });

        replaced.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Cluster = Target.Name, Kind = "RoleBinding", Name = "readers",
            Action = FleetResourceAction.Replaced,
            Message = "roleRef changed from ClusterRole view to ClusterRole edit: deleted and recreated.",
        });
        RoleOf().Should().Be("edit");
        asked.Should().HaveCount(2);
        asked.Should().AllBe($"rbac.authorization.k8s.io/v1 RoleBinding default/readers on cluster '{Target.Name}' (its roleRef changes from ClusterRole view to ClusterRole edit: delete and recreate)");
        (await Apply(Target, [Binding("edit")])).Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
    }

    private string RoleOf()
    {
        var cluster = _fleet.Clusters[1];
        return cluster.Store.Get(cluster.Registry.Find("rbac.authorization.k8s.io", "rolebindings")!, "default", "readers")!["roleRef"]!["name"]!.GetValue<string>();
    }
}
