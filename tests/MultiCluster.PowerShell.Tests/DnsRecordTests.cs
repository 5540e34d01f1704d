using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Set-FleetDnsRecord's input checks in a real runspace: each stops the command before Route 53 is
/// asked anything (the endpoint given points nowhere, so any request would fail differently).
/// The record sets themselves are checked against the Route 53 emulator in the engine tests.
/// </summary>
public sealed class DnsRecordTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string Endpoints = "-Endpoint @{ 'prod-a' = '192.0.2.10'; 'prod-b' = '192.0.2.20'; 'dev-c' = '192.0.2.30' } -Route53Endpoint https://127.0.0.1:9";

    private static System.Management.Automation.ErrorRecord Refused(PowerShellResult result)
    {
        result.Output.Should().BeEmpty();
        return result.TerminatingRecord!;
    }

    [Theory]
    [InlineData("-Policy Weighted -Weight @{ 'prod-a' = 0; 'prod-b' = 0; 'dev-c' = 0 }", "DnsWeightInvalid", "shop.example.com",
        "The weights of shop.example.com sum to zero, so Route 53 would answer with every record set equally; give at least one cluster a weight above 0. Nothing was changed.")]
    [InlineData("-Policy Geolocation -Location @{ 'prod-a' = 'NA'; 'prod-b' = 'EU'; 'dev-c' = 'EU' }", "DnsLocationDuplicate", "dev-c",
        "Clusters 'prod-b' and 'dev-c' both claim location 'EU'; Route 53 allows one record set per location. Nothing was changed.")]
    [InlineData("-Policy Failover -Cluster prod-a, prod-b -Primary prod-a -Endpoint @{ 'prod-a' = '192.0.2.10'; 'prod-b' = '192.0.2.20' }", "DnsHealthCheckMissing", "prod-a",
        "The failover primary 'prod-a' has no health check (-HealthCheckId); Route 53 counts a record set without one as healthy, so shop.example.com would never fail over. Nothing was changed.")]
    [InlineData("-Policy Latency -Weight @{ 'prod-x' = 1 }", "ClusterNotFound", "prod-x",
        "Cluster 'prod-x' is named in the routing options but is not one of the selected clusters (prod-a, prod-b, dev-c). Nothing was changed.")]
    public void Bad_input_stops_the_command_before_Route_53_is_asked(string options, string errorId, string target, string message)
    {
        using var session = fixture.NewSession();

        var endpoints = options.Contains("-Endpoint") ? "-Route53Endpoint https://127.0.0.1:9" : Endpoints;
        var error = Refused(session.Run($"Set-FleetDnsRecord shop.example.com -ZoneName example.com {options} {endpoints}"));

        error.FullyQualifiedErrorId.Should().StartWith(errorId);
        error.CategoryInfo.Category.Should().Be(errorId == "ClusterNotFound" ? System.Management.Automation.ErrorCategory.ObjectNotFound : System.Management.Automation.ErrorCategory.InvalidArgument);
        error.TargetObject.Should().Be(target);
        error.Exception.Message.Should().Be(message);
    }

    [Fact]
    public void A_cluster_without_an_endpoint_or_a_Service_is_named()
    {
        using var session = fixture.NewSession();

        var error = Refused(session.Run("Set-FleetDnsRecord shop.example.com -ZoneName example.com -Policy Latency -Endpoint @{ 'prod-a' = '192.0.2.10' } -Route53Endpoint https://127.0.0.1:9"));

        error.FullyQualifiedErrorId.Should().StartWith("DnsEndpointMissing");
        error.TargetObject.Should().Be("prod-b");
        error.Exception.Message.Should().Be("Cluster 'prod-b' has no endpoint: give it in -Endpoint, or name the Service whose load-balancer address it is with -Service. Nothing was changed.");
    }
}
