namespace MultiCluster;

/// <summary>One cluster's Service or Ingress as Set-FleetExternalDns annotated it for ExternalDNS: its routing and what changed.</summary>
public sealed record FleetExternalDnsRecord
{
    public required string Cluster { get; init; }

    /// <summary>Service or Ingress.</summary>
    public required string Kind { get; init; }

    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>The host name ExternalDNS publishes.</summary>
    public required string Hostname { get; init; }

    /// <summary>The set identifier (the cluster's name).</summary>
    public required string SetIdentifier { get; init; }

    /// <summary>Latency, Weighted, Failover or Geolocation.</summary>
    public required string Policy { get; init; }

    /// <summary>The routing value: the region, the weight, PRIMARY or SECONDARY, or the location code.</summary>
    public string Routing { get; init; } = "";

    /// <summary>The --txt-owner-id of the cluster's ExternalDNS; empty when the check was skipped.</summary>
    public string OwnerId { get; init; } = "";

    public FleetResourceAction Action { get; init; }

    /// <summary>The annotations set (key=value) and removed (key-), in key order; empty when Unchanged.</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];

    public string Message { get; init; } = "";

    public override string ToString() => $"{Kind} {Namespace}/{Name} on {Cluster} ({Hostname}): {Action}";
}
