using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>Istio's install configuration per member, checked against the real CRDs with strict validation.</summary>
public sealed class IstioInstallRendererTests
{
    private static readonly IstioMember East = new(new FleetCluster { Name = "east" }, "network1", "-Network");

    [RequiresSharedCrdsFact]
    public async Task Every_rendered_object_is_accepted_by_an_API_server_with_Istios_CRDs()
    {
        await using var fleet = await EmulatedFleet.StartAsync(1, "istio-crds");
        SharedCrds.LoadInto(fleet[0], "istio", "istio-legacy-1.23");
        var connector = new EmulatorConnector(fleet);
        var resources = ClusterResources.For(connector.Connect(connector.Clusters[0]), null);
        var objects = IstioInstallRenderer.Objects(East, "mesh1", IstioConfigFormat.IstioOperator);

        objects.Select(o => $"{o.Kind}/{o.Name}").Should().Equal("Namespace/istio-system", "IstioOperator/istio-controlplane", "IstioOperator/eastwest", "Gateway/cross-network-gateway");
        foreach (var obj in objects)
        {
            var type = await resources.Discovery.ResolveAsync(obj.ApiVersion, obj.Kind, default);
            var applied = await resources.Client.ApplyAsync(type, obj, forceConflicts: false, dryRun: false, default);
            applied.Created.Should().BeTrue(obj.Reference);
            if (obj.Json["spec"] is null) continue;
            applied.Object.Json["spec"]?.ToJsonString().Should().Be(obj.Json["spec"]?.ToJsonString(), $"nothing of {obj.Reference} was pruned");
        }
    }

    [Fact]
    public void The_cross_network_gateway_and_the_control_plane_values_are_Istios()
    {
        var objects = IstioInstallRenderer.Objects(East, "mesh1", IstioConfigFormat.IstioOperator);

        objects[0].Labels.Should().Equal(new Dictionary<string, string> { ["topology.istio.io/network"] = "network1" });
        objects[1].ToYaml().Should().Be("""
            apiVersion: install.istio.io/v1alpha1
            kind: IstioOperator
            metadata:
              name: istio-controlplane
              namespace: istio-system
            spec:
              values:
                global:
                  meshID: mesh1
                  multiCluster:
                    clusterName: east
                  network: network1

            """);
        objects[3].ToYaml().Should().Be("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: cross-network-gateway
              namespace: istio-system
            spec:
              selector:
                istio: eastwestgateway
              servers:
              - hosts:
                - '*.local'
                port:
                  name: tls
                  number: 15443
                  protocol: TLS
                tls:
                  mode: AUTO_PASSTHROUGH

            """);
    }

    [Fact]
    public void Helm_values_carry_the_same_settings_and_a_member_without_a_network_gets_no_east_west_gateway()
    {
        var values = IstioInstallRenderer.HelmValues(East, "mesh1");
        values.Select(v => v.Name).Should().Equal("istiod", "istio-eastwestgateway");
        values[0].Yaml.Should().Be("global:\n  meshID: mesh1\n  multiCluster:\n    clusterName: east\n  network: network1\n");
        values[1].Yaml.Should().Be("name: istio-eastwestgateway\nnetworkGateway: network1\n");

        var flat = new IstioMember(new FleetCluster { Name = "west" }, null, null);
        IstioInstallRenderer.Objects(flat, "mesh1", IstioConfigFormat.Helm).Select(o => o.Kind).Should().Equal("Namespace");
        IstioInstallRenderer.HelmValues(flat, "mesh1").Select(v => v.Name).Should().Equal("istiod");
    }
}
