using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// The parameters New-FleetOidcConfig and Set-FleetOidc share: the issuer, the client id every
/// API server accepts as audience, the claims that name users and groups and their prefixes,
/// and the issuer's CA.
/// </summary>
public abstract class OidcCmdlet : FanOutCmdlet
{
    /// <summary>Dex's issuer URL (https), as tokens name it.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string IssuerUrl { get; set; } = "";

    /// <summary>The client id tokens are issued for: Dex's static client and every API server's audience.</summary>
    [Parameter(Mandatory = true)]
    [AllowEmptyString]
    public string ClientId { get; set; } = "";

    /// <summary>The claim that names the user.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string UsernameClaim { get; set; } = OidcSettings.DefaultUsernameClaim;

    /// <summary>Put before every user name, so OIDC users cannot pose as others.</summary>
    [Parameter]
    [AllowEmptyString]
    public string UsernamePrefix { get; set; } = OidcSettings.DefaultPrefix;

    /// <summary>The claim that lists the user's groups.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string GroupsClaim { get; set; } = OidcSettings.DefaultGroupsClaim;

    /// <summary>Put before every group name.</summary>
    [Parameter]
    [AllowEmptyString]
    public string GroupsPrefix { get; set; } = OidcSettings.DefaultPrefix;

    /// <summary>A PEM file with the CA that signs the issuer's certificate, when it is not publicly trusted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CaFile { get; set; }

    /// <summary>The identity provider behind the issuer; from the fleet's identity.federation when omitted.</summary>
    [Parameter]
    public FleetIdentityProvider? Provider { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    /// <summary>-Provider, else the architecture's identity.federation, else <paramref name="fallback"/>; throws when the architecture names none.</summary>
    protected IdentityProviderChoice ResolveProvider(FleetIdentityProvider fallback) =>
        IdentityProviderChoice.Resolve(Provider, RunspaceSessions.Current.CurrentFleet?.Architecture, fallback);

    /// <summary>The validated settings; terminates on bad input before any cluster is contacted.</summary>
    protected OidcSettings ReadSettings()
    {
        try
        {
            var caPath = CaFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(CaFile);
            return OidcSettings.Create(IssuerUrl, ClientId, UsernameClaim, UsernamePrefix, GroupsClaim, GroupsPrefix, caPath);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Terminate(ex);
            throw; // not reached
        }
    }
}
