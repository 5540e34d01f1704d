using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Traffic;

/// <summary>The routing options Set-FleetDnsRecord and Set-FleetExternalDns both take.</summary>
public interface IDnsRoutingRequest
{
    DnsRoutingPolicy Policy { get; }
    IReadOnlyList<FleetCluster> Clusters { get; }
    IReadOnlyDictionary<string, long> Weights { get; }
    string? Primary { get; }
    IReadOnlyDictionary<string, string> HealthChecks { get; }
    IReadOnlyDictionary<string, string> Locations { get; }
}

/// <summary>
/// One set of routing rules whether the records are written to Route 53 directly or through
/// ExternalDNS annotations: the same input is refused the same way, before anything changes.
/// </summary>
internal static class DnsRouting
{
    private static readonly string[] Continents = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

    /// <summary>Checks the options against the selected clusters; <paramref name="dnsName"/> names the record in messages.</summary>
    public static void Check(IDnsRoutingRequest request, string dnsName, IEnumerable<string> otherClusterNames)
    {
        foreach (var name in otherClusterNames.Concat(request.Weights.Keys).Concat(request.HealthChecks.Keys).Concat(request.Locations.Keys)
                     .Append(request.Primary).OfType<string>())
        {
            if (!request.Clusters.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new FleetInputException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
                    $"Cluster '{name}' is named in the routing options but is not one of the selected clusters ({NameList.Brief(request.Clusters.Select(c => c.Name))}). Nothing was changed.");
            }
        }
        switch (request.Policy)
        {
            case DnsRoutingPolicy.Weighted:
                var weights = request.Clusters.Select(c => WeightOf(request, c)).ToList();
                if (weights.Any(w => w is < 0 or > 255))
                    throw Invalid(DnsRecordErrorIds.DnsWeightInvalid, dnsName, "Route 53 weights are 0 to 255. Nothing was changed.", null);
                if (weights.Sum() == 0)
                {
                    throw Invalid(DnsRecordErrorIds.DnsWeightInvalid, dnsName,
                        $"The weights of {dnsName} sum to zero, so Route 53 would answer with every record set equally; give at least one cluster a weight above 0. Nothing was changed.", null);
                }
                break;
            case DnsRoutingPolicy.Failover:
                if (request.Clusters.Count != 2)
                {
                    throw Invalid(DnsRecordErrorIds.DnsFailoverInvalid, dnsName,
                        $"Failover routing needs exactly two clusters, a primary and a secondary; {request.Clusters.Count} were selected.", null);
                }
                if (request.Primary is null)
                    throw Invalid(DnsRecordErrorIds.DnsFailoverInvalid, dnsName, "Failover routing needs -Primary, the cluster that answers while it is healthy.", null);
                var primary = request.Clusters.First(c => string.Equals(c.Name, request.Primary, StringComparison.OrdinalIgnoreCase));
                if (HealthCheckOf(request, primary) is null)
                {
                    throw Invalid(DnsRecordErrorIds.DnsHealthCheckMissing, primary.Name,
                        $"The failover primary '{primary.Name}' has no health check (-HealthCheckId); Route 53 counts a record set without one as healthy, so {dnsName} would never fail over. Nothing was changed.",
                        "Create a Route 53 health check for the primary's endpoint and give its id with -HealthCheckId @{ <primary> = '<id>' }.");
                }
                break;
            case DnsRoutingPolicy.Geolocation:
                var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var cluster in request.Clusters)
                {
                    var location = LocationOf(request, cluster)
                        ?? throw Invalid(DnsRecordErrorIds.DnsLocationMissing, cluster.Name, $"Cluster '{cluster.Name}' has no location (-Location); geolocation routing needs one per cluster (a continent, a country, or * for the rest).", null);
                    ParseLocation(location, cluster.Name);
                    if (seen.TryGetValue(location, out var other))
                    {
                        throw Invalid(DnsRecordErrorIds.DnsLocationDuplicate, cluster.Name,
                            $"Clusters '{other}' and '{cluster.Name}' both claim location '{location}'; Route 53 allows one record set per location. Nothing was changed.", null);
                    }
                    seen[location] = cluster.Name;
                }
                break;
            case DnsRoutingPolicy.Latency:
                foreach (var cluster in request.Clusters.Where(c => string.IsNullOrEmpty(c.Region)))
                    throw Invalid(DnsRecordErrorIds.DnsRegionMissing, cluster.Name, $"Cluster '{cluster.Name}' has no region in the fleet file; latency routing needs the AWS region it runs in. Nothing was changed.", null);
                break;
        }
    }

    /// <summary>A continent (EU), a country (DE), a country and subdivision (US-CA) or * for the rest.</summary>
    public static (string? Continent, string? Country, string? Subdivision) ParseLocation(string location, string cluster)
    {
        var code = location.ToUpperInvariant();
        if (code == "*") return (null, "*", null);
        if (Continents.Contains(code)) return (code, null, null);
        var parts = code.Split('-', 2);
        if (parts[0].Length == 2 && parts[0].All(char.IsAsciiLetterUpper) && (parts.Length == 1 || parts[1].Length is > 0 and <= 3))
            return (null, parts[0], parts.Length == 2 ? parts[1] : null);
        throw Invalid(DnsRecordErrorIds.DnsLocationInvalid, cluster,
            $"Location '{location}' of cluster '{cluster}' is neither a continent code ({string.Join(", ", Continents)}), a country code (DE), a country and subdivision (US-CA), nor *.", null);
    }

    public static long WeightOf(IDnsRoutingRequest request, FleetCluster cluster) =>
        request.Weights.FirstOrDefault(w => string.Equals(w.Key, cluster.Name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } w ? w.Value : 1;

    public static string? HealthCheckOf(IDnsRoutingRequest request, FleetCluster cluster) =>
        request.HealthChecks.FirstOrDefault(h => string.Equals(h.Key, cluster.Name, StringComparison.OrdinalIgnoreCase)).Value;

    public static string? LocationOf(IDnsRoutingRequest request, FleetCluster cluster) =>
        request.Locations.FirstOrDefault(l => string.Equals(l.Key, cluster.Name, StringComparison.OrdinalIgnoreCase)).Value;

    private static FleetInputException Invalid(string id, string target, string message, string? action) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message, recommendedAction: action);
}
