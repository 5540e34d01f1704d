using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MultiCluster.Engine.Traffic;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Traffic;

/// <summary>
/// Annotates one Service or Ingress on each selected cluster for ExternalDNS: the host name, the
/// cluster's name as set identifier, and its part of a latency, weighted, failover or geolocation
/// policy (the same options as Set-FleetDnsRecord). Each cluster's ExternalDNS is checked first;
/// only the ExternalDNS annotations are merge-patched; a second run changes nothing.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FleetExternalDns", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetExternalDnsRecord))]
public sealed class SetFleetExternalDnsCommand : FanOutCmdlet
{
    /// <summary>The Service or Ingress to annotate.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The namespace of the Service or Ingress.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "default";

    /// <summary>Service or Ingress.</summary>
    [Parameter]
    [ValidateSet("Service", "Ingress")]
    public string Kind { get; set; } = "Service";

    /// <summary>The DNS name ExternalDNS publishes, for example shop.example.com.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Hostname { get; set; } = "";

    /// <summary>Latency (the cluster's region), Weighted, Failover or Geolocation.</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("Latency", "Weighted", "Failover", "Geolocation")]
    public string Policy { get; set; } = "";

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

    /// <summary>The records' TTL in seconds; the ttl annotation is left as it is when omitted.</summary>
    [Parameter]
    [ValidateRange(1, 2147483647)]
    public long Ttl { get; set; }

    /// <summary>Annotate without checking that each cluster runs ExternalDNS covering the host name.</summary>
    [Parameter]
    public SwitchParameter SkipExternalDnsCheck { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var whatIf = IsWhatIf;
        if (!whatIf && !ShouldProcess($"{Kind} {Namespace}/{Name} on {string.Join(", ", clusters.Select(c => c.Name))}: {Policy.ToLowerInvariant()} ExternalDNS annotations for {Hostname}",
                "Set-FleetExternalDns"))
            return;
        var request = new ExternalDnsRequest
        {
            Kind = Kind, Namespace = Namespace, Name = Name, Hostname = Hostname, Policy = Enum.Parse<DnsRoutingPolicy>(Policy, ignoreCase: true), Clusters = clusters, FanOut = FanOutSettings(),
            Primary = Primary, HealthChecks = Strings(HealthCheckId), Locations = Strings(Location), Ttl = MyInvocation.BoundParameters.ContainsKey(nameof(Ttl)) ? Ttl : null,
            SkipExternalDnsCheck = SkipExternalDnsCheck, WhatIf = whatIf,
            Weights = Strings(Weight).ToDictionary(w => w.Key, w => long.TryParse(w.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1,
                StringComparer.OrdinalIgnoreCase),
        };
        var session = RunspaceSessions.Current;
        RunEngine(async cancel =>
        {
            foreach (var record in await new ExternalDnsAnnotationService(session.Connector).SetAsync(request, cancel).ConfigureAwait(false))
            {
                // -WhatIf names, per cluster, the annotations it would set (key=value) and remove (key-).
                if (whatIf && record.Changes.Count > 0)
                    OnPipeline(() => ShouldProcess($"{record.Cluster}: {record.Kind} {record.Namespace}/{record.Name}", $"Set ExternalDNS annotations {string.Join(", ", record.Changes)}"));
                Emit(record);
            }
        });
    }

    private static Dictionary<string, string> Strings(Hashtable? table) =>
        table is null ? new(StringComparer.OrdinalIgnoreCase)
            : table.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? "", e => Convert.ToString(PowerShellObjects.ToPlain(e.Value), CultureInfo.InvariantCulture) ?? "",
                StringComparer.OrdinalIgnoreCase);
}
