using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Tests.Connections;

namespace MultiCluster.Engine.Tests.Inventory;

public class FleetSessionTests
{
    [Fact]
    public async Task Clusters_added_and_removed_from_many_threads_at_once_are_none_of_them_lost()
    {
        using var session = new FleetSession(KubeconfigSource.FromContent(TestKubeconfig.Build("a", new TestKubeconfig.Entry("a"))));
        session.ImportFleetContent("name: lab\nclusters: [ { name: keep, context: a }, { name: drop, context: a } ]");
        var added = Enumerable.Range(0, 64).Select(i => new FleetCluster { Name = $"joined-{i:00}", Context = "a" }).ToList();

        // Each change reads the fleet and writes a new one: outside one lock, changes made side by side overwrite each other.
        await Task.WhenAll(added.Select(cluster => Task.Run(() => session.AddClusters([cluster])))
            .Append(Task.Run(() => session.RemoveClusters(["drop"]))));

        var fleet = session.GetFleet();
        fleet.Clusters.Should().HaveCount(65);
        fleet.Clusters.Select(c => c.Name).Should().BeEquivalentTo(added.Select(c => c.Name).Append("keep"));
        fleet.Name.Should().Be("lab", "the fleet keeps its name");
    }

    [Fact]
    public void Adding_a_cluster_replaces_the_member_of_that_name_and_removing_a_stranger_changes_nothing()
    {
        using var session = new FleetSession(KubeconfigSource.FromContent(TestKubeconfig.Build("a", new TestKubeconfig.Entry("a"), new TestKubeconfig.Entry("b"))));
        var before = session.GetFleet();

        session.RemoveClusters(["nobody"]);
        session.CurrentFleet.Should().BeNull("nothing was removed, so the kubeconfig contexts are still the fleet");

        session.AddClusters([new FleetCluster { Name = "b", Context = "a", ManagementCluster = "a" }]);
        var fleet = session.GetFleet();
        fleet.Clusters.Should().HaveCount(2);
        fleet.Clusters.Select(c => (c.Name, c.Context, c.ManagementCluster)).Should().Equal(("a", "a", null), ("b", "a", "a"));
        before.Clusters.Should().HaveCount(2);
    }
}
