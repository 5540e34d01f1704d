using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// Puts roles and their bindings on the selected clusters with server-side apply, labelled as the
/// module's; with -Prune removes the module's RBAC objects no definition given wants. Objects the
/// module did not create are never read as its own, so never removed.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FleetRbac", DefaultParameterSetName = RuleSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult))]
public sealed class SetFleetRbacCommand : RbacDefinitionCmdlet
{
    /// <summary>Removes the module's roles and bindings that none of the given definitions wants.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Prunes without asking. It raises no limit: -MaxClusters and -MaxObjects do.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How many clusters -Prune may remove objects from (default 1); given explicitly, it also lifts the half-the-fleet limit.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxClusters { get; set; } = 1;

    /// <summary>How many objects -Prune may remove from one cluster (default 10); given explicitly, it also allows removing every object of a kind in a namespace.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxObjects { get; set; } = MultiCluster.Engine.FanOut.DeleteOptions.DefaultMaxObjects;

    protected override void EndProcessing()
    {
        var definitions = ReadDefinitions();
        if (definitions.Count == 0)
        {
            WriteWarning("No RBAC definitions to set.");
            return;
        }
        var clusters = SelectPlacedClusters();
        if (clusters.Count == 0) return;

        var service = new RbacService(RunspaceSessions.Current.Connector);
        var targets = RunEngineStep(() => service.Plan(clusters, definitions));

        var whatIf = IsWhatIf;
        var fanOut = FanOutSettings();
        var confirmed = whatIf ? targets : targets.Where(t => ShouldProcess(t.Description, "set")).ToList();
        if (confirmed.Count > 0)
        {
            var options = new ApplyOptions { WhatIf = whatIf, FanOut = fanOut };
            RunEngine(async cancel =>
            {
                await foreach (var result in service.ApplyAsync(confirmed, options, cancel).ConfigureAwait(false))
                {
                    Emit(result);
                    if (result.Error is { } error) EmitError(error);
                }
            });
        }
        if (!Prune)
        {
            ReportMisnamedBindings(service, clusters, definitions);
            return;
        }

        var pruneOptions = DeleteSettings(whatIf, MaxClusters, MaxObjects);
        RunDelete("prune", whatIf, Force,
            cancel => service.PlanPruneAsync(clusters, definitions, pruneOptions, cancellationToken: cancel),
            (pruned, cancel) => service.PruneAsync(pruned, pruneOptions, cancel));
    }

    // A binding an earlier version created under its role's name is left in place and named, so
    // nobody loses a grant they did not know about; -Prune removes it with a Deleted record.
    private void ReportMisnamedBindings(RbacService service, IReadOnlyList<FleetCluster> clusters, IReadOnlyList<RbacDefinition> definitions)
    {
        var options = DeleteSettings(whatIf: true, MaxClusters, MaxObjects);
        IReadOnlyList<FleetTarget> misnamed = [];
        RunEngine(async cancel => misnamed = await service.FindMisnamedBindingsAsync(clusters, definitions, options, cancellationToken: cancel).ConfigureAwait(false));
        foreach (var target in misnamed)
        {
            var definition = definitions.First(d => d.Name == target.Object.Labels[RbacDefinition.RbacLabel]);
            WriteWarning($"Cluster {target.Cluster.Name}: {target.Object.Kind} {(target.Object.Namespace is null ? "" : target.Object.Namespace + "/")}{target.Object.Name} " +
                         $"was created by an earlier version for '{definition.Name}', whose binding is now named '{definition.BindingName}'. " +
                         "It still grants its subjects; remove it with -Prune (or by hand) once nothing relies on it.");
        }
    }
}
