using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>
/// The inputs Publish-FleetWorkload and Compare-FleetWorkload share: templates from -Path or the
/// pipeline, placement from -Cluster, -Selector or piped clusters, and per-cluster -Override.
/// </summary>
public abstract class WorkloadTemplateCmdlet : FanOutCmdlet
{
    protected const string PathSet = "Path";
    protected const string InputSet = "InputObject";
    private readonly DocumentInputs _documents = new();

    /// <summary>Template files or folders (*.yaml, *.yml, *.json); KubeFed Federated&lt;Kind&gt; documents carry their own placement.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Templates: hashtables, PSCustomObjects or YAML text.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    /// <summary>Per-cluster overrides: cluster name (wildcards allowed) to a hashtable of JSON pointer to value, or to a list of {op, path, value}.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? Override { get; set; }

    /// <summary>How -Override treats a path the template lacks: Strict RFC 6902 (the default), or KubeFed's (replace adds an absent member).</summary>
    [Parameter]
    public FleetOverrideMode OverrideMode { get; set; } = FleetOverrideMode.Strict;

    protected override void ProcessRecord()
    {
        CollectClusters();
        if (ParameterSetName == PathSet) _documents.AddPaths(this, Path);
        else _documents.AddObject(InputObject);
    }

    /// <summary>
    /// Reads and plans every template; terminates on any bad template, placement or override, so
    /// nothing is sent unless all of them are good. Reports placed names that match no cluster and
    /// overrides of clusters outside the placement.
    /// </summary>
    protected IReadOnlyList<WorkloadPlan> PlanWorkloads()
    {
        IReadOnlyList<WorkloadPlan> plans;
        try
        {
            var fleet = RunspaceSessions.Current.GetFleet().Clusters;
            var objects = _documents.Read(ParameterSetName == PathSet);
            var names = ClusterNames;
            var placement = new ClusterPlacement { Names = names.Count > 0 ? names : null, LabelSelector = Selector };
            plans = WorkloadPlanner.Plan(objects, placement, WorkloadOverrideReader.Read(Override, OverrideMode), fleet);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            throw; // not reached
        }
        foreach (var plan in plans)
        {
            foreach (var missing in plan.NotFound) WriteError(ErrorRecords.From(missing));
            foreach (var added in plan.AddedMembers) WriteVerbose(added);
            foreach (var unused in plan.UnusedOverrides)
                WriteWarning($"Workload {plan.Name}: the override for '{unused}' matches no cluster the workload is placed on.");
        }
        return plans;
    }
}
