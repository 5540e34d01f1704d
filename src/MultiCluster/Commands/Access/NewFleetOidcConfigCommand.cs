using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// Renders identity federation for the selected clusters: Dex's configuration (one static client
/// for every cluster, secrets only referenced) and each cluster's API server settings.
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetOidcConfig")]
[OutputType(typeof(FleetDexConfig), typeof(FleetOidcApiServerConfig))]
public sealed class NewFleetOidcConfigCommand : OidcCmdlet
{
    /// <summary>The upstream identity provider: a hashtable with Type = 'ldap' or 'oidc' and its settings.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public Hashtable Connector { get; set; } = new();

    /// <summary>More redirect URIs for the static client; '{cluster}' makes one per cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] RedirectUri { get; set; } = [];

    /// <summary>The Kubernetes version to render for, instead of each cluster's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersion { get; set; }

    /// <summary>Writes the files to this folder as well.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    protected override void EndProcessing()
    {
        var settings = ReadSettings();
        DexConnector connector;
        try { connector = DexConnector.Parse(Connector, settings.IssuerUrl); }
        catch (Exception ex) { Terminate(ex); return; }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;

        var directory = OutputPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
        var session = RunspaceSessions.Current; // the runspace's session: read here, on the pipeline thread, never on a worker
        var service = new OidcConfigService(session.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            // Asked for first: it checks -KubernetesVersion, so a bad one stops the command before anything is written.
            var apiServers = service.RenderApiServersAsync(clusters, settings, KubernetesVersion, directory, options, cancel);
            Emit(OidcConfigService.RenderDex(settings, connector, clusters, RedirectUri, session.CurrentFleet?.Name, directory));
            await foreach (var outcome in apiServers.ConfigureAwait(false))
            {
                if (outcome.Value is { } config) Emit(config);
                if (outcome.Error is { } error) EmitError(error);
            }
        });
    }
}
