namespace MultiCluster;

/// <summary>How an API server is told about the OIDC issuer.</summary>
public enum FleetOidcMethod
{
    /// <summary>The <c>--oidc-*</c> flags (every Kubernetes version; the only way before 1.30).</summary>
    Flags,

    /// <summary>A structured AuthenticationConfiguration file and <c>--authentication-config</c> (Kubernetes 1.30 and newer).</summary>
    AuthenticationConfiguration,
}

/// <summary>The identity provider behind the OIDC issuer the API servers trust.</summary>
public enum FleetIdentityProvider
{
    /// <summary>Dex, which New-FleetOidcConfig renders and installs.</summary>
    Dex,
    Keycloak,
    Okta,
    EntraId,

    /// <summary>Any other OpenID Connect issuer.</summary>
    Generic,
}

/// <summary>Where Dex reads one secret from: an environment variable, filled from a Kubernetes Secret when one is named.</summary>
public sealed class FleetOidcSecretReference
{
    /// <summary>The connector field the secret fills, e.g. <c>ldap.bindPW</c>.</summary>
    public required string Field { get; init; }

    /// <summary>The variable Dex expands (<c>$NAME</c> in the configuration).</summary>
    public required string EnvironmentVariable { get; init; }

    /// <summary>The Kubernetes Secret in Dex's namespace that fills the variable; null when the variable is set some other way.</summary>
    public string? SecretName { get; init; }

    public string? SecretKey { get; init; }

    public override string ToString() =>
        SecretName is null ? $"{Field}: ${EnvironmentVariable}" : $"{Field}: ${EnvironmentVariable} from secret {SecretName}/{SecretKey}";
}

/// <summary>
/// The Dex configuration for the fleet: its issuer, connector, the one static client every
/// cluster's API server accepts, and where each secret comes from (never a secret value).
/// </summary>
public sealed record FleetDexConfig
{
    public required string Issuer { get; init; }
    public required string ClientId { get; init; }

    /// <summary><c>ldap</c> or <c>oidc</c>.</summary>
    public required string Connector { get; init; }

    public IReadOnlyList<string> RedirectUris { get; init; } = [];
    public IReadOnlyList<FleetOidcSecretReference> SecretReferences { get; init; } = [];

    /// <summary>Dex's <c>config.yaml</c>.</summary>
    public required string Yaml { get; init; }

    /// <summary>The <c>env</c> entries of Dex's container that fill the referenced variables from their Secrets.</summary>
    public string? EnvironmentYaml { get; init; }

    /// <summary>The file the configuration was written to (with -OutputPath).</summary>
    public string? Path { get; init; }

    /// <summary>The namespace of the identity cluster Dex is installed in.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// What runs Dex beside its configuration: Namespace, ServiceAccount, ClusterRole and binding for its
    /// Kubernetes storage, the configuration's Secret, Service and Deployment (never the moved values).
    /// </summary>
    public string? InstallYaml { get; init; }

    /// <summary>The file the install manifests were written to (with -OutputPath).</summary>
    public string? InstallPath { get; init; }

    /// <summary>
    /// The inline secrets of an existing configuration (-DexConfigPath) that were moved into the Secret
    /// dex-moved-secrets and an environment reference: where each was, never its value.
    /// </summary>
    public IReadOnlyList<FleetOidcSecretReference> MovedSecrets { get; init; } = [];

    public override string ToString() => $"Dex {Issuer} ({Connector})";
}

/// <summary>The API server settings of one cluster for the fleet's OIDC issuer.</summary>
public sealed record FleetOidcApiServerConfig
{
    public required string Cluster { get; init; }

    /// <summary>The version the settings were chosen for; null when it could not be told.</summary>
    public string? KubernetesVersion { get; init; }

    /// <summary>What Set-FleetOidc applies for this version by default.</summary>
    public FleetOidcMethod Method { get; init; }

    /// <summary>The <c>--oidc-*</c> flags (name without dashes, value), for every version.</summary>
    public IReadOnlyDictionary<string, string> Flags { get; init; } = new Dictionary<string, string>();

    /// <summary><c>apiserver.config.k8s.io/v1beta1</c> (1.30 to 1.33) or <c>/v1</c> (1.34 and newer); null before 1.30.</summary>
    public string? AuthenticationConfigurationApiVersion { get; init; }

    /// <summary>The AuthenticationConfiguration document; null before 1.30.</summary>
    public string? AuthenticationConfiguration { get; init; }

    /// <summary>The flags file written with -OutputPath.</summary>
    public string? FlagsPath { get; init; }

    /// <summary>The AuthenticationConfiguration file written with -OutputPath.</summary>
    public string? AuthenticationConfigurationPath { get; init; }

    public override string ToString() => $"{Cluster}: {Method}";
}
