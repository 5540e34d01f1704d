using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Resources;

/// <summary>
/// Deletes objects from the selected clusters. A delete that would reach more than one cluster
/// (or more than half the fleet) needs a raised -MaxClusters, more than -MaxObjects objects or every
/// object of a kind needs a raised -MaxObjects (-Force only silences the prompt), and a cluster that
/// could not be read is reported as failed, never taken for one without the object.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FleetResource", DefaultParameterSetName = ByNameSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetResourceResult))]
public sealed class RemoveFleetResourceCommand : FanOutCmdlet
{
    private const string ByNameSet = "ByName";
    private const string InputSet = "InputObject";
    private readonly DocumentInputs _documents = new();

    /// <summary>The kind of the object to delete.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string Kind { get; set; } = "";

    /// <summary>The name of the object to delete.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The apiVersion, when the kind is served by more than one group or version.</summary>
    [Parameter(ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string? ApiVersion { get; set; }

    /// <summary>The namespace; the context's namespace when omitted.</summary>
    [Parameter(ParameterSetName = ByNameSet)]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Objects to delete: FleetResource objects from Get-FleetResource, hashtables or YAML.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    /// <summary>Deletes without asking. It raises no limit: -MaxClusters and -MaxObjects do.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How many clusters one call may delete from (default 1); given explicitly, it also lifts the half-the-fleet limit.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxClusters { get; set; } = 1;

    /// <summary>How many objects one call may delete from one cluster (default 10); given explicitly, it also allows deleting every object of a kind in a namespace.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxObjects { get; set; } = MultiCluster.Engine.FanOut.DeleteOptions.DefaultMaxObjects;

    protected override void ProcessRecord()
    {
        CollectClusters();
        if (ParameterSetName == InputSet && _documents.AddObject(InputObject) is { } owner) CollectCluster(owner);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == InputSet)
        {
            try { _documents.Read(fromPaths: false); }
            catch (Exception ex) { Terminate(ex); return; }
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        // A piped object is deleted on the cluster it was read from and nowhere else.
        var work = ParameterSetName == InputSet
            ? _documents.ByCluster(clusters).Select(w => w with { Objects = w.Objects.DistinctBy(o => o.Reference).ToList() }).ToList()
            : null;

        var whatIf = IsWhatIf;
        var service = new DeleteService(RunspaceSessions.Current.Connector);
        var options = DeleteSettings(whatIf, MaxClusters, MaxObjects);
        RunDelete("delete", whatIf, Force,
            cancel => work is null
                ? service.PlanAsync(clusters, new ResourceQuery { Kind = Kind, Name = Name, ApiVersion = ApiVersion, Namespace = Namespace }, options, cancel)
                : service.PlanAsync(work, options, cancel),
            (confirmed, cancel) => service.DeleteAsync(confirmed, options, cancel));
    }
}
