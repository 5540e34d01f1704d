using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// Renders identity federation for the selected clusters: Dex's configuration (one static client
/// for every cluster, secrets only referenced) with what runs it, and each cluster's API server
/// settings; -Apply installs Dex on the identity cluster.
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetOidcConfig", DefaultParameterSetName = ConnectorSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetDexConfig), typeof(FleetOidcApiServerConfig), typeof(FleetResourceResult))]
public sealed class NewFleetOidcConfigCommand : OidcCmdlet
{
    private const string ConnectorSet = "Connector";
    private const string ExistingSet = "DexConfig";

    /// <summary>The upstream identity provider: a hashtable with Type = 'ldap' or 'oidc' and its settings.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConnectorSet)]
    [ValidateNotNull]
    public Hashtable Connector { get; set; } = new();

    /// <summary>An existing Dex configuration to install; secrets it holds inline are moved into a Secret.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExistingSet)]
    [ValidateNotNullOrEmpty]
    public string DexConfigPath { get; set; } = "";

    /// <summary>More redirect URIs for the static client; '{cluster}' makes one per cluster.</summary>
    [Parameter(ParameterSetName = ConnectorSet)]
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

    /// <summary>The namespace Dex runs in on the identity cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = DexInstallOptions.DefaultNamespace;

    /// <summary>How many Dex pods run.</summary>
    [Parameter]
    public int Replicas { get; set; } = new DexInstallOptions().Replicas;

    /// <summary>Dex's container image.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Image { get; set; } = DexInstallOptions.DefaultImage;

    /// <summary>The cluster -Apply installs Dex on; the fleet's management cluster when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? IdentityCluster { get; set; }

    /// <summary>Installs Dex on the identity cluster (server-side apply).</summary>
    [Parameter]
    public SwitchParameter Apply { get; set; }

    protected override void EndProcessing()
    {
        var settings = ReadSettings();
        var session = RunspaceSessions.Current;
        DexInstallOptions install;
        DexConnector? connector = null;
        DexExistingConfig? existing = null;
        FleetCluster? identity = null;
        try
        {
            var provider = ResolveProvider(FleetIdentityProvider.Dex).RequireDex();
            WriteVerbose($"Identity provider: {provider}.");
            install = new DexInstallOptions { Namespace = Namespace, Replicas = Replicas, Image = Image }.Validate();
            if (ParameterSetName == ExistingSet)
                existing = DexExistingConfig.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(DexConfigPath), settings.IssuerUrl);
            else
                connector = DexConnector.Parse(Connector, settings.IssuerUrl);
            if (Apply) identity = OidcConfigService.IdentityCluster(session.GetFleet().Clusters, IdentityCluster);
        }
        catch (Exception ex) { Terminate(ex); return; }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;

        var directory = OutputPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
        var service = new OidcConfigService(session.Connector);
        var options = FanOutSettings();
        DexRendering? dex = null;
        RunEngine(async cancel =>
        {
            // Asked for first: it checks -KubernetesVersion, so a bad one stops the command before anything is written.
            var apiServers = service.RenderApiServersAsync(clusters, settings, KubernetesVersion, directory, options, cancel);
            dex = existing is not null
                ? OidcConfigService.RenderExistingDex(settings, existing, install, directory)
                : OidcConfigService.RenderDex(settings, connector!, clusters, RedirectUri, session.CurrentFleet?.Name, install, directory);
            Emit(dex.Config);
            await foreach (var outcome in apiServers.ConfigureAwait(false))
            {
                if (outcome.Value is { } config) Emit(config);
                if (outcome.Error is { } error) EmitError(error);
            }
        });
        if (dex is null) return;
        if (dex.Config.MovedSecrets.Count > 0)
        {
            var fields = string.Join(", ", dex.Config.MovedSecrets.Select(m => m.Field));
            WriteWarning(identity is null
                ? $"Moved {dex.Config.MovedSecrets.Count} inline secrets out of the configuration ({fields}); their values are sent to the cluster only by -Apply (Secret {DexInstallRenderer.MovedSecretName}) and are written nowhere else."
                : $"Moved {dex.Config.MovedSecrets.Count} inline secrets out of the configuration into Secret {install.Namespace}/{DexInstallRenderer.MovedSecretName}: {fields}.");
        }
        if (identity is not null) ApplyOrRender([identity], dex.Install.ToApply, outputPath: null);
    }
}
