using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// A reference-architecture fleet file over the emulated clusters: Get-Fleet shows its sections,
/// Test-FleetArchitecture checks them, and Join-FleetMesh takes its provider from them.
/// </summary>
public sealed class ReferenceArchitectureTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private string Layout(string mesh, string secondClusterNetwork) => $"""
        architecture:
          regions:
            - name: us-east-1
              clusters:
                - name: store-a
                  context: {fixture.Contexts[0]}
                  purpose: production
                  size: 40 nodes
                  k8s_version: "1.32"
                  network: {"{"} podCidr: 10.1.0.0/16, clusterId: 1 {"}"}
            - name: eu-central-1
              clusters:
                - name: store-b
                  context: {fixture.Contexts[1]}
                  purpose: production
                  size: 30 nodes
                  k8s_version: "1.32"
                  network: {secondClusterNetwork}
          management:
            cluster: store-a
            purpose: fleet tooling
            tools: [Cluster API, Argo CD]
          networking:
            mesh: {mesh}
            cross_cluster: Submariner
          data:
            replication: active-passive
            backup: Velero to multi-region S3
          identity:
            federation: Dex with OIDC
            rbac_sync: kubefed RBAC controller
        """;

    [Fact]
    public void Get_Fleet_shows_the_sections_typed_with_their_text()
    {
        using var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", Layout("Cilium Cluster Mesh", "{ podCidr: 10.2.0.0/16, clusterId: 2 }"), fixture.Kubeconfig)
            .ThrowIfFailed();

        var result = session.Run("""
            $a = (Get-Fleet).Architecture
            $a.Networking.Mesh.Provider, $a.Networking.Mesh.Text, $a.Networking.CrossCluster.Provider, $a.Data.Backup.Provider,
              $a.Identity.Federation.Provider, $a.Management.Tools.Count
            """).ThrowIfFailed();

        result.Output.Should().Equal("Cilium", "Cilium Cluster Mesh", "Submariner", "Velero", "Dex", 2);
    }

    [Fact]
    public void Test_FleetArchitecture_reports_a_Cilium_mesh_member_without_a_cluster_id()
    {
        using var session = new PowerShellSession();
        var path = Path.Combine(Path.GetTempPath(), "refarch-" + Guid.NewGuid().ToString("N")[..6] + ".yaml");
        File.WriteAllText(path, Layout("Cilium Cluster Mesh", "{ podCidr: 10.2.0.0/16 }"));
        try
        {
            var findings = session.Run("Test-FleetArchitecture -Path $args[0] | Where-Object RuleId -eq MeshClusterIdMissing", path).ThrowIfFailed()
                .Output.Cast<FleetArchitectureFinding>().ToList();

            findings.Should().HaveCount(1);
            findings[0].Target.Should().Be("store-b");
            findings[0].Severity.Should().Be(FleetFindingSeverity.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Join_FleetMesh_takes_its_provider_from_the_networking_section_and_asks_when_it_names_none_it_joins()
    {
        using var cilium = new PowerShellSession();
        cilium.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", Layout("Cilium Cluster Mesh", "{ podCidr: 10.2.0.0/16, clusterId: 2 }"), fixture.Kubeconfig)
            .ThrowIfFailed();
        using var submariner = new PowerShellSession();
        submariner.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", Layout("Linkerd", "{ podCidr: 10.2.0.0/16, clusterId: 2 }"), fixture.Kubeconfig)
            .ThrowIfFailed();
        using var other = new PowerShellSession();
        other.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", Layout("Linkerd", "{ podCidr: 10.2.0.0/16, clusterId: 2 }").Replace("Submariner", "VPC peering"), fixture.Kubeconfig)
            .ThrowIfFailed();
        var folder = Path.Combine(Path.GetTempPath(), "refarch-mesh-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            var rendered = cilium.Run("Join-FleetMesh -OutputPath $args[0] -Verbose", folder);
            var crossCluster = submariner.Run("Join-FleetMesh -Globalnet -BrokerCluster store-a -OutputPath $args[0] -Verbose", Path.Combine(folder, "submariner"));
            var refused = other.Run("Join-FleetMesh -OutputPath $args[0]", folder);

            rendered.Errors.Should().BeEmpty();
            rendered.Output.Cast<FleetManifest>().Select(m => (m.Cluster, m.Kind)).Should().Equal(("store-a", "HelmValues"), ("store-b", "HelmValues"));
            rendered.Verbose.Should().Contain("-Provider Cilium: from the fleet file's networking section ('Cilium Cluster Mesh').");
            crossCluster.Errors.Should().BeEmpty();
            crossCluster.Verbose.Should().Contain("-Provider Submariner: from the fleet file's networking section ('Submariner').");
            crossCluster.Output.Cast<FleetManifest>().Where(m => m.Kind == "Submariner").Select(m => m.Cluster).Should().Equal("store-a", "store-b");
            refused.TerminatingRecord!.Exception.Message.Should().StartWith("Give -Provider Istio, Cilium or Submariner: the fleet file's networking section names no mesh");
            refused.Output.Should().BeEmpty();
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }
}
