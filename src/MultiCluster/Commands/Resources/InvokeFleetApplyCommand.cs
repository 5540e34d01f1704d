using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Resources;

/// <summary>
/// Applies manifests (files, folders, YAML text, hashtables) to the selected clusters with
/// server-side apply; -WhatIf reports per cluster and object what a server-side dry run would change.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "FleetApply", DefaultParameterSetName = PathSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult))]
public sealed class InvokeFleetApplyCommand : FanOutCmdlet
{
    private const string PathSet = "Path";
    private const string InputSet = "InputObject";
    private readonly DocumentInputs _documents = new();

    /// <summary>Manifest files or folders (*.yaml, *.yml, *.json).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Reads folders given to -Path recursively.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Objects to apply: hashtables, PSCustomObjects, YAML text, or FleetResource/FleetManifest objects.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    /// <summary>Takes over fields that another server-side-apply field manager owns.</summary>
    [Parameter]
    public SwitchParameter ForceConflicts { get; set; }

    protected override void ProcessRecord()
    {
        CollectClusters();
        if (ParameterSetName == PathSet) _documents.AddPaths(this, Path);
        else if (_documents.AddObject(InputObject) is { } owner) CollectCluster(owner);
    }

    protected override void EndProcessing()
    {
        IReadOnlyList<KubeObject> objects;
        try
        {
            // Every document is read and checked before any cluster is touched.
            objects = _documents.Read(ParameterSetName == PathSet, Recurse);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        if (objects.Count == 0)
        {
            WriteWarning("No objects to apply.");
            return;
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;

        var service = new ApplyService(RunspaceSessions.Current.Connector);
        var work = _documents.ByCluster(clusters);
        // Planning builds connections (exec plugins, TLS warnings): inside the engine's scope, stoppable.
        var targets = RunEngineStep(() => service.Plan(work));
        var whatIf = IsWhatIf;
        var confirmed = whatIf ? targets : targets.Where(t => ShouldProcess(t.Description, "apply")).ToList();
        if (confirmed.Count == 0) return;

        var options = new ApplyOptions
        {
            WhatIf = whatIf,
            ForceConflicts = ForceConflicts,
            FanOut = FanOutSettings(),
            ConfirmReplace = description => OnPipelineAsync(() => ShouldProcess(description, "replace")),
        };
        // The engine reports fleet and per-cluster progress; results stream as each object finishes.
        RunEngine(async cancel =>
        {
            await foreach (var result in service.ApplyAsync(confirmed, options, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
