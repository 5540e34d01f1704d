using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Takes members out of the Istio mesh: removes each member's remote secret from every other
/// cluster of the fleet, the peers' remote secrets from the member, and the member's reader tokens.
/// A member or peer that cannot be reached is reported; the reachable side is still cleaned.
/// -Provider Submariner removes a member's Submariner resource and credential copies, and its
/// credentials and Globalnet allocation on the broker.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FleetMesh", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetMeshLink), typeof(FleetResourceResult))]
public sealed class RemoveFleetMeshCommand : FanOutCmdlet
{
    /// <summary>The mesh to leave: Istio or Submariner.</summary>
    [Parameter]
    [ValidateSet(nameof(FleetMeshProvider.Istio), nameof(FleetMeshProvider.Submariner))]
    public FleetMeshProvider Provider { get; set; } = FleetMeshProvider.Istio;

    /// <summary>Submariner: the cluster that runs the broker; by default the fleet's management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? BrokerCluster { get; set; }

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
        if (Provider == FleetMeshProvider.Submariner)
        {
            RemoveSubmariner(members, fleet, whatIf);
            return;
        }
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

    private void RemoveSubmariner(IReadOnlyList<FleetCluster> members, IReadOnlyList<FleetCluster> fleet, bool whatIf)
    {
        FleetCluster broker;
        try { broker = SubmarinerPlanner.Broker(fleet, BrokerCluster); }
        catch (Exception ex) { Terminate(ex); return; }
        var confirmed = whatIf ? members : members.Where(m => ShouldProcess(
            $"Cluster {m.Name}: remove its Submariner resource and credential copies, and its credentials and global CIDR on the broker {broker.Name}",
            "Remove-FleetMesh")).ToList();
        if (confirmed.Count == 0) return;
        var service = new SubmarinerMeshService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            foreach (var member in confirmed)
            {
                await foreach (var result in service.RemoveAsync(member, broker, whatIf, options, cancel).ConfigureAwait(false))
                {
                    Emit(result);
                    if (result.Error is { } error) EmitError(error);
                }
            }
        });
    }
}
