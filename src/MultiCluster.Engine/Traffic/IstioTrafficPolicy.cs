using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Traffic;

/// <summary>
/// Locality load balancing for one service across the fleet's regions, as Istio writes it: a
/// ServiceEntry declaring the host inside the mesh and a DestinationRule whose
/// <c>trafficPolicy.loadBalancer.localityLbSetting</c> either distributes each source region's
/// traffic by weight or fails over region to region, with the outlier detection without which
/// Envoy never moves traffic off a failing locality.
/// </summary>
public sealed partial record IstioTrafficPolicy
{
    public const string DefaultApiVersion = "networking.istio.io/v1";
    public static readonly IReadOnlyList<string> ApiVersions = ["networking.istio.io/v1", "networking.istio.io/v1beta1"];

    public required string Name { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The host the ServiceEntry declares and the DestinationRule applies to; &lt;name&gt;.&lt;namespace&gt;.svc.cluster.local by default.</summary>
    public string? Host { get; init; }

    /// <summary>The service port the ServiceEntry declares (HTTP).</summary>
    public int Port { get; init; } = 80;

    /// <summary>Per source locality, the target localities and their weights (each source's add up to 100).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? Distribute { get; init; }

    /// <summary>Per region, the region its traffic fails over to.</summary>
    public IReadOnlyDictionary<string, string>? Failover { get; init; }

    /// <summary>5xx errors in a row before an endpoint is ejected.</summary>
    public int ConsecutiveErrors { get; init; } = 5;

    public string ApiVersion { get; init; } = DefaultApiVersion;

    public string EffectiveHost => Host ?? $"{Name}.{Namespace}.svc.cluster.local";

    /// <summary>
    /// Refuses what Istio would refuse or what could not work on this fleet, naming the value and
    /// where it came from, before anything is changed: weights, localities, regions no cluster of
    /// the fleet is in, selected clusters without a region, a cluster given twice.
    /// </summary>
    public IstioTrafficPolicy Validate(IReadOnlyList<FleetCluster> selected, IReadOnlyList<FleetCluster> fleet)
    {
        foreach (var (value, what) in new[] { (Name, "-Name"), (Namespace, "-Namespace") })
            if (value.Length is 0 or > 63 || !DnsLabel().IsMatch(value))
                throw Invalid(TrafficPolicyErrorIds.TrafficNameInvalid, value, $"'{value}' ({what}) is not a DNS label (lower-case letters, digits and '-', at most 63).");
        if (!DnsName().IsMatch(EffectiveHost))
            throw Invalid(TrafficPolicyErrorIds.TrafficNameInvalid, EffectiveHost, $"Host '{EffectiveHost}' (-HostName) is not a DNS name.");
        if (!ApiVersions.Contains(ApiVersion))
            throw Invalid(FleetErrorIds.ManifestInvalid, ApiVersion, $"API version '{ApiVersion}' (-ApiVersion) is not one of {string.Join(", ", ApiVersions)}.");
        if (Port is < 1 or > 65535)
            throw Invalid(FleetErrorIds.ManifestInvalid, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Port {Port} (-Port) is outside 1-65535.");
        if (ConsecutiveErrors < 1)
            throw Invalid(FleetErrorIds.ManifestInvalid, ConsecutiveErrors.ToString(System.Globalization.CultureInfo.InvariantCulture), $"-ConsecutiveErrors {ConsecutiveErrors} must be at least 1.");
        var distribute = Distribute is { Count: > 0 };
        var failover = Failover is { Count: > 0 };
        if (distribute == failover)
            throw Invalid(TrafficPolicyErrorIds.LocalityPolicyConflict, distribute ? "-Distribute, -Failover" : "(locality)", distribute
                ? "Give -Distribute or -Failover, not both: Istio refuses a localityLbSetting with distribute and failover together."
                : "Give -Distribute (weights per source region) or -Failover (a region per region).");

        var twice = selected.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw Invalid(TrafficPolicyErrorIds.ClusterDuplicate, twice.Key, $"Cluster '{twice.Key}' is given more than once.");
        var noRegion = selected.FirstOrDefault(c => string.IsNullOrEmpty(c.Region));
        if (noRegion is not null)
            throw Invalid(TrafficPolicyErrorIds.ClusterRegionMissing, noRegion.Name,
                $"Cluster '{noRegion.Name}' has no region in the fleet file, so locality load balancing cannot place its workloads.",
                "Give the cluster a region in the fleet file (the region of its nodes' topology.kubernetes.io/region label).");
        var regions = fleet.Select(c => c.Region ?? "").Where(r => r.Length > 0).ToHashSet(StringComparer.Ordinal);

        if (distribute)
        {
            foreach (var (from, targets) in Distribute!)
            {
                CheckLocality(from, $"-Distribute key '{from}'", regions);
                if (targets.Count == 0)
                    throw Invalid(TrafficPolicyErrorIds.LocalityWeightsInvalid, from, $"-Distribute['{from}'] names no target localities.");
                foreach (var (to, weight) in targets)
                {
                    CheckLocality(to, $"-Distribute['{from}'] key '{to}'", regions);
                    if (weight is < 1 or > 100)
                        throw Invalid(TrafficPolicyErrorIds.LocalityWeightsInvalid, from, $"Weight {weight} of '{to}' in -Distribute['{from}'] is outside 1-100.");
                }
                var sum = targets.Values.Sum();
                if (sum != 100)
                    throw Invalid(TrafficPolicyErrorIds.LocalityWeightsInvalid, from,
                        $"The weights of -Distribute['{from}'] add up to {sum}, not 100 ({string.Join(", ", targets.Select(t => $"{t.Key} = {t.Value}"))}).");
            }
        }
        else
        {
            foreach (var (from, to) in Failover!)
            {
                foreach (var (region, what) in new[] { (from, $"-Failover key '{from}'"), (to, $"-Failover['{from}']") })
                {
                    if (region.Contains('/') || region.Contains('*'))
                        throw Invalid(TrafficPolicyErrorIds.LocalityInvalid, region, $"'{region}' ({what}) must be a region: Istio fails over region to region, without zones or '*'.");
                    if (!regions.Contains(region))
                        throw Invalid(TrafficPolicyErrorIds.LocalityRegionUnknown, region, $"Region '{region}' ({what}) has no cluster in the fleet (regions: {string.Join(", ", regions.Order(StringComparer.Ordinal))}).");
                }
                if (from == to)
                    throw Invalid(TrafficPolicyErrorIds.LocalityInvalid, from, $"-Failover['{from}'] fails over to itself.");
            }
        }
        return this;
    }

    /// <summary>A locality region[/zone[/subzone]]: '*' only once and last; its region must be one of the fleet's.</summary>
    private static void CheckLocality(string locality, string what, IReadOnlySet<string> regions)
    {
        var parts = locality.Split('/');
        var star = locality.IndexOf('*');
        if (locality.Length == 0 || parts.Length > 3 || parts.Any(p => p.Length == 0) || (star >= 0 && (star != locality.Length - 1 || parts[^1] != "*")))
            throw Invalid(TrafficPolicyErrorIds.LocalityInvalid, locality, $"'{locality}' ({what}) is not a locality: region[/zone[/subzone]], with '*' only as the whole last part.");
        if (parts[0] != "*" && !regions.Contains(parts[0]))
            throw Invalid(TrafficPolicyErrorIds.LocalityRegionUnknown, locality,
                $"Region '{parts[0]}' ({what}) has no cluster in the fleet (regions: {string.Join(", ", regions.Order(StringComparer.Ordinal))}).");
    }

    /// <summary>A bare region means every zone of it, as Istio's docs write it (us-east-1/*).</summary>
    private static string Expand(string locality) => locality.Contains('/') || locality == "*" ? locality : locality + "/*";

    /// <summary>The ServiceEntry and the DestinationRule, the same for every cluster of a multi-primary mesh.</summary>
    public IReadOnlyList<KubeObject> Render()
    {
        var labels = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue };
        var serviceEntry = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "ServiceEntry",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace, ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["hosts"] = new JsonArray(EffectiveHost),
                ["location"] = "MESH_INTERNAL",
                ["resolution"] = "DNS",
                ["ports"] = new JsonArray(new JsonObject { ["number"] = Port, ["name"] = "http", ["protocol"] = "HTTP" }),
            },
        };
        var locality = new JsonObject { ["enabled"] = true };
        if (Distribute is { Count: > 0 })
            locality["distribute"] = new JsonArray(Distribute.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (JsonNode?)new JsonObject
            {
                ["from"] = Expand(d.Key),
                ["to"] = new JsonObject(d.Value.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => KeyValuePair.Create(Expand(t.Key), (JsonNode?)t.Value))),
            }).ToArray());
        else
            locality["failover"] = new JsonArray(Failover!.OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => (JsonNode?)new JsonObject { ["from"] = f.Key, ["to"] = f.Value }).ToArray());
        var destinationRule = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "DestinationRule",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace, ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["host"] = EffectiveHost,
                ["trafficPolicy"] = new JsonObject
                {
                    ["loadBalancer"] = new JsonObject { ["simple"] = "ROUND_ROBIN", ["localityLbSetting"] = locality },
                    // Without it Envoy never marks a locality unhealthy, so failover never happens.
                    ["outlierDetection"] = new JsonObject
                    {
                        ["consecutive5xxErrors"] = ConsecutiveErrors,
                        ["interval"] = "10s",
                        ["baseEjectionTime"] = "30s",
                        ["maxEjectionPercent"] = 100,
                    },
                },
            },
        };
        return [new KubeObject(serviceEntry), new KubeObject(destinationRule)];
    }

    private static FleetInputException Invalid(string id, string target, string message, string? action = null) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message + " Nothing was changed.", recommendedAction: action);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsName();
}
