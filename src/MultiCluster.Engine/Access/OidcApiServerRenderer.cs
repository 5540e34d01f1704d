using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Access;

/// <summary>
/// The API server side of identity federation for one Kubernetes version: the <c>--oidc-*</c>
/// flags, and from 1.30 the structured AuthenticationConfiguration (beta in 1.30 as
/// <c>apiserver.config.k8s.io/v1beta1</c>, stable in 1.34 as <c>/v1</c>). The API server refuses
/// <c>--authentication-config</c> together with any <c>--oidc-*</c> flag, so a cluster gets one or the other.
/// </summary>
public static partial class OidcApiServerRenderer
{
    /// <summary>Where the structured configuration lives on every control-plane node.</summary>
    public const string AuthenticationConfigPath = "/etc/kubernetes/authentication-config.yaml";

    /// <summary>Where the issuer's CA goes for the flags; kubeadm already mounts /etc/kubernetes/pki into the API server.</summary>
    public const string CaFilePath = "/etc/kubernetes/pki/oidc-ca.crt";

    public const string AuthenticationConfigArg = "authentication-config";
    public const string FlagPrefix = "oidc-";

    private const int FirstStructuredMinor = 30;
    private const int FirstStableMinor = 34;

    /// <summary>The <c>--oidc-*</c> flags (names without dashes), in the order the API server documents them.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Flags(OidcSettings settings)
    {
        var flags = new List<KeyValuePair<string, string>>
        {
            new("oidc-issuer-url", settings.IssuerUrl),
            new("oidc-client-id", settings.ClientId),
            new("oidc-username-claim", settings.UsernameClaim),
            new("oidc-username-prefix", settings.UsernamePrefix),
            new("oidc-groups-claim", settings.GroupsClaim),
            new("oidc-groups-prefix", settings.GroupsPrefix),
        };
        if (settings.CertificateAuthority is not null) flags.Add(new("oidc-ca-file", CaFilePath));
        return flags;
    }

    /// <summary>The minor version of <c>v1.32.3</c>, <c>1.31</c> or <c>v1.30.2-eks-1</c>; null when the text is not a 1.x version.</summary>
    public static int? Minor(string? kubernetesVersion)
    {
        var match = kubernetesVersion is null ? Match.Empty : VersionPattern().Match(kubernetesVersion.Trim());
        return match.Success ? int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The AuthenticationConfiguration apiVersion the version serves by default; null before 1.30 (alpha there, behind a feature gate).</summary>
    public static string? AuthenticationConfigurationApiVersion(string? kubernetesVersion) => Minor(kubernetesVersion) switch
    {
        >= FirstStableMinor => "apiserver.config.k8s.io/v1",
        >= FirstStructuredMinor => "apiserver.config.k8s.io/v1beta1",
        _ => null,
    };

    /// <summary>Structured configuration for 1.30 and newer, flags otherwise (also when the version is unknown: flags work everywhere).</summary>
    public static FleetOidcMethod DefaultMethod(string? kubernetesVersion) =>
        AuthenticationConfigurationApiVersion(kubernetesVersion) is null ? FleetOidcMethod.Flags : FleetOidcMethod.AuthenticationConfiguration;

    /// <summary>The AuthenticationConfiguration for the version; null before 1.30.</summary>
    public static JsonObject? AuthenticationConfiguration(OidcSettings settings, string? kubernetesVersion)
    {
        if (AuthenticationConfigurationApiVersion(kubernetesVersion) is not { } apiVersion) return null;
        var issuer = new JsonObject
        {
            ["url"] = settings.IssuerUrl,
            ["audiences"] = new JsonArray(settings.ClientId),
        };
        if (settings.CertificateAuthority is { } ca) issuer["certificateAuthority"] = ca;
        return new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "AuthenticationConfiguration",
            ["jwt"] = new JsonArray(new JsonObject
            {
                ["issuer"] = issuer,
                ["claimMappings"] = new JsonObject
                {
                    ["username"] = new JsonObject { ["claim"] = settings.UsernameClaim, ["prefix"] = settings.UsernamePrefix },
                    ["groups"] = new JsonObject { ["claim"] = settings.GroupsClaim, ["prefix"] = settings.GroupsPrefix },
                },
            }),
        };
    }

    /// <summary>The model object for one cluster.</summary>
    public static FleetOidcApiServerConfig Describe(string cluster, OidcSettings settings, string? kubernetesVersion)
    {
        var structured = AuthenticationConfiguration(settings, kubernetesVersion);
        return new FleetOidcApiServerConfig
        {
            Cluster = cluster,
            KubernetesVersion = kubernetesVersion,
            Method = DefaultMethod(kubernetesVersion),
            Flags = Flags(settings).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
            AuthenticationConfigurationApiVersion = structured?["apiVersion"]!.GetValue<string>(),
            AuthenticationConfiguration = structured is null ? null : Resources.YamlWriter.Write(structured),
        };
    }

    [GeneratedRegex(@"^v?1\.(?<minor>0|[1-9][0-9]*)(\.|\z)")]
    private static partial Regex VersionPattern();
}
