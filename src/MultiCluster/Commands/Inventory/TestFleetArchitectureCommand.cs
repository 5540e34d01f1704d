using System.Management.Automation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>
/// Checks a fleet against the field's multi-cluster patterns: regions, DR peers, a management
/// cluster, scale limits, unique names and cluster ids, version skew, overlapping networks.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetArchitecture", DefaultParameterSetName = CurrentSet)]
[OutputType(typeof(FleetArchitectureFinding))]
public sealed class TestFleetArchitectureCommand : FleetCmdlet
{
    private const string CurrentSet = "Fleet";
    private const string PathSet = "Path";

    /// <summary>The fleet to check; the session's fleet when omitted.</summary>
    [Parameter(ParameterSetName = CurrentSet, ValueFromPipeline = true)]
    public Fleet? InputObject { get; set; }

    /// <summary>A fleet file to check without importing it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The day Kubernetes versions are judged against upstream's support window; today when omitted.</summary>
    [Parameter]
    public DateTime? AsOf { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var fleet = ParameterSetName == PathSet
                ? FleetFileParser.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path))
                : InputObject ?? RunspaceSessions.Current.GetFleet();
            foreach (var finding in ArchitectureAnalyzer.Analyze(fleet, AsOf is { } day ? DateOnly.FromDateTime(day) : null))
                WriteObject(finding);
        }
        catch (Exception ex)
        {
            Terminate(ex);
        }
    }
}
