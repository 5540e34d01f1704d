using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Three emulated clusters with RBAC and service-account tokens, as the mesh cmdlets need.</summary>
public sealed class MeshEmulatorFixture() : EmulatorFixture("rbac,serviceaccount-tokens");

/// <summary>Test-FleetNetwork and the mesh cmdlets in a real runspace over emulated clusters.</summary>
public sealed class MeshTests(MeshEmulatorFixture fixture) : IClassFixture<MeshEmulatorFixture>
{
    private PowerShellSession SessionWithNetworks(string networkA, string networkB, string networkC)
    {
        var session = new PowerShellSession();
        var fleet = $"""
            name: mesh
            clusters:
              - name: prod-a
                context: {fixture.Contexts[0]}
                region: us-east-1
                network: {networkA}
              - name: prod-b
                context: {fixture.Contexts[1]}
                region: eu-central-1
                network: {networkB}
              - name: dev-c
                context: {fixture.Contexts[2]}
                region: eu-central-1
                network: {networkC}
            """;
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fleet, fixture.Kubeconfig).ThrowIfFailed();
        return session;
    }

    [Fact]
    public void Test_FleetNetwork_finds_the_overlapping_pair_and_the_id_out_of_range_and_passes_the_rest()
    {
        using var session = SessionWithNetworks(
            "{ podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/16, clusterId: 1 }",
            "{ podCidr: 10.244.0.0/17, serviceCidr: 10.97.0.0/16, clusterId: 2 }",
            "{ podCidr: 10.30.0.0/16, serviceCidr: 10.98.0.0/16, clusterId: 300 }");

        var result = session.Run("Test-FleetNetwork -Provider Cilium");

        result.Errors.Should().BeEmpty();
        var checks = result.Output.Cast<FleetNetworkCheck>().ToList();
        checks.Should().HaveCount(18, "3 reachability, 6 ranges, 3 pairs, 3 ids, 3 names");
        var findings = checks.Where(c => c.Status != FleetCheckStatus.Pass).ToList();
        findings.Should().HaveCount(2);
        findings[0].Should().BeEquivalentTo(new
        {
            Cluster = "prod-a", Peer = "prod-b", Check = "CidrOverlap", Status = FleetCheckStatus.Fail, Value = "10.244.0.0/16", Source = "fleet file",
            Message = "The pod range 10.244.0.0/16 of prod-a (fleet file) overlaps the pod range of prod-b, 10.244.0.0/17 (fleet file).",
        });
        findings[1].Should().BeEquivalentTo(new
        {
            Cluster = "dev-c", Peer = (string?)null, Check = "ClusterId", Status = FleetCheckStatus.Fail, Value = "300", Source = "fleet file",
            Message = "Cluster id 300 of dev-c (fleet file) is outside Cilium's range 1-255.",
        });

        var extended = session.Run("Test-FleetNetwork -Provider Cilium -ExtendedClusterId -Cluster dev-c | Where-Object Check -eq ClusterId");
        extended.Output.Cast<FleetNetworkCheck>().Should().ContainSingle().Which.Status.Should().Be(FleetCheckStatus.Pass);
    }

    [Fact]
    public void Test_FleetNetwork_of_a_cluster_not_in_the_fleet_writes_ClusterNotFound_and_checks_nothing()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Test-FleetNetwork -Cluster nowhere");

        result.Output.Should().BeEmpty();
        result.Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().StartWith("ClusterNotFound");
    }
}
