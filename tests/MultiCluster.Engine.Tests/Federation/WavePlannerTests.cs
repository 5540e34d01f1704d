using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Federation;

public class WavePlannerTests
{
    private static IReadOnlyList<WorkloadPlan> Plans(ClusterPlacement placement) =>
    [
        WorkloadPlanner.Plan(WorkloadDefinition.FromTemplate(ManifestReader.ReadText(WorkloadPlannerTests.Deployment).Single(), placement), WorkloadPlannerTests.Fleet),
        WorkloadPlanner.Plan(WorkloadDefinition.FromTemplate(
            ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\n").Single(), placement), WorkloadPlannerTests.Fleet),
    ];

    [Fact]
    public void Each_placed_cluster_goes_to_the_first_wave_that_picks_it_with_every_workload()
    {
        var waves = WavePlanner.Split(Plans(ClusterPlacement.Everywhere),
            [new ClusterPlacement { LabelSelector = "env=dev" }, new ClusterPlacement { Names = ["prod-use1"] }, new ClusterPlacement { Names = ["*"] }]);

        waves.Select(w => w.ToString()).Should().Equal("Wave 1: dev-use1", "Wave 2: prod-use1", "Wave 3: prod-euc1");
        waves[0].Targets.Select(t => t.Description).Should().Equal(
            "Cluster dev-use1: publish apps/v1 Deployment shop/web", "Cluster dev-use1: publish v1 ConfigMap shop/settings");
    }

    [Fact]
    public void Waves_that_leave_out_a_placed_cluster_or_select_nothing_are_refused()
    {
        var plans = Plans(new ClusterPlacement { LabelSelector = "env=prod" });

        var missing = () => WavePlanner.Split(plans, [new ClusterPlacement { Names = ["prod-use1"] }]);
        var emptyWave = () => WavePlanner.Split(plans, [new ClusterPlacement { Names = ["prod-*"] }, new ClusterPlacement { LabelSelector = "env=dev" }]);
        var none = () => WavePlanner.Split(plans, []);

        missing.Should().Throw<FleetInputException>().WithMessage("*prod-euc1 are in no wave*").Which.ErrorId.Should().Be(FederationErrorIds.WaveInvalid);
        emptyWave.Should().Throw<FleetInputException>().WithMessage("Wave 2 (labels 'env=dev') selects no placed cluster*");
        none.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FederationErrorIds.WaveInvalid);
    }

    [Fact]
    public void Waves_read_from_names_lists_and_hashtables_select_as_they_say()
    {
        var waves = WaveReader.Read(new object?[]
        {
            "dev-*",
            new List<object?> { "prod-use1", "nothing-*" },
            new System.Collections.Hashtable { ["selector"] = "env=prod", ["Role"] = "workload" },
        });

        WavePlanner.Split(Plans(ClusterPlacement.Everywhere), waves).Select(w => w.ToString())
            .Should().Equal("Wave 1: dev-use1", "Wave 2: prod-use1", "Wave 3: prod-euc1");
        waves[2].Roles.Should().Equal(FleetClusterRole.Workload);
        WaveReader.Read(["a, b"])[0].Names.Should().Equal("a", "b");
        WaveReader.Read([new System.Collections.Hashtable { ["Region"] = new[] { "eu-*", "us-east-1" } }])[0].Regions.Should().Equal("eu-*", "us-east-1");
    }

    [Theory]
    [InlineData("unknown-key", "Wave 1 has the key 'Labels'; the keys are Cluster, Selector, Region, Role.")]
    [InlineData("empty", "Wave 1 is an empty hashtable.")]
    [InlineData("bad-role", "Wave 1 has the role 'boss'; roles are Workload, Management, Dr.")]
    [InlineData("number", "Wave 1 is a Int32; give cluster names, or a hashtable with Cluster, Selector, Region, Role.")]
    [InlineData("blank", "Wave 1 names no cluster.")]
    public void Malformed_waves_are_refused_naming_the_wave(string problem, string message)
    {
        object? wave = problem switch
        {
            "unknown-key" => new System.Collections.Hashtable { ["Labels"] = "env=prod" },
            "empty" => new System.Collections.Hashtable(),
            "bad-role" => new System.Collections.Hashtable { ["Role"] = "boss" },
            "number" => 3,
            _ => " , ",
        };

        var act = () => WaveReader.Read([wave]);

        act.Should().Throw<FleetInputException>().WithMessage(message).Which.ErrorId.Should().Be(FederationErrorIds.WaveInvalid);
    }
}
