using System.Management.Automation;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Inventory.Import;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>
/// Reads a fleet file (or fleet YAML from a string) and makes it the session's fleet; with -From,
/// discovers the fleet where it already lives (Cluster API, KubeFed, Argo CD, Karmada) and writes its clusters.
/// </summary>
[Cmdlet(VerbsData.Import, "Fleet", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Fleet), ParameterSetName = [PathSet, ContentSet])]
[OutputType(typeof(FleetCluster), ParameterSetName = [FromSet])]
public sealed class ImportFleetCommand : FleetCmdlet
{
    private const string PathSet = "Path";
    private const string ContentSet = "Content";
    private const string FromSet = "From";

    /// <summary>Path of the fleet file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The fleet file's YAML, for runbooks that keep it in an Automation variable.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ContentSet)]
    [ValidateNotNullOrEmpty]
    public string Content { get; set; } = "";

    /// <summary>Kubeconfig file(s) holding the fleet's contexts; replaces $KUBECONFIG for this session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Kubeconfig { get; set; }

    /// <summary>Kubeconfig YAML from a string (an Automation variable); never echoed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeconfigContent { get; set; }

    /// <summary>Writes the imported fleet to the pipeline.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = ContentSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>What already knows the fleet: ClusterApi, KubeFed, ArgoCD or Karmada.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FromSet)]
    public FleetImportSource From { get; set; }

    /// <summary>The cluster that knows the fleet (a fleet cluster or kubeconfig context); by default the fleet's management cluster.</summary>
    [Parameter(ParameterSetName = FromSet)]
    [Alias("SourceCluster")]
    [ValidateNotNullOrEmpty]
    public string? ManagementCluster { get; set; }

    /// <summary>Where the source keeps its objects (default: kube-federation-system, argocd; all namespaces for Cluster API).</summary>
    [Parameter(ParameterSetName = FromSet)]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Writes the discovered credentials to this kubeconfig file (mode 0600) instead of keeping them in memory.</summary>
    [Parameter(ParameterSetName = FromSet)]
    [ValidateNotNullOrEmpty]
    public string? KubeconfigPath { get; set; }

    /// <summary>Replaces -KubeconfigPath when it exists.</summary>
    [Parameter(ParameterSetName = FromSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Adds the discovered clusters to the current fleet instead of replacing it.</summary>
    [Parameter(ParameterSetName = FromSet)]
    public SwitchParameter Merge { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == FromSet)
        {
            ImportFromSource();
            return;
        }
        var session = RunspaceSessions.Current;
        try
        {
            // Relative paths in content resolve where the user stands in PowerShell, not the process's directory.
            var location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            var kubeconfig = KubeconfigContent is not null ? KubeconfigSource.FromContent(KubeconfigContent, location)
                : Kubeconfig is not null ? KubeconfigSource.FromPaths(Kubeconfig.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToArray())
                : null;
            // A kubeconfig given here is read now, as kubectl reads --kubeconfig: a missing file or YAML that
            // does not parse stops the import before the session's fleet changes.
            var loaded = kubeconfig is null ? null : KubeconfigLoader.Load(kubeconfig);
            var fleet = ParameterSetName == ContentSet
                ? session.ImportFleetContent(Content, location)
                : session.ImportFleet(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path));
            if (loaded is not null) session.UseKubeconfig(loaded);
            WriteVerbose($"Fleet '{fleet.Name}' with {fleet.Clusters.Count} clusters is the session's fleet; kubeconfig: {session.Kubeconfig.Description}.");
            if (PassThru) WriteObject(fleet);
        }
        catch (Exception ex)
        {
            Terminate(ex);
        }
    }

    private void ImportFromSource()
    {
        var session = RunspaceSessions.Current;
        // The source cluster's context must be found in the kubeconfig the user names here: read now, as kubectl reads --kubeconfig.
        LoadedKubeconfig? loaded = null;
        try
        {
            var kubeconfig = KubeconfigContent is not null ? KubeconfigSource.FromContent(KubeconfigContent, SessionState.Path.CurrentFileSystemLocation.ProviderPath)
                : Kubeconfig is not null ? KubeconfigSource.FromPaths(Kubeconfig.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToArray())
                : null;
            if (kubeconfig is not null) loaded = KubeconfigLoader.Load(kubeconfig);
        }
        catch (Exception ex)
        {
            Terminate(ex);
        }
        var request = new FleetImportRequest
        {
            Source = From,
            Kubeconfig = loaded,
            SourceCluster = ManagementCluster,
            Namespace = Namespace,
            KubeconfigPath = KubeconfigPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(KubeconfigPath),
            Force = Force,
            Merge = Merge,
        };
        RunEngine(async cancel =>
        {
            foreach (var cluster in await new FleetImporter(session).ImportAsync(request, cancel).ConfigureAwait(false))
                Emit(cluster);
        });
    }
}
