using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Tests.Inventory;

public class ClusterSelectorTests
{
    private static readonly FleetCluster[] Fleet =
    {
        new() { Name = "prod-euc1", Region = "eu-central-1", Labels = new Dictionary<string, string> { ["env"] = "prod" } },
        new() { Name = "prod-use1", Region = "us-east-1", Labels = new Dictionary<string, string> { ["env"] = "prod" } },
        new() { Name = "dev-euc1", Region = "eu-central-1", Labels = new Dictionary<string, string> { ["env"] = "dev" } },
        new() { Name = "dr-euw1", Region = "eu-west-1", Role = FleetClusterRole.Dr },
        new() { Name = "hub", Region = "eu-central-1", Role = FleetClusterRole.Management },
    };

    private static string[] Names(ClusterPlacement selection) =>
        ClusterSelector.Select(Fleet, selection).Clusters.Select(c => c.Name).ToArray();

    [Fact]
    public void An_empty_selection_is_the_whole_fleet() =>
        Names(new ClusterPlacement()).Should().HaveCount(Fleet.Length);

    [Theory]
    [InlineData("prod-*", new[] { "prod-euc1", "prod-use1" })]
    [InlineData("PROD-EUC1", new[] { "prod-euc1" })]
    [InlineData("*-euc?", new[] { "prod-euc1", "dev-euc1" })]
    [InlineData("[pd]*-euc1", new[] { "prod-euc1", "dev-euc1" })]
    [InlineData("zzz*", new string[0])]
    public void Names_match_with_powershell_wildcards_case_insensitively(string pattern, string[] expected) =>
        Names(new ClusterPlacement { Names = new[] { pattern } }).Should().Equal(expected);

    [Fact]
    public void Names_are_ored_and_other_criteria_anded()
    {
        Names(new ClusterPlacement { Names = new[] { "prod-*", "dev-*" }, Regions = new[] { "eu-*" } })
            .Should().Equal("prod-euc1", "dev-euc1");
        Names(new ClusterPlacement { LabelSelector = "env=prod", Regions = new[] { "US-EAST-1" } })
            .Should().Equal("prod-use1");
        Names(new ClusterPlacement { Roles = new[] { FleetClusterRole.Dr, FleetClusterRole.Management } })
            .Should().Equal("dr-euw1", "hub");
        Names(new ClusterPlacement { LabelSelector = "!env" }).Should().Equal("dr-euw1", "hub");
    }

    [Fact]
    public void A_literal_name_that_matches_nothing_is_a_per_name_error_with_the_closest_names()
    {
        var result = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = new[] { "prod-eu1", "hub", "nothing-like-it*" } });

        result.Clusters.Select(c => c.Name).Should().Equal("hub");
        var error = result.NotFound.Should().ContainSingle().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterNotFound);
        error.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        error.Target.Should().Be("prod-eu1");
        error.Message.Should().Be("The fleet has no cluster named 'prod-eu1'. Did you mean 'prod-euc1'?");
    }

    [Fact]
    public void An_escaped_wildcard_is_a_literal_name()
    {
        var result = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = new[] { "hub`*" } });

        result.NotFound.Should().ContainSingle().Which.Target.Should().Be("hub*");
    }

    [Theory]
    [InlineData("hub`", "hub`")]
    [InlineData("h``ub", "h`ub")]
    [InlineData("h```", "h``")]
    public void A_name_that_matches_nothing_is_named_as_PowerShell_unescapes_it(string given, string named)
    {
        var result = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = [given] });

        result.Clusters.Should().BeEmpty();
        result.NotFound.Should().ContainSingle().Which.Target.Should().Be(named);
    }

    [Fact]
    public void Plain_names_aliases_escapes_and_patterns_pick_in_fleet_order_whatever_order_they_come_in()
    {
        var fleet = Fleet.Select(c => c.Name == "hub" ? new FleetCluster { Name = "hub", Aliases = ["mgmt", "control"] } : c).ToArray();

        var result = ClusterSelector.Select(fleet, new ClusterPlacement { Names = ["MGMT", "dr-*", "prod-us`e1", "prod-euc1", "prod-euc1"] });

        result.NotFound.Should().BeEmpty();
        result.Clusters.Select(c => c.Name).Should().Equal("prod-euc1", "prod-use1", "dr-euw1", "hub");
    }

    [Fact]
    public void Selecting_a_large_fleet_by_every_clusters_name_costs_in_proportion_to_the_fleet()
    {
        // What `Get-FleetCluster | Test-FleetCluster` does: every cluster's name comes back as a name to select. Trying
        // each name against each cluster allocated over 100 MB here (a delegate per pair, a regex per name).
        var fleet = Enumerable.Range(1, 2000).Select(i => new FleetCluster { Name = $"cluster-{i:D4}", Aliases = [$"alias-{i:D4}"] }).ToArray();
        var names = fleet.Select(c => c.Name).Reverse().ToList();
        ClusterSelector.Select(fleet, new ClusterPlacement { Names = names.Take(2).ToList() });

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = ClusterSelector.Select(fleet, new ClusterPlacement { Names = names });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        result.Clusters.Should().HaveCount(2000).And.Equal(fleet);
        result.NotFound.Should().BeEmpty();
        allocated.Should().BeLessThan(4 * 1024 * 1024);
    }

    [Fact]
    public void An_invalid_selector_is_input_error() =>
        FluentActions.Invoking(() => ClusterSelector.Select(Fleet, new ClusterPlacement { LabelSelector = "env in prod" }))
            .Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.SelectorInvalid);

    [Fact]
    public void Suggestions_come_closest_first_and_only_when_near()
    {
        NameSuggestions.Closest("prod-euc2", Fleet.Select(c => c.Name)).Should().Equal("prod-euc1");
        NameSuggestions.Closest("prod-xxx1", Fleet.Select(c => c.Name)).Should().Equal("prod-euc1", "prod-use1");
        NameSuggestions.Closest("completely-different", Fleet.Select(c => c.Name)).Should().BeEmpty();
        NameSuggestions.Distance("kitten", "sitting").Should().Be(3);
    }
}
