using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>
/// Publishes workload templates to the clusters they are placed on, with per-cluster overrides;
/// renders them to files or Karmada policies instead when asked, and prunes unplaced clusters.
/// </summary>
[Cmdlet(VerbsData.Publish, "FleetWorkload", DefaultParameterSetName = PathSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class PublishFleetWorkloadCommand : WorkloadTemplateCmdlet
{
    /// <summary>Deletes the workload from clusters of the fleet it is no longer placed on.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Writes the rendered objects to files in this folder instead of sending them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>Clusters (default): publish to each cluster. Karmada: render the Karmada template and policies.</summary>
    [Parameter]
    [ValidateSet("Clusters", "Karmada")]
    public string As { get; set; } = "Clusters";

    protected override void EndProcessing()
    {
        var plans = PlanWorkloads();
        if (As == "Karmada" || OutputPath is not null)
        {
            var directory = OutputPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            var manifests = As == "Karmada" ? WorkloadRenderer.RenderKarmada(plans, directory) : WorkloadRenderer.RenderClusters(plans, directory);
            foreach (var manifest in manifests) WriteObject(manifest);
            return;
        }
        var service = new WorkloadService(Sessions.Current.Connector);
        var whatIf = IsWhatIf;
        var fanOut = FanOutSettings();
        var targets = service.PlanPublish(plans);
        var confirmed = whatIf ? targets : targets.Where(t => ShouldProcess(t.Description, "publish")).ToList();
        if (confirmed.Count > 0)
        {
            var options = new ApplyOptions { WhatIf = whatIf, FanOut = fanOut };
            RunEngine(async cancel =>
            {
                await foreach (var result in service.PublishAsync(confirmed, options, cancel).ConfigureAwait(false))
                {
                    Emit(result);
                    if (result.Error is { } error) EmitError(error);
                }
            });
        }
        if (Prune) PruneUnplaced(service, plans, whatIf, fanOut);
    }

    private void PruneUnplaced(WorkloadService service, IReadOnlyList<WorkloadPlan> plans, bool whatIf, FanOutOptions fanOut)
    {
        var options = new DeleteOptions { WhatIf = whatIf, FanOut = fanOut };
        foreach (var plan in plans)
        {
            RunDelete("prune", whatIf, force: false,
                cancel => service.PlanPruneAsync(plan, options, cancel),
                (confirmed, cancel) => service.DeleteAsync(confirmed, options, cancel));
        }
    }
}
