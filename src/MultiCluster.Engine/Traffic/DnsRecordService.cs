using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Traffic;

/// <summary>The Route 53 routing policies Set-FleetDnsRecord writes.</summary>
public enum DnsRoutingPolicy
{
    Latency,
    Weighted,
    Failover,
    Geolocation,
}

/// <summary>What Set-FleetDnsRecord was asked for.</summary>
public sealed record DnsRecordRequest : IDnsRoutingRequest
{
    public required string ZoneName { get; init; }
    public required string RecordName { get; init; }
    public required DnsRoutingPolicy Policy { get; init; }
    public required IReadOnlyList<FleetCluster> Clusters { get; init; }

    /// <summary>-Endpoint: cluster to address or host name; clusters not named here take their Service's load-balancer address.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; init; } = new Dictionary<string, string>();

    /// <summary>-Service as namespace/name: where a cluster's load-balancer address is read.</summary>
    public string? Service { get; init; }

    /// <summary>-Weight: cluster to weight (0-255); clusters not named get 1.</summary>
    public IReadOnlyDictionary<string, long> Weights { get; init; } = new Dictionary<string, long>();

    /// <summary>-Primary: the failover primary; the other cluster is the secondary.</summary>
    public string? Primary { get; init; }

    /// <summary>-HealthCheckId: cluster to Route 53 health check id.</summary>
    public IReadOnlyDictionary<string, string> HealthChecks { get; init; } = new Dictionary<string, string>();

    /// <summary>-Location: cluster to a continent code (EU), a country code (DE), country-subdivision (US-CA) or * (the default).</summary>
    public IReadOnlyDictionary<string, string> Locations { get; init; } = new Dictionary<string, string>();

    public long Ttl { get; init; } = 60;
    public bool WhatIf { get; init; }

    /// <summary>How the clusters' Services are read: at once up to the throttle, each within the timeout.</summary>
    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// Route 53 record sets for one service name across the fleet: one per cluster endpoint, its set
/// identifier the cluster's name, routed by latency (the cluster's region), weight, failover or
/// geolocation. Everything is checked before Route 53 is asked to change anything; only record
/// sets that differ go into the one change batch, so a second run changes nothing.
/// </summary>
public sealed class DnsRecordService(IClusterConnector connector, IRoute53Client route53)
{
    private static readonly ResourceType ServiceType = new("", "v1", "Service", "services", true);

    public async Task<IReadOnlyList<FleetDnsRecord>> SetAsync(DnsRecordRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Clusters.Count == 0)
            throw Invalid(FleetErrorIds.NoClustersSelected, request.RecordName, "No clusters to write record sets for.", null);
        DnsRouting.Check(request, request.RecordName, request.Endpoints.Keys);
        // Every endpoint before Route 53 is asked anything: the record sets change in one batch or not at all.
        var read = await FleetRunner.ReadAllAsync(request.Clusters, request.FanOut with { Activity = "Reading load-balancer addresses" },
            (cluster, token) => EndpointAsync(request, cluster, token), cancellationToken).ConfigureAwait(false);
        var endpoints = request.Clusters.Zip(read).ToDictionary(pair => pair.First.Name, pair => pair.Second, StringComparer.OrdinalIgnoreCase);
        var type = RecordType(request, endpoints);
        var desired = request.Clusters.Select(c => Desired(request, c, endpoints[c.Name], type)).ToList();

