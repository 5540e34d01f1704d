using System.Management.Automation;
using MultiCluster.Engine.Connections;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>Reads a fleet file (or fleet YAML from a string) and makes it the session's fleet.</summary>
[Cmdlet(VerbsData.Import, "Fleet", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Fleet))]
public sealed class ImportFleetCommand : FleetCmdlet
{
    private const string PathSet = "Path";
    private const string ContentSet = "Content";

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
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var session = RunspaceSessions.Current;
        try
        {
            // Relative paths in content resolve where the user stands in PowerShell, not the process's directory.
            var location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            var fleet = ParameterSetName == ContentSet
                ? session.ImportFleetContent(Content, location)
                : session.ImportFleet(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path));
            if (KubeconfigContent is not null)
                session.UseKubeconfig(KubeconfigSource.FromContent(KubeconfigContent, location));
            else if (Kubeconfig is not null)
                session.UseKubeconfig(KubeconfigSource.FromPaths(Kubeconfig.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToArray()));
            WriteVerbose($"Fleet '{fleet.Name}' with {fleet.Clusters.Count} clusters is the session's fleet; kubeconfig: {session.Kubeconfig.Description}.");
            if (PassThru) WriteObject(fleet);
        }
        catch (Exception ex)
        {
            Terminate(ex);
        }
    }
}
