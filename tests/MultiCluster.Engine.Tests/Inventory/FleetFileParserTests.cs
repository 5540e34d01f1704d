using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Tests.Connections;

namespace MultiCluster.Engine.Tests.Inventory;

public class FleetFileParserTests
{
    private const string DesignExample = """
        name: prod
        clusters:
          - name: prod-use1-01
            context: arn:aws:eks:us-east-1:111122223333:cluster/prod-use1-01
            region: us-east-1
            role: workload
            labels: { env: prod, tier: gold }
            network: { podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/12, clusterId: 1, meshNetwork: net1 }
            drPeer: dr-usw2-01
            provider: eks
          - name: dr-usw2-01
            region: us-west-2
            role: dr
            kubeconfig: kube/dr.yaml
        """;

    [Fact]
    public void Parses_the_design_example()
    {
        var fleet = FleetFileParser.Parse(DesignExample, baseDirectory: "/fleets");

        fleet.Name.Should().Be("prod");
        fleet.SourcePath.Should().Be("<content>");
        fleet.Clusters.Should().HaveCount(2);
        var first = fleet.Clusters[0];
        first.Name.Should().Be("prod-use1-01");
        first.Context.Should().Be("arn:aws:eks:us-east-1:111122223333:cluster/prod-use1-01");
        first.Region.Should().Be("us-east-1");
        first.Role.Should().Be(FleetClusterRole.Workload);
        first.Labels.Should().Equal(new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "gold" });
        first.Network.PodCidr.Should().Be("10.244.0.0/16");
        first.Network.ServiceCidr.Should().Be("10.96.0.0/12");
        first.Network.ClusterId.Should().Be(1);
        first.Network.MeshNetwork.Should().Be("net1");
        first.DrPeer.Should().Be("dr-usw2-01");
        first.Provider.Should().Be("eks");
        first.Fleet.Should().Be("prod");
        first.Kubeconfig.Should().BeNull();

