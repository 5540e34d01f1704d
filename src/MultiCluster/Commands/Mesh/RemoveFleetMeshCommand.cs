using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Takes members out of the Istio mesh: removes each member's remote secret from every other
/// cluster of the fleet, the peers' remote secrets from the member, and the member's reader tokens.
/// A member or peer that cannot be reached is reported; the reachable side is still cleaned.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FleetMesh", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetMeshLink))]
public sealed class RemoveFleetMeshCommand : FanOutCmdlet
{
    /// <summary>The mesh to leave. Istio only for now.</summary>
    [Parameter]
    [ValidateSet(nameof(FleetMeshProvider.Istio))]
    public FleetMeshProvider Provider { get; set; } = FleetMeshProvider.Istio;

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        if (ClusterNames.Count == 0 && Selector is null)
        {
            Terminate(new ArgumentException("Name the members to remove with -Cluster, -Selector or piped clusters.", nameof(Cluster)));
            return;
        }
        var members = SelectClusters();
        if (members.Count == 0) return;
        var fleet = RunspaceSessions.Current.GetFleet().Clusters;
        var whatIf = IsWhatIf;
        var confirmed = whatIf ? members : members.Where(m => ShouldProcess(
            $"Cluster {m.Name}: remove its Istio remote secrets from {fleet.Count - 1} peers, theirs from it, and its reader tokens", "Remove-FleetMesh")).ToList();
        var service = new IstioMeshService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        foreach (var member in confirmed)
        {
            RunEngine(async cancel =>
            {
                await foreach (var link in service.RemoveAsync(member, fleet, whatIf, options, cancel).ConfigureAwait(false))
                {
                    Emit(link);
                    if (link.Error is { } error) EmitError(error);
                }
            });
        }
    }
}
