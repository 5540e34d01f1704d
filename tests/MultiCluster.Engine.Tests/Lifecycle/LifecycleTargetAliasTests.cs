using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>A lifecycle cmdlet's cluster named by an alias means the fleet's cluster, as every other selection does.</summary>
public class LifecycleTargetAliasTests
{
    private static readonly FleetCluster[] Fleet =
    [
        new() { Name = "mgmt", Role = FleetClusterRole.Management },
        new() { Name = "prod-use1-01", Aliases = ["prod-use1"], ClusterApiNamespace = "fleet-prod" },
    ];

    [Fact]
    public void An_alias_resolves_to_the_cluster_and_its_cluster_api_namespace_once()
    {
        var targets = LifecycleTarget.Resolve(Fleet, [new LifecycleRequest("prod-use1", null, null, null), new LifecycleRequest("PROD-USE1-01", null, null, null)]);

        targets.Should().ContainSingle();
        targets[0].Name.Should().Be("prod-use1-01");
        targets[0].Namespace.Should().Be("fleet-prod");
        targets[0].Management.Name.Should().Be("mgmt");
        targets[0].Known.Should().BeSameAs(Fleet[1]);
    }

    [Fact]
    public void A_name_the_fleet_does_not_know_stays_as_given()
    {
        var targets = LifecycleTarget.Resolve(Fleet, [new LifecycleRequest("new-01", null, null, null)]);

        targets.Should().ContainSingle();
        targets[0].Name.Should().Be("new-01");
        targets[0].Namespace.Should().Be("default");
        targets[0].Known.Should().BeNull();
    }
}
