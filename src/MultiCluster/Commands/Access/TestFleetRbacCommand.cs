using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// Reports where the selected clusters' RBAC differs from the definitions: missing roles or
/// bindings, missing, changed or extra rules and subjects. Changes nothing; no output means no drift.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetRbac", DefaultParameterSetName = RuleSet)]
[OutputType(typeof(FleetRbacDrift))]
public sealed class TestFleetRbacCommand : RbacDefinitionCmdlet
{
    protected override void EndProcessing()
    {
        var definitions = ReadDefinitions();
        var clusters = SelectPlacedClusters();
        if (definitions.Count == 0 || clusters.Count == 0) return;
        var service = new RbacService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        // An unreadable cluster gives an Unknown drift per definition but one error, as it failed once.
        var failedClusters = new HashSet<string>(StringComparer.Ordinal);
        RunEngine(async cancel =>
        {
            await foreach (var drift in service.TestAsync(clusters, definitions, options, cancel).ConfigureAwait(false))
            {
                Emit(drift);
                if (drift.Error is { } error && failedClusters.Add(drift.Cluster)) EmitError(error);
            }
        });
    }
}
