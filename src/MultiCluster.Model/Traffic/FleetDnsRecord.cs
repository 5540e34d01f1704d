namespace MultiCluster;

/// <summary>One Route 53 record set of a fleet service name: one cluster's endpoint, with its routing and what Set-FleetDnsRecord did to it.</summary>
public sealed record FleetDnsRecord
{
    /// <summary>The cluster whose endpoint the record set answers with.</summary>
    public required string Cluster { get; init; }

    /// <summary>The record name, fully qualified with its trailing dot.</summary>
    public required string Name { get; init; }

    /// <summary>A, AAAA or CNAME.</summary>
    public required string Type { get; init; }

    /// <summary>The record set's identifier within its routing group (the cluster's name).</summary>
    public required string SetIdentifier { get; init; }

    /// <summary>Latency, Weighted, Failover or Geolocation.</summary>
    public required string Policy { get; init; }

    /// <summary>The routing value: the region (latency), the weight, PRIMARY or SECONDARY, or the location code.</summary>
    public string Routing { get; init; } = "";

    /// <summary>The endpoint: an address or a host name.</summary>
    public required string Value { get; init; }

    public string? HealthCheckId { get; init; }

    public long Ttl { get; init; }

    public FleetResourceAction Action { get; init; }

    /// <summary>The change batch entry (action and record set, in Route 53's XML) when the record set changes; empty when Unchanged.</summary>
    public string Change { get; init; } = "";

    /// <summary>The Route 53 change id once submitted.</summary>
    public string? ChangeId { get; init; }

    public string Message { get; init; } = "";

    public override string ToString() => $"{Name} {Type} ({SetIdentifier}): {Action}";
}
