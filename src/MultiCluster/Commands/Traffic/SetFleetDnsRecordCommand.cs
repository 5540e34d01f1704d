using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MultiCluster.Engine.Traffic;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Traffic;

/// <summary>
/// Writes the Route 53 record sets of one service name across the selected clusters: one per
/// cluster endpoint (from -Endpoint or the -Service's load-balancer address), its set identifier
/// the cluster's name, routed by latency, weight, failover or geolocation. Bad input stops the
/// command before Route 53 is asked anything; -WhatIf shows the change batch; a second run
/// changes nothing.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FleetDnsRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetDnsRecord))]
public sealed class SetFleetDnsRecordCommand : FanOutCmdlet
{
    /// <summary>The record name, for example shop.example.com.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The Route 53 hosted zone holding the name.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ZoneName { get; set; } = "";

    /// <summary>Latency (the cluster's region), Weighted, Failover or Geolocation.</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("Latency", "Weighted", "Failover", "Geolocation")]
    public string Policy { get; set; } = "";

    /// <summary>Cluster to address or host name; clusters not named take the -Service's load-balancer address.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Endpoint { get; set; }

    /// <summary>The Service (namespace/name) whose load-balancer address is a cluster's endpoint.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>Weighted: cluster to weight (0-255); others get 1.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Weight { get; set; }

    /// <summary>Failover: the primary cluster; the other is the secondary.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Primary { get; set; }

    /// <summary>Cluster to Route 53 health check id; required for the failover primary.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? HealthCheckId { get; set; }

    /// <summary>Geolocation: cluster to continent (EU), country (DE), country-subdivision (US-CA) or * (everyone else).</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Location { get; set; }

    /// <summary>The record sets' TTL in seconds.</summary>
    [Parameter]
    [ValidateRange(0, 2147483647)]
    public long Ttl { get; set; } = 60;

    /// <summary>The AWS profile for Route 53; the default credential chain when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AwsProfile { get; set; }

    /// <summary>The Route 53 endpoint (China, GovCloud, or a test double); the global one when omitted.</summary>
    [Parameter]
    public Uri? Route53Endpoint { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var whatIf = IsWhatIf;
        if (!whatIf && !ShouldProcess($"Route 53 zone {ZoneName}: {Policy.ToLowerInvariant()} record sets of {Name} for {string.Join(", ", clusters.Select(c => c.Name))}",
                "Set-FleetDnsRecord"))
            return;
        var request = new DnsRecordRequest
        {
            ZoneName = ZoneName, RecordName = Name, Policy = Enum.Parse<DnsRoutingPolicy>(Policy, ignoreCase: true), Clusters = clusters, WhatIf = whatIf, FanOut = FanOutSettings(),
            Endpoints = Strings(Endpoint), Service = Service, Primary = Primary, HealthChecks = Strings(HealthCheckId), Locations = Strings(Location), Ttl = Ttl,
            Weights = Strings(Weight).ToDictionary(w => w.Key, w => long.TryParse(w.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1,
                StringComparer.OrdinalIgnoreCase),
        };
        var session = RunspaceSessions.Current;
        RunEngine(async cancel =>
        {
            using var route53 = new Route53Client(AwsProfile, Route53Endpoint);
            foreach (var record in await new DnsRecordService(session.Connector, route53).SetAsync(request, cancel).ConfigureAwait(false)) Emit(record);
        });
    }

    private static Dictionary<string, string> Strings(Hashtable? table) =>
        table is null ? new(StringComparer.OrdinalIgnoreCase)
            : table.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? "", e => Convert.ToString(PowerShellObjects.ToPlain(e.Value), CultureInfo.InvariantCulture) ?? "",
                StringComparer.OrdinalIgnoreCase);
}