        var zoneId = await ZoneIdAsync(request, cancellationToken).ConfigureAwait(false);
        var name = Route53Names.Absolute(request.RecordName);
        var live = (await route53.ListResourceRecordSetsAsync(zoneId, name, type, cancellationToken).ConfigureAwait(false))
            .Where(r => Route53Names.Absolute(r.Name) == name && string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();
        var otherPolicy = live.FirstOrDefault(r => r.Policy != desired[0].Record.Policy);
        if (otherPolicy is not null)
        {
            throw new FleetInputException(Route53ErrorIds.Route53ChangeRejected, FleetErrorCategory.InvalidOperation, name,
                $"{name} {type} already has {otherPolicy.Policy} record sets ({otherPolicy.SetIdentifier ?? "no set identifier"}); Route 53 allows one routing policy per name and type. Nothing was changed.",
                recommendedAction: "Delete the old record sets first, or use the policy they use.");
        }

        var changes = new List<Route53Change>();
        var results = new List<FleetDnsRecord>();
        foreach (var (cluster, record, routing) in desired)
        {
            var current = live.FirstOrDefault(r => r.SameSetAs(record));
            var same = current is not null && Same(current, record);
            var change = new Route53Change("UPSERT", record);
            if (!same) changes.Add(change);
            results.Add(new FleetDnsRecord
            {
                Cluster = cluster.Name, Name = name, Type = type, SetIdentifier = record.SetIdentifier!, Policy = request.Policy.ToString(), Routing = routing,
                Value = record.Values[0], HealthCheckId = record.HealthCheckId, Ttl = record.Ttl ?? 0,
                Action = same ? FleetResourceAction.Unchanged : current is null ? (request.WhatIf ? FleetResourceAction.WouldCreate : FleetResourceAction.Created)
                    : request.WhatIf ? FleetResourceAction.WouldChange : FleetResourceAction.Configured,
                Change = same ? "" : Route53Xml.ChangeBatch([change], null).Root!.Descendants(Route53Client.Ns + "Change").Single().ToString(),
            });
        }
        if (changes.Count == 0 || request.WhatIf)
        {
            return results.Select(r => r with
            {
                Message = r.Action == FleetResourceAction.Unchanged ? "The record set is as asked." : "Would UPSERT this record set in one change batch.",
            }).ToList();
        }
        var info = await route53.ChangeResourceRecordSetsAsync(zoneId, changes, $"multicluster Set-FleetDnsRecord {name}", cancellationToken).ConfigureAwait(false);
        return results.Select(r => r.Action == FleetResourceAction.Unchanged
            ? r with { Message = "The record set is as asked." }
            : r with { ChangeId = info.Id, Message = $"UPSERT submitted in change {info.Id} ({info.Status})." }).ToList();
    }

    private async Task<string> EndpointAsync(DnsRecordRequest request, FleetCluster cluster, CancellationToken cancellationToken)
    {
        var given = request.Endpoints.FirstOrDefault(e => string.Equals(e.Key, cluster.Name, StringComparison.OrdinalIgnoreCase));
        if (given.Key is not null) return given.Value;
        if (request.Service is null)
        {
            throw Invalid(DnsRecordErrorIds.DnsEndpointMissing, cluster.Name,
                $"Cluster '{cluster.Name}' has no endpoint: give it in -Endpoint, or name the Service whose load-balancer address it is with -Service. Nothing was changed.", null);
        }
        var parts = request.Service.Split('/', 2);
        var (ns, name) = parts.Length == 2 ? (parts[0], parts[1]) : ("default", parts[0]);
        var client = ClusterResources.For(connector.Connect(cluster), null).Client;
        var service = await client.GetAsync(ServiceType, ns, name, cancellationToken).ConfigureAwait(false);
        var ingress = service?.Json["status"]?["loadBalancer"]?["ingress"]?[0];
        var address = ingress?["ip"]?.ToString() is { Length: > 0 } ip ? ip : ingress?["hostname"]?.ToString();
        return address is { Length: > 0 } ? address : throw Invalid(DnsRecordErrorIds.DnsEndpointMissing, cluster.Name,
            service is null
                ? $"Cluster '{cluster.Name}' has no Service {ns}/{name} to take the endpoint from. Nothing was changed."
                : $"The Service {ns}/{name} on cluster '{cluster.Name}' has no load-balancer address yet. Nothing was changed.",
            "Wait for the load balancer, or give the address with -Endpoint.");
    }

