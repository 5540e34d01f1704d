using System.Management.Automation;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Traffic;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// What Invoke-FleetFailover and Invoke-FleetFailback share: the two clusters, the namespaces,
/// the traffic switch composed from its parameters (Recovery never uses Traffic; the cmdlet
/// joins them through <see cref="ITrafficSwitch"/>), the health URL, warm-standby replicas.
/// </summary>
public abstract class FailoverCmdlet : FleetCmdlet
{
    /// <summary>The cluster traffic leaves (the failed primary; for a failback, the standby); a piped FleetCluster binds here.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string From { get; set; } = "";

    /// <summary>The cluster that takes over (the standby; for a failback, the recovered primary).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string To { get; set; } = "";

    /// <summary>The namespaces to restore; all the backup holds when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Namespace { get; set; } = [];

    /// <summary>How traffic moves: Route53 (an UPSERT of -RecordName to -Target, waited until INSYNC) or None.</summary>
    [Parameter]
    [ValidateSet("Route53", "ExternalDns", "None")]
    public string TrafficProvider { get; set; } = "None";

    /// <summary>The Route 53 hosted zone's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ZoneName { get; set; }

    /// <summary>The record that carries the service's traffic.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RecordName { get; set; }

    /// <summary>The record's type.</summary>
    [Parameter]
    [ValidateSet("A", "AAAA", "CNAME")]
    public string RecordType { get; set; } = "A";

    /// <summary>The record set's identifier when it belongs to a weighted, failover or geolocation group.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SetIdentifier { get; set; }

    /// <summary>The standby's address or name the record points to after the switch.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    /// <summary>The AWS profile for Route 53; the default credential chain when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AwsProfile { get; set; }

    /// <summary>The Route 53 endpoint (China, GovCloud, or a test double); the global one when omitted.</summary>
    [Parameter]
    public Uri? Route53Endpoint { get; set; }

    /// <summary>With -TrafficProvider ExternalDns: the object whose ExternalDNS annotations move, as kind/namespace/name (service/shop/web, ingress/shop/web).</summary>
    [Parameter]
    [ValidatePattern("^(?i:service|ingress)/[^/]+/[^/]+$")]
    public string? ExternalDnsObject { get; set; }

    /// <summary>With -TrafficProvider ExternalDns: both objects already carry the name as a Route 53 failover pair; flip aws-failover instead of moving the name.</summary>
    [Parameter]
    public SwitchParameter ExternalDnsFailoverPolicy { get; set; }

    /// <summary>A URL that must answer with success after the switch.</summary>
    [Parameter]
    public Uri? HealthUrl { get; set; }

    /// <summary>The replicas a warm standby's workload kept at zero gets when it has no multicluster.io/standby-replicas annotation.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Replicas { get; set; }

    /// <summary>The namespace Velero runs in.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string VeleroNamespace { get; set; } = "velero";



    /// <summary>The traffic switch the parameters ask for; null for -TrafficProvider None. Terminates on a missing parameter.</summary>
    protected ITrafficSwitch? TrafficSwitch(FleetCluster from, FleetCluster to)
    {
        switch (TrafficProvider)
        {
            case "Route53":
                if (ZoneName is null || RecordName is null || Target is null)
                    Terminate(new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, "TrafficProvider",
                        "-TrafficProvider Route53 needs -ZoneName, -RecordName and -Target."));
                return new Route53TrafficSwitch(new Route53Client(AwsProfile, Route53Endpoint), ZoneName!, RecordName!, RecordType, Target!, SetIdentifier);
            case "ExternalDns":
                if (ExternalDnsObject is null || RecordName is null)
                    Terminate(new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, "TrafficProvider",
                        "-TrafficProvider ExternalDns needs -ExternalDnsObject (kind/namespace/name) and -RecordName (the host name)."));
                var parts = ExternalDnsObject!.Split('/');
                return new ExternalDnsTrafficSwitch(RunspaceSessions.Current.Connector, from, to, parts[0], parts[1], parts[2], RecordName!, ExternalDnsFailoverPolicy);
            default:
                return null;
        }
    }

    /// <summary>The one cluster a -From or -To names.</summary>
    internal static FleetCluster One(string name)
    {
        var selected = RunspaceSessions.Current.Select(new ClusterPlacement { Names = [name] });
        if (selected.NotFound.Count > 0) throw selected.NotFound[0];
        if (selected.Clusters.Count != 1)
        {
            throw new FleetException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.InvalidArgument, name,
                $"'{name}' names {selected.Clusters.Count} clusters; a failover, failback or drill needs exactly one on each side.");
        }
        return selected.Clusters[0];
    }
}
