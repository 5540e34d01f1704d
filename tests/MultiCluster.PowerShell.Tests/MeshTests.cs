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
    public void Test_FleetNetwork_of_a_cluster_not_in_the_fleet_stops_with_ClusterNotFound_and_checks_nothing()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Test-FleetNetwork -Cluster nowhere");

        result.Output.Should().BeEmpty();
        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterNotFound", "nothing is left to check: the call stops");
    }

    [Fact]
    public void Join_previews_then_links_every_pair_then_reports_Unchanged_and_Test_FleetMesh_finds_every_link_healthy()
    {
        using var session = fixture.NewSession();

        var preview = session.Run("Get-FleetCluster | Join-FleetMesh -Provider Istio -MeshId mesh1 -WhatIf");
        // -Verbose and -Debug, so the secret scan below also covers the streams that name every call.
        var joined = session.Run("Get-FleetCluster | Join-FleetMesh -Provider Istio -MeshId mesh1 -Verbose -Debug");
        var again = session.Run("Join-FleetMesh -Provider Istio -MeshId mesh1");
        var test = session.Run("Test-FleetMesh");
        var readerToken = session.Run("""
            $data = (Get-FleetResource Secret istio-remote-secret-dev-c -Namespace istio-system -Cluster prod-a).Object.data.'dev-c'
            [regex]::Match([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($data)), 'token:\s*"?([^"\s]+)').Groups[1].Value
            """).ThrowIfFailed().Output.Should().ContainSingle().Subject!.ToString()!;

        preview.Errors.Should().BeEmpty();
        var previewLinks = preview.Output.Cast<FleetMeshLink>().ToList();
        previewLinks.Should().HaveCount(6).And.OnlyContain(l => l.Action == FleetResourceAction.WouldCreate || l.Action == FleetResourceAction.Unchanged);
        joined.Errors.Should().BeEmpty();
        var links = joined.Output.Cast<FleetMeshLink>().ToList();
        links.Should().HaveCount(6);
        links.Should().OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy && l.Provider == FleetMeshProvider.Istio);
        links.Select(l => (l.Cluster, l.Peer)).Should().BeEquivalentTo(new[]
        {
            ("prod-a", "prod-b"), ("prod-a", "dev-c"), ("prod-b", "prod-a"), ("prod-b", "dev-c"), ("dev-c", "prod-a"), ("dev-c", "prod-b"),
        });
        links.Single(l => l.Cluster == "prod-a" && l.Peer == "dev-c").SecretName.Should().Be("istio-system/istio-remote-secret-dev-c");
        again.Output.Cast<FleetMeshLink>().Should().HaveCount(6).And.OnlyContain(l => l.Action == FleetResourceAction.Unchanged);
        test.Output.Cast<FleetMeshLink>().Should().HaveCount(6).And.OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy && l.Action == null);
        fixture.Emulator.AdminTokens.Should().HaveCount(3, "one admin token per emulated cluster");
        readerToken.Length.Should().BeGreaterThan(20, "it is the reader token prod-a was given for dev-c");
        joined.Verbose.Should().Contain(l => l.StartsWith("PATCH prod-a /api/v1/namespaces/istio-system/secrets/istio-remote-secret-dev-c"),
            "the scan covers the call that writes the remote secret");
        foreach (var run in new[] { preview, joined, again, test })
        {
            run.AllText().Contains("token: ").Should().BeFalse("no kubeconfig with a token appears in any stream");
            run.AllText().Should().NotContain(readerToken);
            fixture.Emulator.AdminTokens.Any(run.AllText().Contains).Should().BeFalse();
        }
    }

    [Fact]
    public void Join_with_a_network_that_is_no_label_value_stops_before_any_cluster_is_touched()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Join-FleetMesh -Provider Istio -MeshId mesh1 -Network @{ 'prod-b' = 'east net' }");

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord;
        error.Should().NotBeNull();
        error!.FullyQualifiedErrorId.Should().StartWith("NetworkInvalid");
        error.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument);
        error.TargetObject.Should().Be("prod-b");
        error.Exception.Message.Should().Be("Network 'east net' of cluster 'prod-b' (-Network) is not a valid label value: a label value must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit.");
    }

    [Fact]
    public void Join_renders_install_configuration_per_cluster_with_OutputPath_and_changes_no_cluster()
    {
        using var session = fixture.NewSession();
        var folder = Path.Combine(Path.GetTempPath(), "mesh-render-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            var result = session.Run("Join-FleetMesh -Provider Istio -MeshId mesh1 -NetworkPerRegion -OutputPath $args[0] -Cluster prod-a", folder);

            result.Errors.Should().BeEmpty();
            var manifests = result.Output.Cast<FleetManifest>().ToList();
            manifests.Select(m => $"{m.Kind}/{m.Name}").Should().Equal("Namespace/istio-system", "IstioOperator/istio-controlplane", "IstioOperator/eastwest", "Gateway/cross-network-gateway");
            var file = File.ReadAllText(Path.Combine(folder, "prod-a.yaml"));
            file.Should().Contain("meshID: mesh1").And.Contain("clusterName: prod-a").And.Contain("network: us-east-1").And.Contain("topology.istio.io/network: us-east-1");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void Join_with_Cilium_allocates_ids_and_renders_values_and_refuses_an_id_out_of_range_by_name_and_source()
    {
        using var session = SessionWithNetworks("{ podCidr: 10.1.0.0/16, clusterId: 7 }", "{ podCidr: 10.2.0.0/16 }", "{ podCidr: 10.3.0.0/16, clusterId: 1 }");
        var folder = Path.Combine(Path.GetTempPath(), "cilium-render-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            var rendered = session.Run("Join-FleetMesh -Provider Cilium -OutputPath $args[0]", folder);

            rendered.Errors.Should().BeEmpty();
            var manifests = rendered.Output.Cast<FleetManifest>().ToList();
            manifests.Select(m => (m.Cluster, m.Kind, m.Name)).Should().Equal(("prod-a", "HelmValues", "cilium"), ("prod-b", "HelmValues", "cilium"), ("dev-c", "HelmValues", "cilium"));
            manifests.Select(m => m.Yaml.Split('\n')[2].Trim()).Should().Equal("id: 7", "id: 2", "id: 1");
            File.ReadAllText(Path.Combine(folder, "prod-b.cilium-values.yaml")).Should().Be(manifests[1].Yaml);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }

        using var bad = SessionWithNetworks("{ podCidr: 10.1.0.0/16, clusterId: 256 }", "{ podCidr: 10.2.0.0/16 }", "{ podCidr: 10.3.0.0/16 }");
        var refused = bad.Run("Join-FleetMesh -Provider Cilium -OutputPath ./never");
        refused.Output.Should().BeEmpty();
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterIdInvalid");
        refused.TerminatingRecord.TargetObject.Should().Be("prod-a");
        refused.TerminatingRecord.Exception.Message.Should().Be("Cluster id 256 of 'prod-a' (fleet file) is outside Cilium's range 1-255.");
    }

    [Fact]
    public void Join_with_Cilium_without_OutputPath_shares_the_CA_and_writes_each_members_peers_without_showing_a_key()
    {
        using var session = SessionWithNetworks("{ podCidr: 10.1.0.0/16, clusterId: 1 }", "{ podCidr: 10.2.0.0/16, clusterId: 2 }", "{ podCidr: 10.3.0.0/16, clusterId: 3 }");
        var keyText = "PRIVATE-" + Guid.NewGuid().ToString("N");
        session.Run("""
            $key = $args[0]
            function Encode([string] $text) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($text)) }
            @{ apiVersion = 'v1'; kind = 'Secret'; metadata = @{ name = 'cilium-ca'; namespace = 'kube-system' }
               data = @{ 'ca.crt' = (Encode 'mesh CA'); 'ca.key' = (Encode $key) } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'v1'; kind = 'Secret'; metadata = @{ name = 'clustermesh-apiserver-remote-cert'; namespace = 'kube-system' }
               data = @{ 'ca.crt' = (Encode 'mesh CA'); 'tls.crt' = (Encode 'client cert'); 'tls.key' = (Encode $key) } } | Invoke-FleetApply | Out-Null
            """, keyText).ThrowIfFailed();

        var preview = session.Run("Join-FleetMesh -Provider Cilium -WhatIf");
        preview.Output.Cast<FleetResourceResult>().Select(r => r.Action).Should().Equal(Enumerable.Repeat(FleetResourceAction.WouldCreate, 5));
        session.Run("Get-FleetResource Secret cilium-clustermesh -Namespace kube-system -ErrorAction SilentlyContinue").Output.Should().BeEmpty();

        var joined = session.Run("Join-FleetMesh -Provider Cilium -Verbose");
        var again = session.Run("Join-FleetMesh -Provider Cilium");

        joined.Errors.Should().BeEmpty();
        var results = joined.Output.Cast<FleetResourceResult>().ToList();
        results.Should().HaveCount(5);
        results.Select(r => $"{r.Cluster} {r.Name} {r.Action}").Should().BeEquivalentTo(
            "prod-a cilium-clustermesh Created", "prod-b cilium-ca Created", "prod-b cilium-clustermesh Created", "dev-c cilium-ca Created", "dev-c cilium-clustermesh Created");
        results.Single(r => r.Cluster == "dev-c" && r.Name == "cilium-clustermesh").Message.Should().Be("Peers: prod-a, prod-b.");
        again.Output.Cast<FleetResourceResult>().Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        joined.Verbose.Should().Contain(l => l.StartsWith("GET prod-a /api/v1/namespaces/kube-system/secrets/cilium-ca -> 200 ("))
            .And.Contain(l => l.StartsWith("PATCH dev-c /api/v1/namespaces/kube-system/secrets/cilium-ca?"), "the calls that read and write the key are reported");
        foreach (var run in new[] { preview, joined, again })
        {
            run.AllText().Should().NotContain(keyText).And.NotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(keyText)));
        }
    }
}
