using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using k8s;
using k8s.Models;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing;
using MultiCluster.Testing.Route53;

namespace MultiCluster.Engine.Tests.Traffic;

/// <summary>Set-FleetDnsRecord's engine against the Route 53 emulator (SigV4 checked) and emulated clusters holding the Services.</summary>
public sealed class DnsRecordServiceTests : IAsyncLifetime
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string HealthCheck = "abcdef11-2222-3333-4444-555555fedcba";
    private Route53Emulator _route53 = null!;
    private Route53Client _client = null!;
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private DnsRecordService _service = null!;
    private string _zone = "";
    private List<FleetCluster> _clusters = null!;

    public async Task InitializeAsync()
    {
        _route53 = await Route53Emulator.StartAsync();
        _route53.AddCredentials(AccessKey, SecretKey);
        _route53.PendingFor = TimeSpan.Zero;
        _zone = _route53.AddHostedZone("example.com");
        _client = new Route53Client(_route53.Endpoint, () => new ImmutableCredentials(AccessKey, SecretKey, null), null, TimeProvider.System);
        _fleet = await EmulatedFleet.StartAsync(3, "dns");
        _connector = new EmulatorConnector(_fleet);
        _clusters =
        [
            _connector.Clusters[0] with { Region = "us-east-1" },
            _connector.Clusters[1] with { Region = "us-west-2" },
            _connector.Clusters[2] with { Region = "eu-central-1" },
        ];
        _service = new DnsRecordService(_connector, _client);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _route53.DisposeAsync();
        await _fleet.DisposeAsync();
    }

    private DnsRecordRequest Request(DnsRoutingPolicy policy, bool whatIf = false) => new()
    {
        ZoneName = "example.com", RecordName = "shop.example.com", Policy = policy, Clusters = _clusters, WhatIf = whatIf,
        Endpoints = new Dictionary<string, string> { [_clusters[0].Name] = "192.0.2.10", [_clusters[1].Name] = "192.0.2.20", [_clusters[2].Name] = "192.0.2.30" },
    };

    /// <summary>The zone's record sets but its own NS and SOA.</summary>
    private IReadOnlyList<Route53RecordSet> Zone() => _route53.RecordSets(_zone).Select(Route53XmlReader).Where(r => r.Type is not ("NS" or "SOA")).ToList();

    private static Route53RecordSet Route53XmlReader(XElement element) => Route53Xml.ReadRecordSet(element);

    private async Task<FleetInputException> Refused(DnsRecordRequest request)
    {
        var set = () => _service.SetAsync(request);
        return (await set.Should().ThrowAsync<FleetInputException>()).Which;
    }

    [Fact]
    public async Task Latency_records_one_per_cluster_from_given_and_load_balancer_endpoints_previewed_written_then_Unchanged()
    {
        using (var admin = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(_fleet[2].Kubeconfig())))))
        {
            await admin.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 443 }] },
            }, "default");
            await admin.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.30"}]}}}""", V1Patch.PatchType.MergePatch), "shop", "default");
        }
        var request = Request(DnsRoutingPolicy.Latency) with
        {
            Service = "default/shop",
            Endpoints = new Dictionary<string, string> { [_clusters[0].Name] = "192.0.2.10", [_clusters[1].Name] = "192.0.2.20" },
        };

        var preview = await _service.SetAsync(request with { WhatIf = true });
        preview.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        Zone().Should().BeEmpty();
        preview[0].Change.Should().Contain("<Action>UPSERT</Action>").And.Contain("<Region>us-east-1</Region>").And.Contain("<Value>192.0.2.10</Value>");

        var written = await _service.SetAsync(request);
        written.Should().HaveCount(3);
        written.Select(r => (r.Cluster, r.SetIdentifier, r.Type, r.Routing, r.Value, r.Action)).Should().Equal(
            (_clusters[0].Name, _clusters[0].Name, "A", "us-east-1", "192.0.2.10", FleetResourceAction.Created),
            (_clusters[1].Name, _clusters[1].Name, "A", "us-west-2", "192.0.2.20", FleetResourceAction.Created),
            (_clusters[2].Name, _clusters[2].Name, "A", "eu-central-1", "198.51.100.30", FleetResourceAction.Created));
        written.Select(r => r.ChangeId).Distinct().Should().ContainSingle("one change batch");
        var zone = Zone();
        zone.Should().HaveCount(3);
        zone.Should().OnlyContain(r => r.Name == "shop.example.com." && r.Type == "A" && r.Ttl == 60 && r.Policy == "latency");
        zone.Select(r => (r.SetIdentifier, r.Region, r.Values.Single())).Should().BeEquivalentTo(new[]
        {
            (_clusters[0].Name, "us-east-1", "192.0.2.10"), (_clusters[1].Name, "us-west-2", "192.0.2.20"), (_clusters[2].Name, "eu-central-1", "198.51.100.30"),
        });
        var requests = _route53.Requests.Count;

        var again = await _service.SetAsync(request);
        again.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged && r.Change == "" && r.ChangeId == null);
        _route53.Requests.Skip(requests).Should().NotContain(r => r.StartsWith("POST"), "a second run submits no change batch");
    }

    [Fact]
    public async Task Failover_needs_a_health_check_on_the_primary_and_the_failover_switch_then_moves_the_primary_to_the_standby()
    {
        var pair = Request(DnsRoutingPolicy.Failover) with
        {
            Clusters = _clusters.Take(2).ToList(), Primary = _clusters[0].Name,
            Endpoints = new Dictionary<string, string> { [_clusters[0].Name] = "192.0.2.10", [_clusters[1].Name] = "192.0.2.20" },
        };

        var noCheck = await Refused(pair);
        noCheck.Should().BeEquivalentTo(new
        {
            ErrorId = DnsRecordErrorIds.DnsHealthCheckMissing, Category = FleetErrorCategory.InvalidArgument, Target = _clusters[0].Name,
            Message = $"The failover primary '{_clusters[0].Name}' has no health check (-HealthCheckId); Route 53 counts a record set without one as healthy, so shop.example.com would never fail over. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        Zone().Should().BeEmpty();

        var written = await _service.SetAsync(pair with { HealthChecks = new Dictionary<string, string> { [_clusters[0].Name] = HealthCheck } });
        written.Select(r => (r.Routing, r.HealthCheckId, r.Action)).Should().Equal(("PRIMARY", HealthCheck, FleetResourceAction.Created), ("SECONDARY", (string?)null, FleetResourceAction.Created));

        await new Route53TrafficSwitch(_client, "example.com", "shop.example.com", "A", "192.0.2.20", _clusters[0].Name, pollInterval: TimeSpan.FromMilliseconds(10))
            .SwitchAsync(default);

        var zone = Zone().OrderBy(r => r.Failover).ToList();
        zone.Should().HaveCount(2);
        zone[0].Should().BeEquivalentTo(new { SetIdentifier = _clusters[0].Name, Failover = "PRIMARY", HealthCheckId = HealthCheck, Values = new[] { "192.0.2.20" } },
            o => o.ExcludingMissingMembers());
        zone[1].Should().BeEquivalentTo(new { SetIdentifier = _clusters[1].Name, Failover = "SECONDARY", Values = new[] { "192.0.2.20" } }, o => o.ExcludingMissingMembers());
    }

    [Fact]
    public async Task Bad_input_is_refused_before_Route_53_is_asked_anything()
    {
        var requests = _route53.Requests.Count;

        (await Refused(Request(DnsRoutingPolicy.Latency) with { Endpoints = new Dictionary<string, string>() })).Should().BeEquivalentTo(new
        {
            ErrorId = DnsRecordErrorIds.DnsEndpointMissing, Target = _clusters[0].Name,
            Message = $"Cluster '{_clusters[0].Name}' has no endpoint: give it in -Endpoint, or name the Service whose load-balancer address it is with -Service. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        var duplicate = await Refused(Request(DnsRoutingPolicy.Geolocation) with
        {
            Locations = new Dictionary<string, string> { [_clusters[0].Name] = "NA", [_clusters[1].Name] = "na", [_clusters[2].Name] = "EU" },
        });
        duplicate.Should().BeEquivalentTo(new
        {
            ErrorId = DnsRecordErrorIds.DnsLocationDuplicate, Target = _clusters[1].Name,
            Message = $"Clusters '{_clusters[0].Name}' and '{_clusters[1].Name}' both claim location 'na'; Route 53 allows one record set per location. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        var zero = await Refused(Request(DnsRoutingPolicy.Weighted) with
        {
            Weights = new Dictionary<string, long> { [_clusters[0].Name] = 0, [_clusters[1].Name] = 0, [_clusters[2].Name] = 0 },
        });
        zero.ErrorId.Should().Be(DnsRecordErrorIds.DnsWeightInvalid);
        zero.Message.Should().Be("The weights of shop.example.com sum to zero, so Route 53 would answer with every record set equally; give at least one cluster a weight above 0. Nothing was changed.");
        (await Refused(Request(DnsRoutingPolicy.Weighted) with { Weights = new Dictionary<string, long> { ["prod-nowhere"] = 3 } }))
            .Should().BeEquivalentTo(new { ErrorId = FleetErrorIds.ClusterNotFound, Target = "prod-nowhere" }, o => o.ExcludingMissingMembers());
        (await Refused(Request(DnsRoutingPolicy.Latency) with { Clusters = [_clusters[0] with { Region = null }, .. _clusters.Skip(1)] }))
            .ErrorId.Should().Be(DnsRecordErrorIds.DnsRegionMissing);

        _route53.Requests.Count.Should().Be(requests);
        Zone().Should().BeEmpty();
    }

    [Fact]
    public async Task Weighted_and_geolocation_records_carry_their_routing()
    {
        var weighted = await _service.SetAsync(Request(DnsRoutingPolicy.Weighted) with { RecordName = "api.example.com", Weights = new Dictionary<string, long> { [_clusters[2].Name] = 0 } });
        var geo = await _service.SetAsync(Request(DnsRoutingPolicy.Geolocation) with
        {
            RecordName = "www.example.com", Locations = new Dictionary<string, string> { [_clusters[0].Name] = "US-CA", [_clusters[1].Name] = "*", [_clusters[2].Name] = "EU" },
        });

        weighted.Select(r => r.Routing).Should().Equal("1", "1", "0");
        geo.Select(r => r.Routing).Should().Equal("US-CA", "*", "EU");
        var zone = Zone();
        zone.Should().HaveCount(6);
        zone.Where(r => r.Name == "api.example.com.").Select(r => r.Weight).Should().BeEquivalentTo(new long?[] { 1, 1, 0 });
        zone.Where(r => r.Name == "www.example.com.").Select(r => r.GeoLocation).Should().BeEquivalentTo(new[]
        {
            new Route53GeoLocation(CountryCode: "US", SubdivisionCode: "CA"), new Route53GeoLocation(CountryCode: "*"), new Route53GeoLocation(ContinentCode: "EU"),
        });
    }
}
