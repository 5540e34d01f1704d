namespace MultiCluster.Engine.Traffic;

/// <summary>Stable error ids of Set-FleetDnsRecord's input checks, beside <see cref="Route53ErrorIds"/>.</summary>
public static class DnsRecordErrorIds
{
    /// <summary>A cluster has no endpoint: none in -Endpoint and no load-balancer address on its Service.</summary>
    public const string DnsEndpointMissing = nameof(DnsEndpointMissing);

    /// <summary>The endpoints mix addresses and host names (or IPv4 and IPv6).</summary>
    public const string DnsEndpointMixed = nameof(DnsEndpointMixed);

    /// <summary>A weight outside 0-255, or weights summing to zero.</summary>
    public const string DnsWeightInvalid = nameof(DnsWeightInvalid);

    /// <summary>Failover without exactly two clusters or without -Primary.</summary>
    public const string DnsFailoverInvalid = nameof(DnsFailoverInvalid);

    /// <summary>A non-alias failover primary without a health check.</summary>
    public const string DnsHealthCheckMissing = nameof(DnsHealthCheckMissing);

    /// <summary>A cluster without a location under geolocation routing.</summary>
    public const string DnsLocationMissing = nameof(DnsLocationMissing);

    /// <summary>A location that is no continent, country, subdivision or *.</summary>
    public const string DnsLocationInvalid = nameof(DnsLocationInvalid);

    /// <summary>Two clusters claim the same geolocation.</summary>
    public const string DnsLocationDuplicate = nameof(DnsLocationDuplicate);

    /// <summary>A cluster without a region under latency routing.</summary>
    public const string DnsRegionMissing = nameof(DnsRegionMissing);
}

/// <summary>Stable error ids of Set-FleetExternalDns's checks, beside <see cref="DnsRecordErrorIds"/>.</summary>
public static class ExternalDnsErrorIds
{
    /// <summary>The Service or Ingress to annotate is missing on a cluster.</summary>
    public const string ExternalDnsObjectNotFound = nameof(ExternalDnsObjectNotFound);

    /// <summary>A kind other than Service or Ingress.</summary>
    public const string ExternalDnsKindInvalid = nameof(ExternalDnsKindInvalid);

    /// <summary>No host name, or several: a routing policy applies to one DNS name.</summary>
    public const string ExternalDnsHostnameInvalid = nameof(ExternalDnsHostnameInvalid);

    /// <summary>No ExternalDNS Deployment (by image or app.kubernetes.io/name label) on a cluster.</summary>
    public const string ExternalDnsNotFound = nameof(ExternalDnsNotFound);

    /// <summary>No --domain-filter of a cluster's ExternalDNS covers the host name.</summary>
    public const string ExternalDnsDomainNotCovered = nameof(ExternalDnsDomainNotCovered);

    /// <summary>Two clusters' ExternalDNS share a --txt-owner-id, so each would take over the other's records.</summary>
    public const string ExternalDnsOwnerConflict = nameof(ExternalDnsOwnerConflict);
}
