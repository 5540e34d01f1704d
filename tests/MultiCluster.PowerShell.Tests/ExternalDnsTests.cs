using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Set-FleetExternalDns in a real runspace: the Service shop/web and an ExternalDNS Deployment
/// (its own --txt-owner-id, --domain-filter=example.com) on prod-a and prod-b, annotated by the
/// cmdlet as users type it; bad input stops it before anything changes.
/// </summary>
public sealed class ExternalDnsTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string Setup = """
        @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'shop' } } | Invoke-FleetApply -Cluster prod-a, prod-b | Out-Null
        @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'web'; namespace = 'shop' }; spec = @{ ports = @(@{ port = 443 }) } } |
            Invoke-FleetApply -Cluster prod-a, prod-b | Out-Null
        foreach ($cluster in 'prod-a', 'prod-b') {
            @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'external-dns'; namespace = 'default'; labels = @{ 'app.kubernetes.io/name' = 'external-dns' } }
               spec = @{ selector = @{ matchLabels = @{ app = 'external-dns' } }
                         template = @{ metadata = @{ labels = @{ app = 'external-dns' } }
                                       spec = @{ containers = @(@{ name = 'controller'; image = 'example.registry/dns-controller:1'
                                                                 args = @('--provider=aws', "--txt-owner-id=$cluster", '--domain-filter=example.com') }) } } } } |
                Invoke-FleetApply -Cluster $cluster | Out-Null
        }
        """;

    private const string Failover =
        "Set-FleetExternalDns web -Namespace shop -Hostname shop.example.com -Policy Failover -Cluster prod-a, prod-b -Primary prod-a -HealthCheckId @{ 'prod-a' = 'hc-1' } -Ttl 30";

    private static string AnnotationsOf(string cluster) =>
        $"(Get-FleetResource Service web -Namespace shop -Cluster {cluster}).Object.metadata.annotations";

    [Fact]
    public void Failover_annotations_are_previewed_per_cluster_set_read_back_and_Unchanged_the_second_time()
    {
        using var session = fixture.NewSession();
        session.Run(Setup).ThrowIfFailed();

        var preview = session.Run(Failover + " -WhatIf");
        var untouched = session.Run(AnnotationsOf("prod-a"));
        var set = session.Run(Failover);
        var readBack = session.Run($"{AnnotationsOf("prod-a")}; {AnnotationsOf("prod-b")}");
        var again = session.Run(Failover);

        preview.Errors.Should().BeEmpty();
        var previewed = preview.Output.Cast<FleetExternalDnsRecord>().ToList();
        previewed.Should().HaveCount(2);
        previewed.Select(r => (r.Cluster, r.Routing, r.OwnerId, r.Action)).Should().Equal(
            ("prod-a", "PRIMARY", "prod-a", FleetResourceAction.WouldChange), ("prod-b", "SECONDARY", "prod-b", FleetResourceAction.WouldChange));
        previewed[0].Changes.Should().Equal(
            "external-dns.kubernetes.io/aws-failover=PRIMARY", "external-dns.kubernetes.io/aws-health-check-id=hc-1",
            "external-dns.kubernetes.io/hostname=shop.example.com", "external-dns.kubernetes.io/set-identifier=prod-a", "external-dns.kubernetes.io/ttl=30");
        untouched.Output.Should().ContainSingle().Which.Should().BeNull("-WhatIf annotates nothing");

        set.Errors.Should().BeEmpty();
        set.Output.Cast<FleetExternalDnsRecord>().Select(r => (r.Cluster, r.Action)).Should().Equal(("prod-a", FleetResourceAction.Configured), ("prod-b", FleetResourceAction.Configured));
        readBack.Errors.Should().BeEmpty();
        readBack.Output.Should().HaveCount(2);
        var primary = (System.Collections.IDictionary)readBack.Output[0]!;
        var secondary = (System.Collections.IDictionary)readBack.Output[1]!;
        primary.Count.Should().Be(5);
        primary["external-dns.kubernetes.io/aws-failover"].Should().Be("PRIMARY");
        primary["external-dns.kubernetes.io/aws-health-check-id"].Should().Be("hc-1");
        primary["external-dns.kubernetes.io/set-identifier"].Should().Be("prod-a");
        secondary.Count.Should().Be(4);
        secondary["external-dns.kubernetes.io/aws-failover"].Should().Be("SECONDARY");
        secondary["external-dns.kubernetes.io/hostname"].Should().Be("shop.example.com");

        again.Errors.Should().BeEmpty();
        again.Output.Cast<FleetExternalDnsRecord>().Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged && r.Changes.Count == 0);
    }

    [Theory]
    [InlineData("-Policy Geolocation -Location @{ 'prod-a' = 'EU'; 'prod-b' = 'eu' }", "DnsLocationDuplicate", ErrorCategory.InvalidArgument, "prod-b",
        "Clusters 'prod-a' and 'prod-b' both claim location 'eu'; Route 53 allows one record set per location. Nothing was changed.")]
    [InlineData("-Policy Weighted -Weight @{ 'prod-a' = 0; 'prod-b' = 0 }", "DnsWeightInvalid", ErrorCategory.InvalidArgument, "shop.example.com",
        "The weights of shop.example.com sum to zero, so Route 53 would answer with every record set equally; give at least one cluster a weight above 0. Nothing was changed.")]
    [InlineData("-Policy Weighted -Weight @{ 'prod-x' = 1 }", "ClusterNotFound", ErrorCategory.ObjectNotFound, "prod-x",
        "Cluster 'prod-x' is named in the routing options but is not one of the selected clusters (prod-a, prod-b). Nothing was changed.")]
    [InlineData("-Policy Latency -Kind Ingress", "ExternalDnsObjectNotFound", ErrorCategory.ObjectNotFound, "prod-a",
        "Cluster 'prod-a' has no Ingress shop/web to annotate. Nothing was changed.")]
    public void Bad_input_stops_the_command_before_anything_changes(string options, string errorId, ErrorCategory category, string target, string message)
    {
        using var session = fixture.NewSession();
        session.Run(Setup).ThrowIfFailed();

        var result = session.Run($"Set-FleetExternalDns web -Namespace shop -Hostname shop.example.com -Cluster prod-a, prod-b {options}");

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().StartWith(errorId);
        error.CategoryInfo.Category.Should().Be(category);
        error.TargetObject.Should().Be(target);
        error.Exception.Message.Should().Be(message);
    }
}
