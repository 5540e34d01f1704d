using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Traffic;

/// <summary>Set-FleetTrafficPolicy's objects: Istio's locality rules, its refusals, and the real CRDs accepting them.</summary>
public sealed class IstioTrafficPolicyTests
{
    private static readonly List<FleetCluster> Fleet =
    [
        new() { Name = "east", Region = "us-east-1" },
        new() { Name = "west", Region = "us-west-2" },
        new() { Name = "lab" },
    ];

    private static readonly List<FleetCluster> Production = Fleet.Take(2).ToList();

    private static IstioTrafficPolicy Policy(IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? distribute = null,
        IReadOnlyDictionary<string, string>? failover = null) => new()
    {
        Name = "web", Namespace = "shop", Distribute = distribute, Failover = failover,
    };

    private static readonly Dictionary<string, IReadOnlyDictionary<string, int>> EightyTwenty = new()
    {
        ["us-east-1"] = new Dictionary<string, int> { ["us-east-1"] = 80, ["us-west-2"] = 20 },
    };

    [Fact]
    public void Distribute_weights_become_a_localityLbSetting_with_every_zone_of_each_region_and_outlier_detection()
    {
        var objects = Policy(EightyTwenty).Validate(Production, Fleet).Render();

        objects.Select(o => $"{o.ApiVersion} {o.Kind} {o.Namespace}/{o.Name}").Should().Equal(
            "networking.istio.io/v1 ServiceEntry shop/web", "networking.istio.io/v1 DestinationRule shop/web");
        objects[0].Json["spec"]!.ToJsonString().Should().Be(
            """{"hosts":["web.shop.svc.cluster.local"],"location":"MESH_INTERNAL","resolution":"DNS","ports":[{"number":80,"name":"http","protocol":"HTTP"}]}""");
        objects[1].Json["spec"]!.ToJsonString().Should().Be(
            """{"host":"web.shop.svc.cluster.local","trafficPolicy":{"loadBalancer":{"simple":"ROUND_ROBIN","localityLbSetting":{"enabled":true,"distribute":[{"from":"us-east-1/*","to":{"us-east-1/*":80,"us-west-2/*":20}}]}},"outlierDetection":{"consecutive5xxErrors":5,"interval":"10s","baseEjectionTime":"30s","maxEjectionPercent":100}}}""");
    }

    [Fact]
    public void Failover_goes_region_to_region_beside_the_outlier_detection_Istio_needs_for_it()
    {
        var objects = (Policy(failover: new Dictionary<string, string> { ["us-east-1"] = "us-west-2", ["us-west-2"] = "us-east-1" })
            with { ApiVersion = "networking.istio.io/v1beta1", ConsecutiveErrors = 1 }).Validate(Production, Fleet).Render();

        objects.Should().HaveCount(2);
        objects.Select(o => o.ApiVersion).Should().AllBe("networking.istio.io/v1beta1");
        var policy = objects[1].Json["spec"]!["trafficPolicy"]!;
        policy["loadBalancer"]!["localityLbSetting"]!.ToJsonString().Should().Be(
            """{"enabled":true,"failover":[{"from":"us-east-1","to":"us-west-2"},{"from":"us-west-2","to":"us-east-1"}]}""");
        policy["outlierDetection"]!["consecutive5xxErrors"]!.GetValue<int>().Should().Be(1);
    }

