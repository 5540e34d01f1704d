using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>Cilium global-service annotations on two emulated clusters.</summary>
public sealed class CiliumGlobalServicesTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private CiliumGlobalServices _services = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(2, "global");
        _connector = new EmulatorConnector(_fleet);
        _services = new CiliumGlobalServices(_connector);
        foreach (var cluster in _fleet.Clusters)
        {
            cluster.CreateObject(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Service",
                ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" },
                ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["port"] = 80, ["protocol"] = "TCP", ["targetPort"] = 80 }) },
            });
        }
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private Task<List<FleetGlobalService>> Set(FleetCluster cluster, string affinity, bool legacy, bool whatIf = false) =>
        _services.SetAsync([cluster], "default", "web", affinity, legacy, whatIf, new FanOutOptions()).ToListAsync().AsTask();

    private IReadOnlyDictionary<string, string?> Annotations(EmulatedCluster cluster) =>
        (cluster.Store.Get(cluster.Registry.Find("", "services")!, "default", "web")!["metadata"]!["annotations"] as JsonObject ?? [])
            .ToDictionary(a => a.Key, a => a.Value?.ToString());

    [Fact]
    public async Task The_current_and_the_legacy_form_read_back_as_the_same_service_and_a_second_run_is_Unchanged()
    {
        var current = await Set(_connector.Clusters[0], "local", legacy: false);
        var legacy = await Set(_connector.Clusters[1], "local", legacy: true);
        var again = await Set(_connector.Clusters[1], "local", legacy: true);

        current.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Global = true, Affinity = "local", AnnotationStyle = "Current", Action = FleetResourceAction.Configured });
        legacy.Should().ContainSingle().Which.Should().BeEquivalentTo(current[0] with { Cluster = _fleet[1].Name, AnnotationStyle = "Legacy" },
            o => o.Excluding(s => s.Message));
        again.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
        Annotations(_fleet[0]).Should().Equal(new Dictionary<string, string?> { ["service.cilium.io/global"] = "true", ["service.cilium.io/affinity"] = "local" });
        Annotations(_fleet[1]).Should().Equal(new Dictionary<string, string?> { ["io.cilium/global-service"] = "true", ["io.cilium/service-affinity"] = "local" });
    }

    [Fact]
    public async Task Switching_to_the_current_form_removes_the_legacy_keys_and_WhatIf_changes_nothing()
    {
        await Set(_connector.Clusters[0], "remote", legacy: true);
        var version = _fleet[0].Store.CurrentResourceVersion;

        var preview = await Set(_connector.Clusters[0], "none", legacy: false, whatIf: true);
        _fleet[0].Store.CurrentResourceVersion.Should().Be(version);
        var switched = await Set(_connector.Clusters[0], "none", legacy: false);

        preview.Should().ContainSingle().Which.Message.Should().Be(
            "Would set service.cilium.io/global=true, -io.cilium/global-service, -io.cilium/service-affinity");
        switched.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Global = true, Affinity = "none", AnnotationStyle = "Current", Action = FleetResourceAction.Configured });
        Annotations(_fleet[0]).Should().Equal(new Dictionary<string, string?> { ["service.cilium.io/global"] = "true" });
    }

    [Fact]
    public async Task A_cluster_without_the_service_fails_alone()
    {
        var other = await _services.SetAsync(_connector.Clusters, "default", "api", "none", false, false, new FanOutOptions()).ToListAsync();

        other.Should().HaveCount(2).And.OnlyContain(s => s.Action == FleetResourceAction.Failed && s.Error is FleetClusterException);
        other[0].Message.Should().Be($"Service default/api does not exist on cluster '{other[0].Cluster}'.");
        var bad = () => _services.SetAsync(_connector.Clusters, "default", "web", "nearest", false, false, new FanOutOptions());
        bad.Should().Throw<FleetInputException>().Which.Message.Should().Be("Affinity 'nearest' (-Affinity) is not one Cilium knows: local, remote or none.");
    }
}
