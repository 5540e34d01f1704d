using System.Xml.Linq;
using Amazon.Runtime;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing.Route53;

namespace MultiCluster.Engine.Tests.Traffic;

/// <summary>The Route 53 client against the emulator: signed requests, the four operations, every record kind, errors.</summary>
public sealed class Route53ClientTests : IAsyncLifetime
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private Route53Emulator _route53 = null!;
    private Route53Client _client = null!;
    private string _zone = "";

    public async Task InitializeAsync()
    {
        _route53 = await Route53Emulator.StartAsync();
        _route53.AddCredentials(AccessKey, SecretKey);
        _zone = _route53.AddHostedZone("example.com");
        _client = Client(SecretKey);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _route53.DisposeAsync();
    }

    private Route53Client Client(string secret) =>
        new(_route53.Endpoint, () => new ImmutableCredentials(AccessKey, secret, null), null, new ClockTime(_route53));

    [Fact]
    public async Task Every_record_kind_round_trips_and_a_change_is_PENDING_until_it_is_INSYNC()
    {
        Route53RecordSet[] records =
        [
            new() { Name = "www.example.com", Type = "A", Ttl = 60, Values = ["192.0.2.10"] },
            new() { Name = "api.example.com", Type = "CNAME", SetIdentifier = "use1", Weight = 70, Ttl = 60, Values = ["api-use1.example.net"] },
            new() { Name = "api.example.com", Type = "CNAME", SetIdentifier = "usw2", Weight = 30, Ttl = 60, Values = ["api-usw2.example.net"] },
            new() { Name = "app.example.com", Type = "A", SetIdentifier = "primary", Failover = "PRIMARY", Ttl = 60, Values = ["192.0.2.1"], HealthCheckId = "abcdef11-2222-3333-4444-555555fedcba" },
            new() { Name = "app.example.com", Type = "A", SetIdentifier = "secondary", Failover = "SECONDARY", AliasTarget = new("Z2FDTNDATAQYW2", "d111111abcdef8.cloudfront.net.", true) },
            new() { Name = "shop.example.com", Type = "A", SetIdentifier = "europe", GeoLocation = new("EU"), Ttl = 300, Values = ["198.51.100.7"] },
            new() { Name = "shop.example.com", Type = "A", SetIdentifier = "default", GeoLocation = new(CountryCode: "*"), Ttl = 300, Values = ["198.51.100.8"] },
        ];

        var change = await _client.ChangeResourceRecordSetsAsync(_zone, records.Select(r => new Route53Change("UPSERT", r)).ToList(), "failover drill", default);

        change.Status.Should().Be("PENDING");
        change.Id.Should().StartWith("C").And.NotContain("/");
        change.Comment.Should().Be("failover drill");
        (await _client.GetChangeAsync(change.Id, default)).Status.Should().Be("PENDING");
        _route53.Clock.Advance(_route53.PendingFor);
        var synced = await _client.GetChangeAsync(change.Id, default);
        synced.Status.Should().Be("INSYNC");
        synced.SubmittedAt.Should().Be(change.SubmittedAt);

        var listed = await _client.ListResourceRecordSetsAsync(_zone, null, null, default);
        listed.Should().HaveCount(9, "the zone's NS and SOA and the seven sets");
        listed.Select(r => r.ToString()).Should().Equal(
            "example.com. NS", "example.com. SOA", "api.example.com. CNAME (use1)", "api.example.com. CNAME (usw2)",
            "app.example.com. A (primary)", "app.example.com. A (secondary)", "shop.example.com. A (default)", "shop.example.com. A (europe)",
            "www.example.com. A");
        foreach (var sent in records)
        {
            var read = listed.Single(r => r.SameSetAs(sent));
            read.Should().BeEquivalentTo(sent with { Name = sent.Name + "." }, $"{sent} reads back as written");
        }
        listed.Single(r => r.SetIdentifier == "use1").Policy.Should().Be("weighted");
        listed.Single(r => r.SetIdentifier == "primary").Policy.Should().Be("failover");
        listed.Single(r => r.SetIdentifier == "europe").Policy.Should().Be("geolocation");
        listed.Single(r => r.Type == "A" && r.SetIdentifier is null).Policy.Should().Be("simple");
    }

    [Fact]
    public void A_change_batch_is_written_as_the_API_reference_shows_it()
    {
        var xml = Route53Xml.ChangeBatch([new Route53Change("UPSERT", new Route53RecordSet
        {
            Name = "example.com", Type = "A", SetIdentifier = "Seattle data center", Weight = 100, Ttl = 60, Values = ["192.0.2.44"],
            HealthCheckId = "abcdef11-2222-3333-4444-555555fedcba",
        })], "Web servers for example.com");

        xml.ToString(SaveOptions.DisableFormatting).Should().Be(
            "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch>"
            + "<Comment>Web servers for example.com</Comment><Changes><Change><Action>UPSERT</Action><ResourceRecordSet>"
            + "<Name>example.com</Name><Type>A</Type><SetIdentifier>Seattle data center</SetIdentifier><Weight>100</Weight><TTL>60</TTL>"
            + "<ResourceRecords><ResourceRecord><Value>192.0.2.44</Value></ResourceRecord></ResourceRecords>"
            + "<HealthCheckId>abcdef11-2222-3333-4444-555555fedcba</HealthCheckId></ResourceRecordSet></Change></Changes></ChangeBatch>"
            + "</ChangeResourceRecordSetsRequest>");
    }

    [Fact]
    public async Task Hosted_zones_are_found_by_name_with_the_prefix_stripped_from_their_ids()
    {
        var other = _route53.AddHostedZone("example.org", privateZone: true);

        var zones = await _client.ListHostedZonesByNameAsync("example.com", default);

        zones.Should().HaveCount(2);
        zones[0].Should().Be(new Route53HostedZone(_zone, "example.com.", false, 2));
        zones[1].Should().Be(new Route53HostedZone(other, "example.org.", true, 2));
        _route53.Requests.Should().EndWith("GET /2013-04-01/hostedzonesbyname?dnsname=example.com");
    }

    [Fact]
    public async Task A_batch_with_one_bad_change_changes_nothing()
    {
        var www = new Route53RecordSet { Name = "www.example.com", Type = "A", Ttl = 60, Values = ["192.0.2.10"] };
        await _client.ChangeResourceRecordSetsAsync(_zone, [new Route53Change("CREATE", www)], null, default);
        var before = _route53.RecordSets(_zone).Select(r => r.ToString()).ToList();

        var act = () => _client.ChangeResourceRecordSetsAsync(_zone,
        [
            new Route53Change("UPSERT", new Route53RecordSet { Name = "new.example.com", Type = "A", Ttl = 60, Values = ["192.0.2.11"] }),
            new Route53Change("CREATE", www),
        ], null, default);

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(Route53ErrorIds.Route53ChangeRejected);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Target.Should().Be(_zone);
        error.Message.Should().Be($"Route 53 refused the request for '{_zone}': InvalidChangeBatch: Tried to create resource record set [name='www.example.com.', type='A'] but it already exists");
        _route53.RecordSets(_zone).Select(r => r.ToString()).Should().Equal(before);
    }

    [Fact]
    public async Task A_zone_that_does_not_exist_is_named_in_the_error()
    {
        var act = () => _client.ListResourceRecordSetsAsync("ZNOSUCHZONE", null, null, default);

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(Route53ErrorIds.Route53ZoneNotFound);
        error.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        error.Target.Should().Be("ZNOSUCHZONE");
        error.Message.Should().Be("Route 53 refused the request for 'ZNOSUCHZONE': NoSuchHostedZone: No hosted zone found with ID: ZNOSUCHZONE");
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_and_never_shown()
    {
        using var client = Client("not-the-secret-key-0000000000000000000000");
        var count = _route53.RecordSets(_zone).Count;

        var act = () => client.ChangeResourceRecordSetsAsync(_zone,
            [new Route53Change("UPSERT", new Route53RecordSet { Name = "x.example.com", Type = "A", Ttl = 60, Values = ["192.0.2.1"] })], null, default);

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(Route53ErrorIds.Route53AccessDenied);
        error.Category.Should().Be(FleetErrorCategory.PermissionDenied);
        error.Message.Should().StartWith($"Route 53 refused the request for '{_zone}': SignatureDoesNotMatch");
        error.ToString().Contains("not-the-secret-key", StringComparison.Ordinal).Should().BeFalse();
        error.ToString().Contains(SecretKey, StringComparison.Ordinal).Should().BeFalse();
        _route53.RecordSets(_zone).Should().HaveCount(count, "nothing changed");
    }

    [Fact]
    public async Task Missing_credentials_stop_before_any_request()
    {
        using var client = new Route53Client("multicluster-test-no-such-profile", _route53.Endpoint);
        var requests = _route53.Requests.Count;

        var act = () => client.ListHostedZonesByNameAsync("example.com", default);

        var error = (await act.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(Route53ErrorIds.Route53CredentialsMissing);
        error.Category.Should().Be(FleetErrorCategory.AuthenticationError);
        error.Message.Should().Be("No AWS credentials for Route 53: the AWS profile 'multicluster-test-no-such-profile' is not in the shared credentials or config file.");
        _route53.Requests.Should().HaveCount(requests);
    }

    [Theory]
    [InlineData("https://route53.amazonaws.com", "us-east-1")]
    [InlineData("https://route53.amazonaws.com.cn", "cn-northwest-1")]
    [InlineData("https://route53.us-gov.amazonaws.com", "us-gov-west-1")]
    public void Requests_are_signed_for_the_endpoint_region(string endpoint, string region) =>
        Route53Signer.SigningRegion(new Uri(endpoint)).Should().Be(region);

    private sealed class ClockTime(Route53Emulator emulator) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => emulator.Clock.UtcNow;
    }
}
