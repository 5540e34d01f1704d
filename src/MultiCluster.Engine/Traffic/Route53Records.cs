namespace MultiCluster.Engine.Traffic;

/// <summary>A Route 53 hosted zone as ListHostedZonesByName returns it; <see cref="Id"/> without the <c>/hostedzone/</c> prefix.</summary>
public sealed record Route53HostedZone(string Id, string Name, bool PrivateZone, long ResourceRecordSetCount);

/// <summary>A geolocation: a continent, or a country (<c>*</c> = the default location) with an optional subdivision.</summary>
public sealed record Route53GeoLocation(string? ContinentCode = null, string? CountryCode = null, string? SubdivisionCode = null);

/// <summary>An alias target (another AWS resource's DNS name in its hosted zone).</summary>
public sealed record Route53AliasTarget(string HostedZoneId, string DnsName, bool EvaluateTargetHealth);

/// <summary>
/// One resource record set. Simple: name, type, TTL, values. Weighted: + SetIdentifier, Weight.
/// Failover: + SetIdentifier, Failover (PRIMARY | SECONDARY), HealthCheckId. Geolocation: +
/// SetIdentifier, GeoLocation. An alias has <see cref="AliasTarget"/> and no TTL or values.
/// </summary>
public sealed record Route53RecordSet
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public string? SetIdentifier { get; init; }
    public long? Weight { get; init; }

    /// <summary>Latency routing: the AWS region whose latency decides (with a SetIdentifier).</summary>
    public string? Region { get; init; }
    public Route53GeoLocation? GeoLocation { get; init; }
    public string? Failover { get; init; }
    public long? Ttl { get; init; }
    public IReadOnlyList<string> Values { get; init; } = [];
    public Route53AliasTarget? AliasTarget { get; init; }
    public string? HealthCheckId { get; init; }

    /// <summary>The routing policy the fields make: simple, weighted, failover, geolocation or latency.</summary>
    public string Policy => Weight is not null ? "weighted" : Failover is not null ? "failover" : GeoLocation is not null ? "geolocation"
        : Region is not null ? "latency" : "simple";

    /// <summary>Same name (ignoring case and the trailing dot), type and set identifier: the same record set to Route 53.</summary>
    public bool SameSetAs(Route53RecordSet other) =>
        string.Equals(Route53Names.Absolute(Name), Route53Names.Absolute(other.Name), StringComparison.OrdinalIgnoreCase)
        && string.Equals(Type, other.Type, StringComparison.OrdinalIgnoreCase)
        && SetIdentifier == other.SetIdentifier;

    public override string ToString() => $"{Route53Names.Absolute(Name)} {Type}{(SetIdentifier is null ? "" : $" ({SetIdentifier})")}";
}

/// <summary>One change of a change batch.</summary>
public sealed record Route53Change(string Action, Route53RecordSet RecordSet);

/// <summary>A change batch's status: PENDING until every Route 53 name server has it, then INSYNC.</summary>
public sealed record Route53ChangeInfo(string Id, string Status, DateTimeOffset SubmittedAt, string? Comment)
{
    public bool InSync => Status == "INSYNC";
}

/// <summary>DNS names as Route 53 keeps them.</summary>
public static class Route53Names
{
    /// <summary>The fully qualified form with its trailing dot, in lower case.</summary>
    public static string Absolute(string name) => name.EndsWith('.') ? name.ToLowerInvariant() : name.ToLowerInvariant() + ".";

    /// <summary>An id without its <c>/hostedzone/</c> or <c>/change/</c> prefix, as the SDKs keep it for paths.</summary>
    public static string BareId(string id) => id[(id.LastIndexOf('/') + 1)..];
}
