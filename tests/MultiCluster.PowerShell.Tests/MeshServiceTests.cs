using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Three emulated clusters with the real MCS and Istio CRDs, the simulated MCS controller of one cluster set, RBAC and tokens.</summary>
public sealed class MeshServiceEmulatorFixture : EmulatedFleetFixture
{

    public override async Task InitializeAsync()
    {
        if (MultiCluster.Testing.SharedFiles.Crds is null) return;
        Emulator = await EmulatorProcess.StartAsync(3, "svc" + Guid.NewGuid().ToString("N")[..4], crds: "mcs-api,istio", controllers: "mcs,rbac,serviceaccount-tokens");
        FleetYaml = $"""
            name: services
            clusters:
              - name: prod-a
                context: {Emulator.Contexts[0]}
                region: us-east-1
                labels: {"{"} env: prod {"}"}
              - name: prod-b
                context: {Emulator.Contexts[1]}
                region: us-west-2
                labels: {"{"} env: prod {"}"}
              - name: dev-c
                context: {Emulator.Contexts[2]}
                region: eu-central-1
                labels: {"{"} env: dev {"}"}
            """;
    }
}

/// <summary>Export-FleetService in a real runspace over emulated clusters running the simulated MCS controller.</summary>
public sealed class MeshServiceTests(MeshServiceEmulatorFixture fixture) : IClassFixture<MeshServiceEmulatorFixture>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private static void Service(PowerShellSession session, string name, int port, string where) =>
        session.Run($$"""
            @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = '{{name}}'; namespace = 'default' }
               spec = @{ ports = @(@{ name = 'http'; port = {{port}} }) } } | Invoke-FleetApply {{where}} | Out-Null
            """).ThrowIfFailed();

    [RequiresSharedCrdsFact]
    public void Export_with_Wait_is_imported_by_every_member_and_a_second_run_is_Unchanged()
    {
        using var session = fixture.NewSession();
        var name = Unique("api");
        Service(session, name, 80, "-Selector env=prod");

        var preview = session.Run($"Export-FleetService {name} -Selector env=prod -WhatIf");
        preview.Errors.Should().BeEmpty();
        preview.Output.Cast<FleetServiceExport>().Select(e => e.Action).Should().Equal(FleetResourceAction.WouldCreate, FleetResourceAction.WouldCreate);
        session.Run($"Get-FleetResource -Kind ServiceExport -ApiVersion multicluster.x-k8s.io/v1alpha1 -Namespace default -Name {name} -ErrorAction SilentlyContinue").Output.Should().BeEmpty();

        var result = session.Run($"Export-FleetService {name} -Selector env=prod -Wait -TimeoutSeconds 30");

        result.Errors.Should().BeEmpty();
        var exports = result.Output.Cast<FleetServiceExport>().ToList();
        exports.Should().HaveCount(2);
        exports.Select(e => e.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
        exports.Should().AllSatisfy(e =>
        {
            e.Action.Should().Be(FleetResourceAction.Created);
            e.Status.Should().Be(FleetServiceExportStatus.Exported);
            e.DnsName.Should().Be($"{name}.default.svc.clusterset.local");
            e.ImportedBy.Should().Equal("prod-a", "prod-b", "dev-c");
            e.MissingImport.Should().BeEmpty();
        });

        var again = session.Run($"Export-FleetService {name} -Selector env=prod");
        again.Output.Cast<FleetServiceExport>().Select(e => e.Action).Should().Equal(FleetResourceAction.Unchanged, FleetResourceAction.Unchanged);
    }

    [RequiresSharedCrdsFact]
    public void Exporters_disagreeing_on_a_port_show_Conflict_with_a_warning_and_a_missing_Service_fails_alone()
    {
        using var session = fixture.NewSession();
        var name = Unique("cart");
        Service(session, name, 80, "-Cluster prod-a");
        Service(session, name, 8080, "-Cluster prod-b");
        session.Run($"Export-FleetService {name} -Cluster prod-a -Wait -TimeoutSeconds 30").ThrowIfFailed();

        var result = session.Run($"Export-FleetService {name} -Wait -TimeoutSeconds 30");

        var exports = result.Output.Cast<FleetServiceExport>().ToList();
        exports.Should().HaveCount(3);
        exports.Where(e => e.Status == FleetServiceExportStatus.Conflict).Select(e => (e.Cluster, e.ConflictReason))
            .Should().BeEquivalentTo([("prod-a", "PortConflict"), ("prod-b", "PortConflict")]);
        result.Warnings.Should().HaveCount(2);
        var failed = exports.Single(e => e.Cluster == "dev-c");
        failed.Status.Should().Be(FleetServiceExportStatus.Failed);
        result.Errors.Should().ContainSingle();
        result.Errors[0].FullyQualifiedErrorId.Should().StartWith("ResourceNotFound");
        result.Errors[0].CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.ObjectNotFound);
        result.Errors[0].TargetObject.Should().Be($"dev-c: v1 Service default/{name}");
    }

    [RequiresSharedCrdsFact]
    public void A_service_name_that_is_not_a_DNS_label_stops_before_anything_is_written()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Export-FleetService Web_1");

        result.Output.Should().BeEmpty();
        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ServiceNameInvalid");
        result.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument);
        result.TerminatingRecord.TargetObject.Should().Be("Web_1");
        session.Run("Get-FleetResource -Kind ServiceExport -ApiVersion multicluster.x-k8s.io/v1alpha1 -Namespace default -Name Web_1 -ErrorAction SilentlyContinue").Output.Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public void Set_FleetTrafficPolicy_previews_applies_then_reports_Unchanged_and_renders_files()
    {
        using var session = fixture.NewSession();
        var name = Unique("web");
        const string distribute = "-Distribute @{ 'us-east-1' = @{ 'us-east-1' = 80; 'us-west-2' = 20 } }";

        var preview = session.Run($"Set-FleetTrafficPolicy {name} {distribute} -Selector env=prod -WhatIf");
        preview.Errors.Should().BeEmpty();
        preview.Output.Cast<FleetResourceResult>().Select(r => r.Action).Should().Equal(Enumerable.Repeat(FleetResourceAction.WouldCreate, 4));
        session.Run($"Get-FleetResource DestinationRule {name} -Namespace default -ErrorAction SilentlyContinue").Output.Should().BeEmpty();

        var applied = session.Run($"Set-FleetTrafficPolicy {name} {distribute} -Selector env=prod");
        applied.Errors.Should().BeEmpty();
        var results = applied.Output.Cast<FleetResourceResult>().ToList();
        results.Should().HaveCount(4);
        results.Select(r => $"{r.Cluster} {r.Kind} {r.Action}").Should().BeEquivalentTo(
            "prod-a ServiceEntry Created", "prod-a DestinationRule Created", "prod-b ServiceEntry Created", "prod-b DestinationRule Created");
        var again = session.Run($"Set-FleetTrafficPolicy {name} {distribute} -Selector env=prod");
        again.Output.Cast<FleetResourceResult>().Select(r => r.Action).Should().Equal(Enumerable.Repeat(FleetResourceAction.Unchanged, 4));

        var folder = Path.Combine(Path.GetTempPath(), "traffic-" + name);
        var rendered = session.Run($"Set-FleetTrafficPolicy {name} -Failover @{{ 'us-east-1' = 'us-west-2' }} -ApiVersion v1beta1 -Cluster prod-a -OutputPath '{folder}'");
        rendered.Errors.Should().BeEmpty();
        rendered.Output.Cast<FleetManifest>().Select(m => m.Kind).Should().Equal("ServiceEntry", "DestinationRule");
        var yaml = File.ReadAllText(Path.Combine(folder, "prod-a.yaml"));
        yaml.Should().Contain("apiVersion: networking.istio.io/v1beta1").And.Contain("from: us-east-1").And.Contain("outlierDetection:");
        Directory.Delete(folder, recursive: true);
    }

    [RequiresSharedCrdsTheory]
    [InlineData("-Distribute @{ 'us-east-1' = @{ 'us-east-1' = 70; 'us-west-2' = 20 } }", "LocalityWeightsInvalid", "us-east-1")]
    [InlineData("-Failover @{ 'us-east-1' = 'ap-south-1' }", "LocalityRegionUnknown", "ap-south-1")]
    [InlineData("-Distribute @{ 'us-east-1' = @{ 'us-east-1' = 'most' } }", "LocalityWeightsInvalid", "us-east-1")]
    public void Set_FleetTrafficPolicy_refuses_bad_locality_input_before_any_change(string locality, string errorId, string target)
    {
        using var session = fixture.NewSession();
        var name = Unique("bad");

        var result = session.Run($"Set-FleetTrafficPolicy {name} {locality}");

        result.Output.Should().BeEmpty();
        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith(errorId);
        result.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument);
        result.TerminatingRecord.TargetObject.Should().Be(target);
        session.Run($"Get-FleetResource DestinationRule {name} -Namespace default -ErrorAction SilentlyContinue").Output.Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public void Test_FleetMesh_names_peers_on_other_networks_whose_east_west_gateway_has_no_address()
    {
        using var session = fixture.NewSession();
        session.Run("Join-FleetMesh -Provider Istio -MeshId mesh1 -Network @{ 'prod-a' = 'net-a'; 'prod-b' = 'net-b' } -Cluster prod-a, prod-b").ThrowIfFailed();

        var result = session.Run("Test-FleetMesh -Cluster prod-a, prod-b");

        result.Errors.Should().BeEmpty();
        var links = result.Output.Cast<FleetMeshLink>().OrderBy(l => l.Cluster, StringComparer.Ordinal).ToList();
        links.Should().HaveCount(2);
        links.Select(l => (l.Cluster, l.Network, l.PeerNetwork, l.Status)).Should().Equal(
            ("prod-a", "net-a", "net-b", FleetMeshLinkStatus.Broken), ("prod-b", "net-b", "net-a", FleetMeshLinkStatus.Broken));
        links[0].Message.Should().Be("'prod-b' is on network 'net-b', not 'net-a', and its east-west gateway istio-system/istio-eastwestgateway has no external address, so traffic from 'prod-a' cannot reach it.");
    }
}
