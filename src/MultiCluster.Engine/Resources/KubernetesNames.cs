using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// The API server's name rules (k8s.io/apimachinery validation): checked before a request so a refused
/// name never reaches a cluster. Each returns why the name is refused, or null when the server takes it.
/// </summary>
public static partial class KubernetesNames
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;

    /// <summary>A DNS-1123 label: namespaces, Services and most names that become DNS names.</summary>
    public static string? DnsLabelProblem(string? name) =>
        string.IsNullOrEmpty(name) ? "is empty"
        : name.Length > MaxLabelLength ? $"is {name.Length} characters long; at most {MaxLabelLength} are allowed"
        : !DnsLabel().IsMatch(name) ? "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)"
        : null;

    /// <summary>A DNS-1123 subdomain: the name of most objects (ConfigMaps, custom resources, RBAC objects).</summary>
    public static string? DnsSubdomainProblem(string? name) =>
        string.IsNullOrEmpty(name) ? "is empty"
        : name.Length > MaxSubdomainLength ? $"is {name.Length} characters long; at most {MaxSubdomainLength} are allowed"
        : !DnsSubdomain().IsMatch(name) ? "is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)"
        : null;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