        var dr = fleet.Clusters[1];
        dr.Context.Should().Be("dr-usw2-01", "the context defaults to the name");
        dr.Role.Should().Be(FleetClusterRole.Dr);
        dr.Kubeconfig.Should().Be(Path.GetFullPath("/fleets/kube/dr.yaml"));
    }

    [Fact]
    public void Load_resolves_relative_kubeconfig_paths_against_the_fleet_files_folder_and_names_the_fleet_after_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("sub/edge.yaml", """
            clusters:
              - name: edge-1
                kubeconfig: ../configs/edge.kubeconfig
            """);

        var fleet = FleetFileParser.Load(path);

        fleet.Name.Should().Be("edge");
        fleet.SourcePath.Should().Be(path);
        fleet.Clusters.Single().Kubeconfig.Should().Be(Path.Combine(dir.Path, "configs", "edge.kubeconfig"));
    }

    [Fact]
    public void Parses_the_reference_architecture_layout()
    {
        var fleet = FleetFileParser.Parse("""
            architecture:
              regions:
                - name: eu-central-1
                  clusters:
                    - name: prod-euc1
                      purpose: production
                      size: "120"
                      k8s_version: "1.31"
                    - name: mgmt-euc1
                      purpose: management
                - name: eu-west-1
                  clusters:
                    - name: dr-euw1
                      purpose: Disaster Recovery
                      k8s_version: "1.30"
                    - name: dr2-euw1
                      purpose: dr
              management:
                cluster: mgmt-euc1
                tools: [argocd, velero]
            """);

        fleet.Clusters.Select(c => (c.Name, c.Region, c.Role)).Should().Equal(
            ("prod-euc1", "eu-central-1", FleetClusterRole.Workload),
            ("mgmt-euc1", "eu-central-1", FleetClusterRole.Management),
            ("dr-euw1", "eu-west-1", FleetClusterRole.Dr),
            ("dr2-euw1", "eu-west-1", FleetClusterRole.Dr));
        var prod = fleet.Clusters[0];
        prod.Purpose.Should().Be("production");
        prod.Size.Should().Be("120");
        prod.KubernetesVersion.Should().Be("1.31");
        prod.Context.Should().Be("prod-euc1");
    }

    [Fact]
    public void A_management_cluster_missing_from_the_regions_is_added_with_role_management()
    {
        var fleet = FleetFileParser.Parse("""
            architecture:
              regions:
                - name: r1
                  clusters: [ { name: a } ]
              management: { cluster: hub, region: r0 }
            """);

        fleet.Clusters.Should().ContainSingle(c => c.Name == "hub" && c.Role == FleetClusterRole.Management && c.Region == "r0");
    }

    [Theory]
    [InlineData("clusters:\n  - name: a\n    role: boss\n", 3, 11, "unknown role 'boss'")]
    [InlineData("clusters:\n  - name: a\n  - name: A\n", 3, 11, "duplicate cluster name 'A' (first defined at line 2)")]
    [InlineData("clusters:\n  - context: a\n", 2, 5, "a cluster needs a 'name'")]
    [InlineData("clusters:\n  - name: ''\n", 2, 11, "must not be empty")]
    [InlineData("clusters:\n  - name: a\n    labels: { 'bad key!': x }\n", 3, 15, "invalid label key 'bad key!'")]
    [InlineData("clusters:\n  - name: a\n    labels: { env: 'not valid' }\n", 3, 20, "invalid value 'not valid' of label 'env'")]
    [InlineData("clusters:\n  - name: a\n    network: { clusterId: one }\n", 3, 27, "'clusterId' of cluster 'a' must be an integer, not 'one'")]
    [InlineData("clusters:\n  - name: a\n    network: { podCidr: 10.0.0.0 }\n", 3, 25, "is not a CIDR")]
    [InlineData("clusters:\n  - name: a\n    regoin: eu\n", 3, 5, "unknown key 'regoin' in cluster 'a'. Did you mean 'region'?")]
    [InlineData("clusters:\n  - name: a\n    network: { podCIDR: 10.0.0.0/8 }\n", 3, 16, "Did you mean 'podCidr'?")]
    [InlineData("clusters: [ { name: a }\n", 2, 1, "not valid YAML")]
    [InlineData("clusters: {}\n", 1, 11, "'clusters' must be a list")]
    [InlineData("name: x\n", 1, 1, "expected a 'clusters:' list or an 'architecture:' section")]
    [InlineData("architecture:\n  regions:\n    - name: r\n      clusters: [ { name: a, purpose: x, szie: 3 } ]\n", 4, 42, "Did you mean 'size'?")]
    public void Bad_input_names_the_file_line_column_and_what_is_wrong(string yaml, int line, int column, string what)
    {
        var act = () => FleetFileParser.Parse(yaml);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.FleetFileInvalid);
        error.Target.Should().Be("<content>");
        error.Message.Should().StartWith($"Fleet file <content>, line {line}, column {column}: ");
        error.Message.Should().Contain(what);
    }

    [Fact]
    public void Syntax_errors_are_parser_errors_and_semantic_errors_invalid_data()
    {
        var syntax = () => FleetFileParser.Parse("clusters: [ { name: a }\n");
        var semantic = () => FleetFileParser.Parse("clusters:\n  - name: a\n    role: boss\n");

        syntax.Should().Throw<FleetInputException>().Which.Category.Should().Be(FleetErrorCategory.ParserError);
        semantic.Should().Throw<FleetInputException>().Which.Category.Should().Be(FleetErrorCategory.InvalidData);
    }

    [Fact]
    public void Errors_in_a_file_name_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("fleet.yaml", "clusters:\n  - name: a\n    role: boss\n");

        var act = () => FleetFileParser.Load(path);

        act.Should().Throw<FleetInputException>().WithMessage($"Fleet file {path}, line 3, column 11: unknown role 'boss'*");
    }

    [Fact]
    public void A_missing_file_is_object_not_found()
    {
        var act = () => FleetFileParser.Load("/nonexistent/fleet.yaml");

        act.Should().Throw<FleetInputException>().Which.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void An_unknown_top_level_key_is_an_error_at_its_line_with_a_suggestion()
    {
        var act = () => FleetFileParser.Parse("nmae: x\nclusters: [ { name: a } ]\n");

        act.Should().Throw<FleetInputException>().Which.Message.Should().Be(
            "Fleet file <content>, line 1, column 1: unknown top-level key 'nmae'. Did you mean 'name'?");
    }
}
