using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using Rules = MultiCluster.Engine.Inventory.ArchitectureAnalyzer.Rules;

namespace MultiCluster.Engine.Tests.Inventory;

/// <summary>The whole reference-architecture layout: every section imports, shows typed, and is checked against the clusters.</summary>
public class ReferenceArchitectureTests
{
    // Written for this test, in the layout's own shape: two regions, a management cluster with
    // tools, and networking, data and identity in free text.
    private const string Document = """
        architecture:
          regions:
            - name: us-east-1
              clusters:
                - name: shop-use1
                  purpose: production
                  size: 100 nodes
                  k8s_version: "1.31"
                  network: { clusterId: 1 }
                - name: ops-use1
                  purpose: management
                  size: 5 nodes
                  k8s_version: "1.31"
            - name: eu-west-1
              clusters:
                - name: shop-euw1
                  purpose: production
                  size: 80 nodes
                  k8s_version: "1.30"
                  network: { clusterId: 2 }
          management:
            cluster: ops-use1
            purpose: fleet control plane
            size: 5 nodes
            tools: [Cluster API, Argo CD, Velero, dex]
          networking:
            mesh: Cilium Cluster Mesh
            cross_cluster: Submariner
            ingress: AWS Global Accelerator
            egress: NAT gateway per zone
          data:
            replication: Active-active across regions
            backup: Velero to multi-region S3
            database: CockroachDB
          identity:
            federation: Dex with OIDC
            rbac_sync: kubefed RBAC controller
        """;

    private static Fleet Parse(string yaml = Document) => FleetFileParser.Parse(yaml, "reference.yaml");

    [Fact]
    public void Every_section_imports_as_typed_properties_with_the_text_kept()
    {
        var fleet = Parse();

        fleet.Clusters.Should().HaveCount(3);
        var architecture = fleet.Architecture!;
        architecture.Networking.Mesh!.Provider.Should().Be("Cilium");
        architecture.Networking.Mesh.Text.Should().Be("Cilium Cluster Mesh");
        architecture.Networking.CrossCluster!.Provider.Should().Be("Submariner");
        architecture.Networking.Ingress!.Provider.Should().Be("GlobalAccelerator");
        architecture.Networking.Egress!.Provider.Should().Be("NatGateway");
        architecture.Data.Replication!.Provider.Should().Be("ActiveActive");
        architecture.Data.ActiveActive.Should().BeTrue();
        architecture.Data.Backup!.Provider.Should().Be("Velero");
        architecture.Data.Database!.Provider.Should().Be("CockroachDB");
        architecture.Identity.Federation!.Provider.Should().Be("Dex");
        architecture.Identity.RbacSync!.Provider.Should().Be("KubeFed");
        architecture.Management!.Cluster.Should().Be("ops-use1");
        architecture.Management.Purpose.Should().Be("fleet control plane");
        architecture.Management.Tools.Should().Equal("Cluster API", "Argo CD", "Velero", "dex");
        fleet.Clusters.Single(c => c.Name == "ops-use1").Role.Should().Be(FleetClusterRole.Management);
        fleet.Clusters[0].Size.Should().Be("100 nodes");
        fleet.Clusters[0].KubernetesVersion.Should().Be("1.31");
        ArchitectureProviders.MeshProvider(architecture).Should().Be(FleetMeshProvider.Cilium);
    }

    [Fact]
    public void A_clusters_layout_has_no_architecture()
    {
        FleetFileParser.Parse("clusters: [{ name: a }]").Architecture.Should().BeNull();
    }

    [Fact]
    public void A_well_formed_reference_architecture_raises_no_section_findings()
    {
        var findings = ArchitectureAnalyzer.Analyze(Parse(), ArchitectureAnalyzerTests.SupportedDay);

        findings.Select(f => f.RuleId).Should().NotContain([Rules.MeshClusterIdMissing, Rules.ActiveActiveSingleRegion, Rules.ManagementToolUnknown,
            Rules.ManagementToolMissing, Rules.ArchitectureChoiceUnknown]);
    }

    [Fact]
    public void A_Cilium_mesh_without_cluster_ids_and_active_active_data_in_one_region_are_errors()
    {
        var yaml = Document
            .Replace("- name: eu-west-1", "- name: us-east-1")
            .Replace("          network: { clusterId: 2 }\n", "");

        var findings = ArchitectureAnalyzer.Analyze(Parse(yaml), ArchitectureAnalyzerTests.SupportedDay);

        var meshMissing = findings.Where(f => f.RuleId == Rules.MeshClusterIdMissing).ToList();
        meshMissing.Should().HaveCount(1);
        meshMissing[0].Target.Should().Be("shop-euw1");
        meshMissing[0].Severity.Should().Be(FleetFindingSeverity.Error);
        meshMissing[0].Message.Should().Contain("'Cilium Cluster Mesh'");
        var single = findings.Should().ContainSingle(f => f.RuleId == Rules.ActiveActiveSingleRegion).Which;
        single.Severity.Should().Be(FleetFindingSeverity.Error);
        single.Message.Should().Contain("one region (us-east-1)");
    }

    [Fact]
    public void Management_tools_the_check_cannot_vouch_for_are_named()
    {
        var yaml = Document.Replace("tools: [Cluster API, Argo CD, Velero, dex]", "tools: [Cluster API, kubefed, Frobnicator]");

        var findings = ArchitectureAnalyzer.Analyze(Parse(yaml), ArchitectureAnalyzerTests.SupportedDay);

        findings.Should().ContainSingle(f => f.RuleId == Rules.ManagementToolRetired).Which.Message.Should().Contain("'kubefed'");
        findings.Should().ContainSingle(f => f.RuleId == Rules.ManagementToolUnknown).Which.Message.Should().Contain("'Frobnicator'");
        findings.Should().ContainSingle(f => f.RuleId == Rules.ManagementToolMissing).Which.Message.Should().Contain("'Dex with OIDC'");
    }

    [Fact]
    public void Versions_out_of_support_are_found_in_the_layout()
    {
        var findings = ArchitectureAnalyzer.Analyze(Parse(Document.Replace("k8s_version: \"1.30\"", "k8s_version: \"1.27\"")), ArchitectureAnalyzerTests.SupportedDay);

        findings.Should().ContainSingle(f => f.RuleId == Rules.KubernetesVersionUnsupported).Which.Target.Should().Be("shop-euw1");
    }

    [Theory]
    [InlineData("    mesh: Cilium Cluster Mesh", "    meshes: Cilium Cluster Mesh", 27, "unknown key 'meshes' in 'networking'. Did you mean 'mesh'?")]
    [InlineData("    rbac_sync: kubefed RBAC controller", "    rbacsync: kubefed", 37, "unknown key 'rbacsync' in 'identity'. Did you mean 'rbac_sync'?")]
    [InlineData("    tools: [Cluster API, Argo CD, Velero, dex]", "    tool: [dex]", 25, "unknown key 'tool' in 'management'. Did you mean 'tools'?")]
    [InlineData("  data:", "  datas:", 31, "unknown key 'datas' in 'architecture'. Did you mean 'data'?")]
    [InlineData("- name: shop-euw1", "- name: shop-use1", 16, "duplicate cluster name 'shop-use1' (first defined at line 5)")]
    public void Bad_input_names_the_document_line_and_value(string from, string to, int line, string what)
    {
        var act = () => Parse(Document.Replace(from, to));

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.FleetFileInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Target.Should().Be("reference.yaml");
        error.Message.Should().StartWith($"Fleet file reference.yaml, line {line},").And.EndWith(what);
    }
}
