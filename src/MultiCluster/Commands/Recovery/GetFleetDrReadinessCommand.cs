using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// Whether each selected primary could fail over to its standby now: one FleetDrCheck per check
/// (Velero, locations, backup sync, backup age and schedules against -MaxRpo, volume snapshots' region, storage classes, standby tier),
/// Pass, Warn or Fail with what to do. Only reads.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetDrReadiness")]
[OutputType(typeof(FleetDrCheck))]
public sealed class GetFleetDrReadinessCommand : FanOutCmdlet
{
    /// <summary>The standby of every selected cluster; the fleet's drPeer of each when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? Standby { get; set; }

    /// <summary>The newest Completed backup must be younger than this, and the schedules' worst-case RPO within it.</summary>
    [Parameter]
    [Alias("TargetRpo")]
    public TimeSpan MaxRpo { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The namespace Velero runs in.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string VeleroNamespace { get; set; } = "velero";

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        if (MaxRpo <= TimeSpan.Zero)
            Terminate(new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, "MaxRpo",
                $"-MaxRpo {MaxRpo} is not a duration: give the data loss you accept, e.g. 01:00:00."));
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var fleet = RunspaceSessions.Current.Select(new Engine.Inventory.ClusterPlacement()).Clusters;
        FleetCluster? standbyOverride = null;
        try
        {
            standbyOverride = Standby is null ? null : FailoverCmdlet.One(Standby);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
        }
        var pairs = DrPair.Of(clusters, fleet, standbyOverride);
        var service = new DrReadinessService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            await foreach (var outcome in service.CheckAllAsync(pairs, MaxRpo, VeleroNamespace, options, cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else foreach (var check in outcome.Value ?? []) Emit(check);
            }
        });
    }
}
