using MultiCluster.Engine.Recovery;

namespace MultiCluster.Engine.Tests.Recovery;

public class DrPairTests
{
    private static readonly FleetCluster East = new() { Name = "east", DrPeer = "west" };
    private static readonly FleetCluster West = new() { Name = "west" };
    private static readonly FleetCluster Alone = new() { Name = "alone" };
    private static readonly FleetCluster Lab = new() { Name = "lab" };
    private static readonly FleetCluster[] Fleet = [East, West, Alone, Lab];

    private static IEnumerable<(string Primary, string? Standby)> Names(IReadOnlyList<DrPair> pairs) =>
        pairs.Select(p => (p.Primary.Name, p.Standby?.Name));

    [Fact]
    public void Each_cluster_pairs_with_its_drPeer_and_a_drPeer_is_checked_as_the_standby_not_as_a_primary()
    {
        var pairs = DrPair.Of(Fleet, Fleet, standby: null);

        pairs.Should().HaveCount(3);
        Names(pairs).Should().Equal(("east", "west"), ("alone", null), ("lab", null));
    }

    [Fact]
    public void A_standby_given_is_every_selected_clusters_standby_and_is_no_primary_itself()
    {
        var pairs = DrPair.Of([East, West, Lab], Fleet, Lab);

        pairs.Should().HaveCount(2);
        Names(pairs).Should().Equal(("east", "lab"), ("west", "lab"));
    }

    [Fact]
    public void A_drPeer_the_fleet_lacks_leaves_its_primary_without_a_standby()
    {
        var pairs = DrPair.Of([East with { DrPeer = "gone" }], Fleet, standby: null);

        pairs.Should().ContainSingle().Which.Standby.Should().BeNull();
    }
}
