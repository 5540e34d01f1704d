using System.Text.Json.Nodes;
using MultiCluster.Engine.Recovery;

namespace MultiCluster.Engine.Tests.Recovery;

public class VeleroRestoreResultsTests
{
    [Fact]
    public void A_results_Result_becomes_Veleros_lines_then_the_clusters_then_each_namespaces_in_order()
    {
        var result = JsonNode.Parse("""
            {"namespaces":{"shop":["error restoring services/shop/web: boom"],"billing":["a","b"]},"cluster":["c"],"velero":["v"]}
            """);

        VeleroRestoreResults.Lines(result).Should().Equal("Velero: v", "Cluster: c", "billing: a", "billing: b", "shop: error restoring services/shop/web: boom");
        VeleroRestoreResults.Lines(null).Should().BeEmpty();
    }

    [Fact]
    public void Describe_lists_the_first_lines_and_says_how_many_more()
    {
        var lines = Enumerable.Range(1, 13).Select(i => $"shop: error {i}").ToList();

        var text = VeleroRestoreResults.Describe("Errors", lines, 10);

        text.Should().Be("\nErrors:" + string.Concat(lines.Take(10).Select(l => "\n  " + l)) + "\n  ... and 3 more");
        VeleroRestoreResults.Describe("Warnings", [], 10).Should().BeEmpty();
        VeleroRestoreResults.Describe("Warnings", ["x: y"], 10).Should().Be("\nWarnings:\n  x: y");
    }
}
