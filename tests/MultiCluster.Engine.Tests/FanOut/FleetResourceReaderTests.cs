using System.Collections.Specialized;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Resources;

namespace MultiCluster.Engine.Tests.FanOut;

public class FleetResourceReaderTests
{
    [Fact]
    public async Task Reads_a_named_object_across_clusters_and_reports_where_it_is_missing()
    {
        var fleet = new FakeFleet("a", "b");
        fleet["a"].Seed("/apis/apps/v1/namespaces/team/deployments/web",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team","labels":{"app":"web"}},"spec":{"replicas":2}}""");
        var service = new FleetResourceReader(fleet, fleet.ApiFactory);

        var outcomes = await service.GetAsync(fleet.Clusters, new ResourceQuery { Kind = "deployment", Name = "web" }, new FanOutOptions()).ToListAsync();

        var found = outcomes.Single(o => o.Cluster == "a").Value!;
        found.Should().BeEquivalentTo(new { Cluster = "a", ApiVersion = "apps/v1", Kind = "Deployment", Namespace = "team", Name = "web" });
        found.Labels.Should().Contain("app", "web");
        ((OrderedDictionary)found.Object["spec"]!)["replicas"].Should().Be(2L);
        ((OrderedDictionary)found.Object["metadata"]!).Contains("managedFields").Should().BeFalse();
        found.ToYaml().Should().StartWith("apiVersion: apps/v1\nkind: Deployment\n");
        found.Age.Should().EndWith("d");
        outcomes.Single(o => o.Cluster == "b").Error!.ErrorId.Should().Be(FleetErrorIds.ResourceNotFound);
    }

    [Fact]
    public async Task Lists_by_selector_in_all_namespaces()
    {
        var fleet = new FakeFleet("a");
        fleet["a"].Seed("/api/v1/namespaces/x/configmaps/one", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one","namespace":"x","labels":{"app":"web"}}}""");
        fleet["a"].Seed("/api/v1/namespaces/y/configmaps/two", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two","namespace":"y","labels":{"app":"web"}}}""");
        fleet["a"].Seed("/api/v1/namespaces/y/configmaps/other", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other","namespace":"y"}}""");
        var service = new FleetResourceReader(fleet, fleet.ApiFactory);

        var outcomes = await service.GetAsync(fleet.Clusters,
            new ResourceQuery { ApiVersion = "v1", Kind = "ConfigMap", AllNamespaces = true, LabelSelector = "app=web" }, new FanOutOptions()).ToListAsync();

        outcomes.Select(o => $"{o.Value!.Namespace}/{o.Value.Name}:{o.Value.Kind}").Should().Equal("x/one:ConfigMap", "y/two:ConfigMap");
    }

    [Fact]
    public async Task A_failing_cluster_yields_one_error_outcome()
    {
        var fleet = new FakeFleet("a");
        fleet["a"].ReadsFail = true;
        var service = new FleetResourceReader(fleet, fleet.ApiFactory);

        var outcome = (await service.GetAsync(fleet.Clusters, new ResourceQuery { ApiVersion = "v1", Kind = "ConfigMap" }, new FanOutOptions()).ToListAsync()).Single();

        outcome.Value.Should().BeNull();
        outcome.Error!.ErrorId.Should().Be(FleetErrorIds.ServerError);
        outcome.Error.Message.Should().Contain("etcd is down");
    }
}
