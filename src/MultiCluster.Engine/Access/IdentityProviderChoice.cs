using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Access;

/// <summary>
/// Which identity provider the OIDC cmdlets work for, and why: -Provider when given, else what the
/// fleet's reference architecture names in <c>identity.federation</c> ("Dex with OIDC" is Dex), else
/// the cmdlet's own default. An identity section whose text names no provider is refused rather
/// than guessed at.
/// </summary>
public sealed record IdentityProviderChoice(FleetIdentityProvider Provider, string Reason)
{
    public static IdentityProviderChoice Resolve(FleetIdentityProvider? given, FleetArchitecture? architecture, FleetIdentityProvider fallback)
    {
        if (given is { } explicitProvider) return new(explicitProvider, "-Provider");
        if (architecture?.Identity.Federation is not { } federation)
            return new(fallback, "the default: the fleet's architecture has no identity.federation");
        var provider = federation.Provider switch
        {
            "Dex" => FleetIdentityProvider.Dex,
            "Keycloak" => FleetIdentityProvider.Keycloak,
            "Okta" => FleetIdentityProvider.Okta,
            "EntraId" => FleetIdentityProvider.EntraId,
            "OIDC" => FleetIdentityProvider.Generic,
            _ => (FleetIdentityProvider?)null,
        };
        if (provider is null)
        {
            throw new FleetInputException(OidcErrorIds.OidcProviderUnknown, FleetErrorCategory.InvalidArgument, "identity.federation",
                $"The fleet's identity.federation says '{federation.Text}', which names no identity provider this module knows ({string.Join(", ", Enum.GetNames<FleetIdentityProvider>())}).",
                recommendedAction: "Give -Provider, or name the provider in identity.federation (for example 'Dex with OIDC').");
        }
        return new(provider.Value, $"identity.federation '{federation.Text}'");
    }

    /// <summary>New-FleetOidcConfig renders and installs Dex only; another provider is configured by its own tools.</summary>
    public IdentityProviderChoice RequireDex()
    {
        if (Provider == FleetIdentityProvider.Dex) return this;
        throw new FleetInputException(OidcErrorIds.OidcProviderNotRendered, FleetErrorCategory.InvalidOperation, Provider.ToString(),
            $"New-FleetOidcConfig renders and installs Dex, but the identity provider is {Provider} (from {Reason}).",
            recommendedAction: "Point the API servers at that provider with Set-FleetOidc -IssuerUrl, or give -Provider Dex to install Dex anyway.");
    }

    public override string ToString() => $"{Provider} (from {Reason})";
}
