using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Access;

/// <summary>Stable error ids of identity federation (the shared ones are in FleetErrorIds).</summary>
public static class OidcErrorIds
{
    public const string OidcInputInvalid = nameof(OidcInputInvalid);
    public const string ControlPlaneNotFound = nameof(ControlPlaneNotFound);
    public const string ControlPlaneManagedByTopology = nameof(ControlPlaneManagedByTopology);
    public const string OidcMethodNotSupported = nameof(OidcMethodNotSupported);
    public const string OidcProviderUnknown = nameof(OidcProviderUnknown);
    public const string OidcProviderNotRendered = nameof(OidcProviderNotRendered);
}

/// <summary>
/// What every API server of the fleet is told about the issuer: its URL, the audience (client
/// id), which claims name the user and groups and the prefixes put before them, and the issuer's
/// CA when it is not publicly trusted. Built only through <see cref="Create"/>, which validates.
/// </summary>
public sealed partial record OidcSettings
{
    private OidcSettings() { }

    public string IssuerUrl { get; private init; } = "";
    public string ClientId { get; private init; } = "";
    public string UsernameClaim { get; private init; } = "";
    public string UsernamePrefix { get; private init; } = "";
    public string GroupsClaim { get; private init; } = "";
    public string GroupsPrefix { get; private init; } = "";

    /// <summary>PEM of the CA that signs the issuer's serving certificate; null for a publicly trusted issuer.</summary>
    public string? CertificateAuthority { get; private init; }

    public const string DefaultUsernameClaim = "email";
    public const string DefaultPrefix = "oidc:";
    public const string DefaultGroupsClaim = "groups";

    /// <summary>Checks everything before any cluster is contacted; <paramref name="caFile"/> is a PEM file read now.</summary>
    public static OidcSettings Create(string? issuerUrl, string? clientId, string? usernameClaim = DefaultUsernameClaim,
        string? usernamePrefix = DefaultPrefix, string? groupsClaim = DefaultGroupsClaim, string? groupsPrefix = DefaultPrefix, string? caFile = null)
    {
        var issuer = RequireHttpsUrl(issuerUrl, "-IssuerUrl");
        if (string.IsNullOrWhiteSpace(clientId) || clientId.Any(char.IsWhiteSpace))
            throw Invalid("-ClientId", $"-ClientId '{clientId}' is empty or holds white space; give the client id Dex issues tokens for.");
        foreach (var (name, value) in new[] { ("-UsernameClaim", usernameClaim), ("-GroupsClaim", groupsClaim) })
        {
            if (string.IsNullOrWhiteSpace(value) || !ClaimName().IsMatch(value))
                throw Invalid(name, $"{name} '{value}' is not a claim name (letters, digits, '_', '-', '.', ':').");
        }
        return new OidcSettings
        {
            IssuerUrl = issuer,
            ClientId = clientId,
            UsernameClaim = usernameClaim!,
            UsernamePrefix = usernamePrefix ?? "",
            GroupsClaim = groupsClaim!,
            GroupsPrefix = groupsPrefix ?? "",
            CertificateAuthority = caFile is null ? null : ReadCertificate(caFile),
        };
    }

    /// <summary>An absolute https URL without query or fragment, which is what the API server accepts as an issuer.</summary>
    internal static string RequireHttpsUrl(string? text, string parameter)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(parameter, $"{parameter} '{text}' is not an https URL without query or fragment; API servers only trust https issuers.");
        }
        return text!.TrimEnd('/');
    }

    internal static FleetInputException Invalid(string target, string message) =>
        new(OidcErrorIds.OidcInputInvalid, FleetErrorCategory.InvalidArgument, target, message);

    private static string ReadCertificate(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(OidcErrorIds.OidcInputInvalid, FleetErrorCategory.ObjectNotFound, path,
                $"-CaFile '{path}' cannot be read: {ex.Message}", ex);
        }
        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw Invalid(path, $"-CaFile '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        return text.Trim() + "\n";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]+\z")]
    private static partial Regex ClaimName();
}