    /// <summary>A, AAAA or CNAME from the endpoints: all IPv4, all IPv6, or all host names.</summary>
    private static string RecordType(DnsRecordRequest request, IReadOnlyDictionary<string, string> endpoints)
    {
        static string Kind(string value) => IPAddress.TryParse(value, out var ip)
            ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A"
            : "CNAME";
        var kinds = endpoints.GroupBy(e => Kind(e.Value)).ToList();
        if (kinds.Count == 1) return kinds[0].Key;
        throw Invalid(DnsRecordErrorIds.DnsEndpointMixed, request.RecordName,
            $"The endpoints mix {string.Join(" and ", kinds.Select(k => $"{k.Key} ({string.Join(", ", k.Select(e => e.Key))})"))}; one name can only have record sets of one type. Nothing was changed.", null);
    }

    private static (FleetCluster Cluster, Route53RecordSet Record, string Routing) Desired(DnsRecordRequest request, FleetCluster cluster, string endpoint, string type)
    {
        var record = new Route53RecordSet
        {
            Name = Route53Names.Absolute(request.RecordName), Type = type, SetIdentifier = cluster.Name, Ttl = request.Ttl,
            Values = [endpoint], HealthCheckId = DnsRouting.HealthCheckOf(request, cluster),
        };
        return request.Policy switch
        {
            DnsRoutingPolicy.Latency => (cluster, record with { Region = cluster.Region }, cluster.Region!),
            DnsRoutingPolicy.Weighted => (cluster, record with { Weight = DnsRouting.WeightOf(request, cluster) }, DnsRouting.WeightOf(request, cluster).ToString(CultureInfo.InvariantCulture)),
            DnsRoutingPolicy.Failover => FailoverOf(request, cluster, record),
            _ => (cluster, record with { GeoLocation = Geo(DnsRouting.LocationOf(request, cluster)!, cluster.Name) }, DnsRouting.LocationOf(request, cluster)!),
        };
    }

    private static (FleetCluster, Route53RecordSet, string) FailoverOf(DnsRecordRequest request, FleetCluster cluster, Route53RecordSet record)
    {
        var role = string.Equals(cluster.Name, request.Primary, StringComparison.OrdinalIgnoreCase) ? "PRIMARY" : "SECONDARY";
        return (cluster, record with { Failover = role }, role);
    }

    private static Route53GeoLocation Geo(string location, string cluster)
    {
        var (continent, country, subdivision) = DnsRouting.ParseLocation(location, cluster);
        return new Route53GeoLocation(ContinentCode: continent, CountryCode: country, SubdivisionCode: subdivision);
    }

    private static bool Same(Route53RecordSet live, Route53RecordSet wanted) =>
        live.Ttl == wanted.Ttl && live.Values.SequenceEqual(wanted.Values, StringComparer.OrdinalIgnoreCase) && live.Weight == wanted.Weight
        && live.Region == wanted.Region && live.GeoLocation == wanted.GeoLocation && live.Failover == wanted.Failover
        && live.HealthCheckId == wanted.HealthCheckId && live.AliasTarget is null;

    private async Task<string> ZoneIdAsync(DnsRecordRequest request, CancellationToken cancellationToken)
    {
        var zones = await route53.ListHostedZonesByNameAsync(request.ZoneName, cancellationToken).ConfigureAwait(false);
        var zone = zones.FirstOrDefault(z => z.Name == Route53Names.Absolute(request.ZoneName))
            ?? throw new FleetInputException(Route53ErrorIds.Route53ZoneNotFound, FleetErrorCategory.ObjectNotFound, request.ZoneName,
                $"Route 53 has no hosted zone named '{Route53Names.Absolute(request.ZoneName)}'. Nothing was changed.",
                recommendedAction: "Give the zone's name as Route 53 lists it (aws route53 list-hosted-zones-by-name).");
        if (!Route53Names.Absolute(request.RecordName).EndsWith(zone.Name, StringComparison.Ordinal))
        {
            throw new FleetInputException(Route53ErrorIds.Route53ChangeRejected, FleetErrorCategory.InvalidArgument, request.RecordName,
                $"The record '{request.RecordName}' is not in the zone '{zone.Name}'. Nothing was changed.");
        }
        return zone.Id;
    }

    private static FleetInputException Invalid(string id, string target, string message, string? action) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message, recommendedAction: action);
}
