using MultiCluster.Engine.Inventory;
using static MultiCluster.Engine.Inventory.ArchitectureAnalyzer;

namespace MultiCluster.Engine.Tests.Inventory;

public class ArchitectureAnalyzerTests
{
    private static readonly Dictionary<string, string> Prod = new() { ["env"] = "prod" };

    private static FleetCluster Cluster(string name, string? region = "r1", FleetClusterRole role = FleetClusterRole.Workload,
        IReadOnlyDictionary<string, string>? labels = null, string? drPeer = null, string? size = null, string? version = null,
        FleetClusterNetwork? network = null, string? purpose = null) => new()
    {
        Name = name, Region = region, Role = role, Labels = labels ?? new Dictionary<string, string>(), DrPeer = drPeer,
        Size = size, KubernetesVersion = version, Network = network ?? new FleetClusterNetwork(), Purpose = purpose,
    };

    private static IReadOnlyList<FleetArchitectureFinding> Analyze(params FleetCluster[] clusters) =>
        ArchitectureAnalyzer.Analyze(new Fleet { Name = "f", Clusters = clusters }, SupportedDay);

    // A day on which 1.29 to 1.32 were all under upstream support, so the fleets below are judged by their own skew.
    internal static readonly DateOnly SupportedDay = new(2025, 1, 15);

    /// <summary>A fleet that passes every rule; each test breaks one thing.</summary>
    private static FleetCluster[] WellBuilt() => new[]
    {
        Cluster("hub", "eu-central-1", FleetClusterRole.Management),
        Cluster("prod-euc1", "eu-central-1", labels: Prod, drPeer: "dr-euw1", size: "200", version: "1.31",
            network: new FleetClusterNetwork { PodCidr = "10.1.0.0/16", ServiceCidr = "10.101.0.0/16", ClusterId = 1 }),
        Cluster("dr-euw1", "eu-west-1", FleetClusterRole.Dr, size: "200", version: "1.30",
            network: new FleetClusterNetwork { PodCidr = "10.2.0.0/16", ServiceCidr = "10.102.0.0/16", ClusterId = 2 }),
    };

    [Fact]
    public void A_well_built_fleet_has_no_findings() => Analyze(WellBuilt()).Should().BeEmpty();