    public static TheoryData<string, IstioTrafficPolicy, IReadOnlyList<FleetCluster>, string, string> BadInput() => new()
    {
        {
            "weights adding to 90", Policy(new Dictionary<string, IReadOnlyDictionary<string, int>> { ["us-east-1"] = new Dictionary<string, int> { ["us-east-1"] = 70, ["us-west-2"] = 20 } }),
            Production, TrafficPolicyErrorIds.LocalityWeightsInvalid,
            "The weights of -Distribute['us-east-1'] add up to 90, not 100 (us-east-1 = 70, us-west-2 = 20). Nothing was changed."
        },
        {
            "a failover region without a cluster", Policy(failover: new Dictionary<string, string> { ["us-east-1"] = "ap-south-1" }),
            Production, TrafficPolicyErrorIds.LocalityRegionUnknown,
            "Region 'ap-south-1' (-Failover['us-east-1']) has no cluster in the fleet (regions: us-east-1, us-west-2). Nothing was changed."
        },
        {
            "a cluster without a region", Policy(EightyTwenty), Fleet, TrafficPolicyErrorIds.ClusterRegionMissing,
            "Cluster 'lab' has no region in the fleet file, so locality load balancing cannot place its workloads. Nothing was changed."
        },
        {
            "one cluster twice", Policy(EightyTwenty), [Fleet[0], Fleet[0]], TrafficPolicyErrorIds.ClusterDuplicate,
            "Cluster 'east' is given more than once. Nothing was changed."
        },
        {
            "distribute and failover", Policy(EightyTwenty, new Dictionary<string, string> { ["us-east-1"] = "us-west-2" }), Production,
            TrafficPolicyErrorIds.LocalityPolicyConflict,
            "Give -Distribute or -Failover, not both: Istio refuses a localityLbSetting with distribute and failover together. Nothing was changed."
        },
        {
            "a zone in a failover", Policy(failover: new Dictionary<string, string> { ["us-east-1"] = "us-west-2/us-west-2a" }), Production,
            TrafficPolicyErrorIds.LocalityInvalid,
            "'us-west-2/us-west-2a' (-Failover['us-east-1']) must be a region: Istio fails over region to region, without zones or '*'. Nothing was changed."
        },
        {
            "a star before the end", Policy(new Dictionary<string, IReadOnlyDictionary<string, int>> { ["us-east-1/*/a"] = new Dictionary<string, int> { ["us-east-1"] = 100 } }), Production,
            TrafficPolicyErrorIds.LocalityInvalid,
            "'us-east-1/*/a' (-Distribute key 'us-east-1/*/a') is not a locality: region[/zone[/subzone]], with '*' only as the whole last part. Nothing was changed."
        },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_is_refused_with_its_value_and_where_it_came_from(string what, IstioTrafficPolicy policy, IReadOnlyList<FleetCluster> selected, string errorId, string message)
    {
        var act = () => policy.Validate(selected, Fleet);

        var error = act.Should().Throw<FleetInputException>(what).Which;
        error.ErrorId.Should().Be(errorId);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Message.Should().Be(message);
    }

    [RequiresSharedCrdsFact]
    public async Task Both_API_versions_are_accepted_by_an_API_server_with_Istios_CRDs_and_a_second_apply_is_Unchanged()
    {
        await using var fleet = await EmulatedFleet.StartAsync(2, "traffic");
        foreach (var cluster in fleet.Clusters) SharedCrds.LoadInto(cluster, "istio");
        var connector = new EmulatorConnector(fleet);
        var clusters = connector.Clusters.Select((c, i) => new FleetCluster { Name = c.Name, Context = c.Context, Region = i == 0 ? "us-east-1" : "us-west-2" }).ToList();
        var apply = new ApplyService(connector);
        foreach (var (name, version) in new[] { ("web", "networking.istio.io/v1"), ("api", "networking.istio.io/v1beta1") })
        {
            var objects = (Policy(EightyTwenty) with { Name = name, ApiVersion = version }).Validate(clusters, clusters).Render();
            foreach (var obj in objects) obj.Json["metadata"]!["namespace"] = "default";

            var first = await apply.ApplyAsync(apply.Plan(clusters, objects), new ApplyOptions()).ToListAsync();
            first.Should().HaveCount(4);
            first.Should().AllSatisfy(r => r.Action.Should().Be(FleetResourceAction.Created, r.Error?.Message));
            var second = await apply.ApplyAsync(apply.Plan(clusters, objects), new ApplyOptions()).ToListAsync();
            second.Select(r => r.Action).Should().HaveCount(4).And.AllBeEquivalentTo(FleetResourceAction.Unchanged);
        }
        var stored = fleet[1].Store.Get(fleet[1].Registry.Find("networking.istio.io", "destinationrules")!, "default", "web")!;
        stored["spec"]!["trafficPolicy"]!["outlierDetection"]!.ToJsonString().Should().Be("""{"consecutive5xxErrors":5,"interval":"10s","baseEjectionTime":"30s","maxEjectionPercent":100}""");
    }
}
