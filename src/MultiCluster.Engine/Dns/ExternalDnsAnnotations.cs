namespace MultiCluster.Engine.Dns;

/// <summary>
/// The annotations ExternalDNS reads from a Service or Ingress (source/annotations in
/// kubernetes-sigs/external-dns, AWS provider properties in provider/aws). Shared because the
/// failover (Recovery) and the record cmdlets (Traffic) must write exactly the same keys.
/// </summary>
public static class ExternalDnsAnnotations
{
    public const string Prefix = "external-dns.kubernetes.io/";

    /// <summary>Comma-separated host names; ExternalDNS strips spaces.</summary>
    public const string Hostname = Prefix + "hostname";
    public const string Ttl = Prefix + "ttl";
    /// <summary>Required by every routing policy; one policy per DNS name.</summary>
    public const string SetIdentifier = Prefix + "set-identifier";
    public const string Target = Prefix + "target";

    public const string AwsWeight = Prefix + "aws-weight";
    public const string AwsRegion = Prefix + "aws-region";
    /// <summary>PRIMARY or SECONDARY.</summary>
    public const string AwsFailover = Prefix + "aws-failover";
    /// <summary>Wins over the country code when both are present.</summary>
    public const string AwsGeolocationContinentCode = Prefix + "aws-geolocation-continent-code";
    public const string AwsGeolocationCountryCode = Prefix + "aws-geolocation-country-code";
    public const string AwsGeolocationSubdivisionCode = Prefix + "aws-geolocation-subdivision-code";
    public const string AwsHealthCheckId = Prefix + "aws-health-check-id";
    public const string AwsEvaluateTargetHealth = Prefix + "aws-evaluate-target-health";

    public const string FailoverPrimary = "PRIMARY";
    public const string FailoverSecondary = "SECONDARY";

    /// <summary>Every routing-policy annotation: setting one policy removes the others.</summary>
    public static readonly IReadOnlyList<string> RoutingPolicyKeys =
    [
        AwsWeight, AwsRegion, AwsFailover, AwsGeolocationContinentCode, AwsGeolocationCountryCode,
        AwsGeolocationSubdivisionCode,
    ];

    /// <summary>The host names of an annotation value, as ExternalDNS splits them.</summary>
    public static IReadOnlyList<string> SplitHostnames(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Replace(" ", "", StringComparison.Ordinal)
                .Split(',', StringSplitOptions.RemoveEmptyEntries);
}
