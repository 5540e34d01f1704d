using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Inventory;

/// <summary>
/// Clusters known to a federation under names of their own: a fleet cluster's <c>aliases</c>
/// resolve in every placement, -Cluster and override; an alias naming two clusters is refused.
/// </summary>
public class ClusterAliasTests
{
    // Written for this test: clusters named by their context, aliased by the names KubeFed joined them under.
    private const string FleetFile = """
        name: shop
        clusters:
          - name: prod-use1-01
            aliases: [prod-use1, us-east]
            labels: { env: prod, region: use1 }
          - name: prod-euc1-01
            aliases: prod-euc1
            labels: { env: prod, region: euc1 }
          - name: dev-use1-01
            labels: { env: dev, region: use1 }
        """;

    private static IReadOnlyList<FleetCluster> Fleet => FleetFileParser.Parse(FleetFile, "shop.yaml").Clusters;

    [Fact]
    public void Aliases_are_read_as_a_list_or_a_single_value()
    {
        var fleet = Fleet;

        fleet.Should().HaveCount(3);
        fleet[0].Aliases.Should().Equal("prod-use1", "us-east");
        fleet[1].Aliases.Should().Equal("prod-euc1");
        fleet[2].Aliases.Should().BeEmpty();
    }

    [Fact]
    public void A_name_or_an_alias_picks_the_same_cluster_and_an_unknown_name_lists_the_closest()
    {
        var byAlias = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = ["prod-use1", "PROD-EUC1"] });
        var byPattern = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = ["us-*"] });
        var unknown = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = ["prod-usw2"] });
        var far = ClusterSelector.Select(Fleet, new ClusterPlacement { Names = ["staging"] });

        byAlias.Clusters.Select(c => c.Name).Should().Equal("prod-use1-01", "prod-euc1-01");
        byAlias.NotFound.Should().BeEmpty();
        byPattern.Clusters.Should().ContainSingle().Which.Name.Should().Be("prod-use1-01");
        unknown.Clusters.Should().BeEmpty();
        var error = unknown.NotFound.Should().ContainSingle().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterNotFound);
        error.Message.Should().Be("The fleet has no cluster named 'prod-usw2'. Did you mean 'prod-use1'?");
        far.NotFound.Should().ContainSingle().Which.Message.Should().StartWith("The fleet has no cluster named 'staging'. The closest names: ");
    }

    [Fact]
    public void A_KubeFed_document_placed_and_overridden_by_alias_reaches_the_fleet_cluster()
    {
        var document = ManifestReader.ReadText("""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedConfigMap
            metadata: { name: greeting, namespace: shop }
            spec:
              template: { data: { text: hello } }
              placement: { clusters: [{ name: prod-use1 }, { name: prod-euc1 }] }
              overrides:
                - clusterName: prod-euc1
                  clusterOverrides: [{ path: /data/text, value: hallo }]
            """, "greeting.yaml");

        var plan = WorkloadPlanner.Plan(document, new ClusterPlacement(), null, Fleet).Single();

        plan.Work.Should().HaveCount(2);
        plan.Work[0].Cluster.Name.Should().Be("prod-use1-01");
        plan.Work[0].Object.Json["data"]!["text"]!.GetValue<string>().Should().Be("hello");
        plan.Work[1].Cluster.Name.Should().Be("prod-euc1-01");
        plan.Work[1].Object.Json["data"]!["text"]!.GetValue<string>().Should().Be("hallo");
        plan.UnusedOverrides.Should().BeEmpty();
    }

    [Fact]
    public void A_KubeFed_clusterSelector_places_by_labels_and_a_cluster_list_wins_over_it()
    {
        const string Template = """
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedConfigMap
            metadata: { name: flags, namespace: shop }
            spec:
              template: { data: { beta: "true" } }
              placement:
                clusterSelector:
                  matchLabels: { env: prod }
                  matchExpressions: [{ key: region, operator: In, values: [use1, usw2] }]
            """;
        var withList = Template.Replace("  placement:\n", "  placement:\n    clusters: [{ name: dev-use1-01 }]\n");

        var bySelector = WorkloadPlanner.Plan(ManifestReader.ReadText(Template), new ClusterPlacement(), null, Fleet).Single();
        var byList = WorkloadPlanner.Plan(ManifestReader.ReadText(withList), new ClusterPlacement(), null, Fleet).Single();

        bySelector.PlacedClusters.Select(c => c.Name).Should().Equal("prod-use1-01");
        byList.PlacedClusters.Select(c => c.Name).Should().Equal("dev-use1-01");
    }

    [Theory]
    [InlineData("    aliases: [prod-use1]\n", 11, "the alias 'prod-use1' names two clusters, 'prod-use1-01' (line 4) and 'dev-use1-01' (line 11)")]
    [InlineData("    aliases: [prod-euc1-01]\n", 11, "the alias 'prod-euc1-01' of cluster 'dev-use1-01' is the name of cluster 'prod-euc1-01' (line 6)")]
    [InlineData("    aliases: ['dev-*']\n", 11, "the alias 'dev-*' of cluster 'dev-use1-01' holds a wildcard character")]
    public void An_alias_that_names_two_clusters_is_refused_with_file_line_and_value(string aliasLine, int line, string what)
    {
        var yaml = FleetFile + "\n" + aliasLine;

        var act = () => FleetFileParser.Parse(yaml, "shop.yaml");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.FleetFileInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Target.Should().Be("shop.yaml");
        error.Message.Should().StartWith($"Fleet file shop.yaml, line {line},").And.Contain(what);
    }
}
