using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>Gets clusters of the session's fleet by name (wildcards), region, role and labels.</summary>
[Cmdlet(VerbsCommon.Get, "FleetCluster")]
[OutputType(typeof(FleetCluster))]
public sealed class GetFleetClusterCommand : FleetCmdlet
{
    private readonly List<string> _names = new();

    /// <summary>Cluster names; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("ClusterName", "Cluster")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Regions; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string[]? Region { get; set; }

    /// <summary>Roles: Management, Workload, Dr.</summary>
    [Parameter]
    public FleetClusterRole[]? Role { get; set; }

    /// <summary>A label selector, as kubectl writes them: env=prod,tier in (gold,silver),!canary.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Selector { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is not null) _names.AddRange(Name);
    }

    protected override void EndProcessing()
    {
        try
        {
            var result = RunspaceSessions.Current.Select(new ClusterPlacement
            {
                Names = _names.Count > 0 ? _names : null,
                Regions = Region,
                Roles = Role,
                LabelSelector = Selector,
            });
            foreach (var missing in result.NotFound)
                WriteError(ErrorRecords.From(missing));
            foreach (var cluster in result.Clusters)
                WriteObject(cluster);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
        }
    }
}
