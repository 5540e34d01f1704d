using System.Management.Automation;
using MultiCluster.Engine.Recovery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>The Velero Schedules of the selected clusters, with the worst-case RPO each gives.</summary>
[Cmdlet(VerbsCommon.Get, "FleetBackupSchedule")]
[OutputType(typeof(FleetBackupSchedule))]
public sealed class GetFleetBackupScheduleCommand : FanOutCmdlet
{
    /// <summary>Schedule names; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var names = (Name ?? ["*"]).Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
        var service = new BackupService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            await foreach (var outcome in service.GetSchedulesAsync(clusters, options, cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else if (outcome.Value is { } schedule && names.Any(p => p.IsMatch(schedule.Name))) Emit(schedule);
            }
        });
    }
}
