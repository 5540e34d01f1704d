using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Resources;

namespace MultiCluster.Engine.Tests.FanOut;

public class DeleteServiceTests
{
    private const string ConfigMapPath = "/api/v1/namespaces/team/configmaps/settings";
    private const string ConfigMap = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"team","labels":{"app":"web"}}}""";

    private static readonly ResourceQuery Query = new() { ApiVersion = "v1", Kind = "ConfigMap", Name = "settings" };

    private static FakeFleet FleetWithConfigMapOn(string[] all, params string[] holders)
    {
        var fleet = new FakeFleet(all);
        foreach (var name in holders) fleet[name].Seed(ConfigMapPath, ConfigMap);
        return fleet;
    }

    [Fact]
    public async Task Refuses_a_delete_reaching_more_than_one_cluster()
    {
        var fleet = FleetWithConfigMapOn(["a", "b", "c", "d"], "a", "b");
        var service = new DeleteService(fleet, fleet.ApiFactory);

        var act = () => service.PlanAsync(fleet.Clusters, Query, new DeleteOptions());

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);
        error.Category.Should().Be(FleetErrorCategory.LimitsExceeded);
        error.Message.Should().Contain("2 clusters (a, b)");
        fleet["a"].Stored(ConfigMapPath).Should().NotBeNull();
    }

    [Fact]
    public async Task Refuses_more_than_half_the_fleet_even_within_MaxClusters()
    {
        var fleet = FleetWithConfigMapOn(["a", "b", "c"], "a", "b");
        var service = new DeleteService(fleet, fleet.ApiFactory);

        var act = () => service.PlanAsync(fleet.Clusters, Query, new DeleteOptions { MaxClusters = 5 });

        (await act.Should().ThrowAsync<FleetInputException>()).Which.Message.Should().Contain("50");
    }

    [Fact]
    public async Task Raised_MaxClusters_within_the_share_lets_it_through()
    {
        var fleet = FleetWithConfigMapOn(["a", "b", "c", "d"], "a", "b");
        var service = new DeleteService(fleet, fleet.ApiFactory);

        var raised = await service.PlanAsync(fleet.Clusters, Query, new DeleteOptions { MaxClusters = 2 });

        raised.Targets.Select(t => t.Description).Should().Equal(
            "Cluster a: delete v1 ConfigMap team/settings", "Cluster b: delete v1 ConfigMap team/settings");
        raised.KnownResults.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.NotFound);
    }

    [Fact]
    public async Task More_objects_on_one_cluster_than_MaxObjects_are_refused_until_it_is_raised()
    {
        var fleet = new FakeFleet(["a"]);
        for (var i = 0; i < 4; i++)
            fleet["a"].Seed($"/api/v1/namespaces/team/configmaps/cm-{i}", ConfigMap.Replace("settings", $"cm-{i}"));
        fleet["a"].Seed("/api/v1/namespaces/team/configmaps/other", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other","namespace":"team"}}""");
        var service = new DeleteService(fleet, fleet.ApiFactory);
        var query = new ResourceQuery { ApiVersion = "v1", Kind = "ConfigMap", Namespace = "team", LabelSelector = "app=web" };

        var refused = () => service.PlanAsync(fleet.Clusters, query, new DeleteOptions { MaxObjects = 3 });
        var error = (await refused.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);
        error.Category.Should().Be(FleetErrorCategory.LimitsExceeded);
        error.Message.Should().Contain("4 objects from cluster 'a'").And.Contain("3 object(s) allowed");

        var raised = await service.PlanAsync(fleet.Clusters, query, new DeleteOptions { MaxObjects = 4 });
        raised.Targets.Should().HaveCount(4);
        fleet["a"].Requests.Should().NotContain(r => r.StartsWith("DELETE", StringComparison.Ordinal), "planning deletes nothing");
    }

    [Fact]
    public async Task Deleting_every_object_of_a_kind_in_a_namespace_needs_an_explicit_raise()
    {
        var fleet = new FakeFleet(["a"]);
        foreach (var name in new[] { "one", "two" })
            fleet["a"].Seed($"/api/v1/namespaces/team/configmaps/{name}", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"team"}}""");
        var service = new DeleteService(fleet, fleet.ApiFactory);
        var everything = new ResourceQuery { ApiVersion = "v1", Kind = "ConfigMap", Namespace = "team" };

        var refused = () => service.PlanAsync(fleet.Clusters, everything, new DeleteOptions());
        var error = (await refused.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);
        error.Message.Should().Contain("every ConfigMap in namespace 'team' (2) on cluster 'a'");

        var allowed = await service.PlanAsync(fleet.Clusters, everything, new DeleteOptions { AllowEveryObjectOfAKind = true });
        allowed.Targets.Select(t => t.Object.Name).Should().BeEquivalentTo("one", "two");
    }

    [Fact]
    public async Task A_refusal_across_many_clusters_names_the_first_five_and_counts_the_rest_in_one_line()
    {
        var names = Enumerable.Range(1, 40).Select(i => $"c{i:D2}").ToArray();
        var fleet = new FakeFleet(names);
        foreach (var cluster in names)
            foreach (var name in new[] { "one", "two" })
                fleet[cluster].Seed($"/api/v1/namespaces/team/configmaps/{name}", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"team"}}""");
        var service = new DeleteService(fleet, fleet.ApiFactory);
        var everything = new ResourceQuery { ApiVersion = "v1", Kind = "ConfigMap", Namespace = "team" };

        var emptied = (await FluentActions.Awaiting(() => service.PlanAsync(fleet.Clusters, everything, new DeleteOptions())).Should().ThrowAsync<FleetInputException>()).Which;
        emptied.Message.Should().Be("Refusing to delete every ConfigMap in namespace 'team' (2) on 40 clusters (c01, c02, c03, c04, c05 and 35 more): that empties the kind there.");

        var tooMany = (await FluentActions.Awaiting(() => service.PlanAsync(fleet.Clusters, everything, new DeleteOptions { AllowEveryObjectOfAKind = true })).Should().ThrowAsync<FleetInputException>()).Which;
        tooMany.Message.Should().Be("Refusing to delete v1 ConfigMap in namespace 'team' from 40 clusters (c01, c02, c03, c04, c05 and 35 more): more than the 1 cluster(s) allowed.");
        fleet["c01"].Requests.Should().NotContain(r => r.StartsWith("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cluster_that_cannot_be_read_is_failed_not_absent()
    {
        var fleet = FleetWithConfigMapOn(["a", "b"], "a", "b");
        fleet["b"].ReadsFail = true;
        var service = new DeleteService(fleet, fleet.ApiFactory);

        var plan = await service.PlanAsync(fleet.Clusters, Query, new DeleteOptions());

        plan.Targets.Should().ContainSingle().Which.Cluster.Name.Should().Be("a");
        var failed = plan.KnownResults.Should().ContainSingle().Which;
        failed.Cluster.Should().Be("b");
        failed.Action.Should().Be(FleetResourceAction.Failed);
        failed.Error.Should().BeOfType<FleetClusterException>().Which.ErrorId.Should().Be(FleetErrorIds.ClusterListFailed);
        failed.Message.Should().Contain("not known whether it holds");
    }

    [Fact]
    public async Task An_unreachable_cluster_is_failed_when_deleting_by_manifest()
    {
        var fleet = FleetWithConfigMapOn(["a", "down"], "a");
        fleet["down"].Unreachable = true;
        var service = new DeleteService(fleet, fleet.ApiFactory);

        var plan = await service.PlanAsync(fleet.Clusters, ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"), new DeleteOptions());

        plan.Targets.Should().ContainSingle().Which.Cluster.Name.Should().Be("a");
        plan.KnownResults.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = "down", Action = FleetResourceAction.Failed, Name = "settings" });
    }

    [Fact]
    public async Task WhatIf_reports_WouldDelete_and_keeps_the_object()
    {
        var fleet = FleetWithConfigMapOn(["a"], "a");
        var service = new DeleteService(fleet, fleet.ApiFactory);
        var options = new DeleteOptions { WhatIf = true };
        var plan = await service.PlanAsync(fleet.Clusters, Query, options);

        var results = await service.DeleteAsync(plan.Targets, options).ToListAsync();

        results.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.WouldDelete);
        fleet["a"].Stored(ConfigMapPath).Should().NotBeNull();
        fleet["a"].Requests.Should().Contain(r => r.StartsWith("DELETE", StringComparison.Ordinal) && r.Contains("dryRun=All"));
    }

    [Fact]
    public async Task Deletes_confirmed_targets_in_the_background_and_reports_vanished_ones()
    {
        var fleet = FleetWithConfigMapOn(["a", "b"], "a", "b");
        var service = new DeleteService(fleet, fleet.ApiFactory);
        var options = new DeleteOptions { MaxClusters = 2, MaxFleetShare = 1 };
        var plan = await service.PlanAsync(fleet.Clusters, new ResourceQuery { Kind = "configmaps", LabelSelector = "app=web" }, options);
        fleet["b"].Requests.Clear();
        await service.DeleteAsync(plan.Targets.Where(t => t.Cluster.Name == "b"), options).ToListAsync();

        var results = await service.DeleteAsync(plan.Targets, options).ToListAsync();

        results.Should().BeEquivalentTo(new[]
        {
            new { Cluster = "a", Action = FleetResourceAction.Deleted },
            new { Cluster = "b", Action = FleetResourceAction.NotFound },
        });
        fleet["a"].Stored(ConfigMapPath).Should().BeNull();
        fleet["b"].Requests.Should().Contain(r => r.Contains("propagationPolicy=Background"));
    }
}