    [Fact]
    public void One_region_is_a_warning_on_the_fleet()
    {
        var finding = Analyze(Cluster("a", "r1", FleetClusterRole.Management), Cluster("b", "r1")).Should().ContainSingle().Which;

        finding.RuleId.Should().Be(Rules.GeographicDistribution);
        finding.Severity.Should().Be(FleetFindingSeverity.Warning);
        finding.Target.Should().Be("f");
        finding.Message.Should().Contain("one region (r1)");
        finding.Advice.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void Production_needs_a_dr_peer_in_another_region()
    {
        var clusters = WellBuilt();
        clusters[1] = Cluster("prod-euc1", "eu-central-1", labels: Prod);
        clusters[2] = Cluster("other-euw1", "eu-west-1");

        Analyze(clusters).Should().ContainSingle(f => f.RuleId == Rules.DrPeerMissing && f.Target == "prod-euc1" && f.Severity == FleetFindingSeverity.Warning);
    }

    [Fact]
    public void A_dr_cluster_in_another_region_counts_as_the_peer_in_the_reference_layout()
    {
        var clusters = WellBuilt();
        clusters[1] = Cluster("prod-euc1", "eu-central-1", purpose: "production");

        Analyze(clusters).Should().BeEmpty();
    }

    [Fact]
    public void A_peer_in_the_same_region_or_an_unknown_peer_is_an_error()
    {
        var clusters = WellBuilt().Append(Cluster("prod2", "eu-central-1", labels: Prod, drPeer: "hub")).Append(Cluster("prod3", "eu-west-1", drPeer: "dr-euw2")).ToArray();

        var findings = Analyze(clusters);

        findings.Should().ContainSingle(f => f.RuleId == Rules.DrPeerSameRegion && f.Target == "prod2" && f.Severity == FleetFindingSeverity.Error);
        findings.Should().ContainSingle(f => f.RuleId == Rules.DrPeerUnknown && f.Target == "prod3")
            .Which.Message.Should().Contain("Did you mean 'dr-euw1'?");
    }

    [Fact]
    public void A_missing_management_cluster_is_a_warning()
    {
        Analyze(WellBuilt().Skip(1).ToArray()).Should().ContainSingle(f => f.RuleId == Rules.ManagementClusterMissing && f.Target == "f");
    }

    [Theory]
    [InlineData("5001", "ClusterTooLarge", FleetFindingSeverity.Error, "5,001 nodes, above Kubernetes' limit of 5,000")]
    [InlineData("2000 nodes", "ClusterPodCapacity", FleetFindingSeverity.Warning, "220,000 pods, above the 150,000 pods")]
    [InlineData("large", "ClusterSizeUnknown", FleetFindingSeverity.Info, "not a node count")]
    public void Sizes_are_checked_against_kubernetes_limits(string size, string rule, FleetFindingSeverity severity, string text)
    {
        var clusters = WellBuilt();
        clusters[2] = Cluster("dr-euw1", "eu-west-1", FleetClusterRole.Dr, size: size);

        var finding = Analyze(clusters).Should().ContainSingle().Which;
        finding.RuleId.Should().Be(rule);
        finding.Severity.Should().Be(severity);
        finding.Target.Should().Be("dr-euw1");
        finding.Message.Should().Contain(text);
    }

    [Fact]
    public void Cluster_ids_must_be_unique_and_in_range_and_names_unique()
    {
        var findings = Analyze(WellBuilt()
            .Append(Cluster("m1", "eu-west-1", network: new FleetClusterNetwork { ClusterId = 1 }))
            .Append(Cluster("m2", "eu-west-1", network: new FleetClusterNetwork { ClusterId = 256 }))
            .Append(Cluster("HUB", "eu-west-1"))
            .ToArray());

        findings.Should().ContainSingle(f => f.RuleId == Rules.DuplicateClusterId).Which.Target.Should().Be("prod-euc1, m1");
        findings.Should().ContainSingle(f => f.RuleId == Rules.ClusterIdOutOfRange).Which.Target.Should().Be("m2");
        findings.Should().ContainSingle(f => f.RuleId == Rules.DuplicateClusterName).Which.Target.Should().Be("hub");
    }

    [Theory]
    [InlineData("1.29", "KubernetesVersionSkew", FleetFindingSeverity.Warning)]
    [InlineData("v1.28.5", "KubernetesVersionUnsupported", FleetFindingSeverity.Error)]
    [InlineData("latest", "KubernetesVersionInvalid", FleetFindingSeverity.Warning)]
    public void Versions_stay_within_the_supported_skew(string version, string rule, FleetFindingSeverity severity)
    {
        var clusters = WellBuilt();
        clusters[2] = Cluster("dr-euw1", "eu-west-1", FleetClusterRole.Dr, version: version);

        var finding = Analyze(clusters).Should().ContainSingle().Which;
        finding.RuleId.Should().Be(rule);
        finding.Severity.Should().Be(severity);
        finding.Target.Should().Be("dr-euw1");
    }

    [Fact]
    public void Overlapping_cidrs_of_meshed_clusters_are_errors_naming_both()
    {
        var clusters = WellBuilt();
        clusters[2] = Cluster("dr-euw1", "eu-west-1", FleetClusterRole.Dr,
            network: new FleetClusterNetwork { PodCidr = "10.1.128.0/17", ServiceCidr = "10.200.0.0/16", MeshNetwork = "net2" });

        var finding = Analyze(clusters).Should().ContainSingle().Which;
        finding.RuleId.Should().Be(Rules.CidrOverlap);
        finding.Target.Should().Be("prod-euc1, dr-euw1");
        finding.Message.Should().Contain("pod CIDR 10.1.0.0/16 and pod CIDR 10.1.128.0/17");
    }

    [Fact]
    public void Clusters_outside_the_mesh_may_reuse_ranges_but_not_within_one_cluster()
    {
        var findings = Analyze(WellBuilt()
            .Append(Cluster("island-a", "eu-west-1", network: new FleetClusterNetwork { PodCidr = "10.1.0.0/16" }))
            .Append(Cluster("island-b", "eu-west-1", network: new FleetClusterNetwork { PodCidr = "172.16.0.0/12", ServiceCidr = "172.20.0.0/16" }))
            .ToArray());

        findings.Should().ContainSingle().Which.Should().Match<FleetArchitectureFinding>(f => f.RuleId == Rules.CidrOverlap && f.Target == "island-b");
    }

    [Fact]
    public void Cidrs_overlap_by_prefix()
    {
        Cidrs.TryParse("10.0.0.0/8", out var big).Should().BeTrue();
        Cidrs.TryParse("10.255.0.0/16", out var inside).Should().BeTrue();
        Cidrs.TryParse("11.0.0.0/8", out var next).Should().BeTrue();
        Cidrs.TryParse("fd00::/64", out var v6).Should().BeTrue();

        big.Overlaps(inside).Should().BeTrue();
        inside.Overlaps(big).Should().BeTrue();
        big.Overlaps(next).Should().BeFalse();
        big.Overlaps(v6).Should().BeFalse();
        Cidrs.TryParse("10.0.0.0/33", out _).Should().BeFalse();
    }

    [Fact]
    public void Analyzes_a_parsed_reference_architecture()
    {
        var fleet = FleetFileParser.Parse("""
            architecture:
              regions:
                - name: us-east-1
                  clusters:
                    - { name: prod-use1, purpose: production, size: "300", k8s_version: "1.32" }
                    - { name: mgmt-use1, purpose: management, k8s_version: "1.32" }
                - name: us-west-2
                  clusters:
                    - { name: dr-usw2, purpose: disaster recovery, size: "300", k8s_version: "1.28" }
              management: { cluster: mgmt-use1 }
            """);

        Analyze(fleet.Clusters.ToArray()).Should().ContainSingle()
            .Which.Should().Match<FleetArchitectureFinding>(f => f.RuleId == Rules.KubernetesVersionUnsupported && f.Target == "dr-usw2");
    }

    [Fact]
    public void A_minor_past_its_end_of_life_is_unsupported_by_upstream_s_release_table_on_the_day_given()
    {
        var clusters = WellBuilt();
        clusters[2] = Cluster("dr-euw1", "eu-west-1", FleetClusterRole.Dr, version: "1.31");

        var onTime = ArchitectureAnalyzer.Analyze(new Fleet { Name = "f", Clusters = clusters }, new DateOnly(2025, 10, 28));
        var late = ArchitectureAnalyzer.Analyze(new Fleet { Name = "f", Clusters = clusters }, new DateOnly(2025, 10, 29));

        onTime.Should().BeEmpty("1.31's support ends on 2025-10-28, the last day it is patched");
        late.Where(f => f.RuleId == Rules.KubernetesVersionUnsupported).Should().HaveCount(2, "1.31 ended on 2025-10-28 for both clusters running it");
        var finding = late.Single(f => f.Target == "dr-euw1");
        finding.Severity.Should().Be(FleetFindingSeverity.Error);
        finding.Message.Should().Be("Cluster 'dr-euw1' runs 1.31, whose upstream support ended on 2025-10-28; on 2025-10-29 upstream patches 1.32, 1.33, 1.34 " +
                                    "(Kubernetes release table, through 1.35). It gets no security fixes.");
    }

    [Fact]
    public void Long_after_the_table_s_newest_release_the_window_says_newer_minors_count_too()
    {
        var clusters = WellBuilt();
        clusters[2] = Cluster("dr-euw1", "eu-west-1", FleetClusterRole.Dr, version: "1.33");

        var finding = ArchitectureAnalyzer.Analyze(new Fleet { Name = "f", Clusters = clusters }, new DateOnly(2026, 12, 2)).Single(f => f.Target == "dr-euw1");

        finding.Message.Should().Be("Cluster 'dr-euw1' runs 1.33, whose upstream support ended on 2026-06-28; on 2026-12-02 upstream patches 1.35 and any minor " +
                                    "released after 1.35 (Kubernetes release table, through 1.35). It gets no security fixes.");
    }

    [Fact]
    public void A_minor_newer_than_the_release_table_is_judged_by_the_fleet_s_own_three_newest_minors()
    {
        var clusters = WellBuilt().Select(c => c with { KubernetesVersion = "1.39" }).ToArray();
        clusters[2] = clusters[2] with { KubernetesVersion = "1.36" };

        var finding = ArchitectureAnalyzer.Analyze(new Fleet { Name = "f", Clusters = clusters }, new DateOnly(2027, 9, 1)).Should().ContainSingle().Which;

        finding.RuleId.Should().Be(Rules.KubernetesVersionUnsupported);
        finding.Target.Should().Be(clusters[2].Name);
        finding.Message.Should().Contain("outside the three newest minor versions of the fleet (1.39");
    }
}
