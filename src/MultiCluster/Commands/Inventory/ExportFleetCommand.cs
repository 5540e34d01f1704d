using System.Management.Automation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>
/// Writes the session's fleet as a fleet file Import-Fleet reads back: clusters, roles, regions,
/// labels, networks, aliases and the reference-architecture sections, with kubeconfig contexts
/// referenced by name and kubeconfig files by path; no credential is ever in it.
/// </summary>
[Cmdlet(VerbsData.Export, "Fleet", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportFleetCommand : FleetCmdlet
{
    /// <summary>The fleet file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The fleet to write (Get-Fleet's output); by default the session's fleet.</summary>
    [Parameter(ValueFromPipeline = true)]
    public Fleet? InputObject { get; set; }

    /// <summary>Replaces the file when it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        try
        {
            var fleet = InputObject ?? RunspaceSessions.Current.GetFleet();
            if (!ShouldProcess(path, $"write fleet '{fleet.Name}' with {fleet.Clusters.Count} clusters")) return;
            FleetFileWriter.WriteFile(fleet, path, Force, Path);
            WriteVerbose($"Fleet '{fleet.Name}' with {fleet.Clusters.Count} clusters written to '{path}'.");
            if (PassThru) WriteObject(new FileInfo(path));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Terminate(ex);
        }
    }
}
