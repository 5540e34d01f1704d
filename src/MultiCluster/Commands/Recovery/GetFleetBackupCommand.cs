using System.Management.Automation;
using MultiCluster.Engine.Recovery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// The Velero Backups each selected cluster sees, newest first, with the RPO each would give if
/// the cluster died now.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetBackup")]
[OutputType(typeof(FleetBackup))]
public sealed class GetFleetBackupCommand : FanOutCmdlet
{
    /// <summary>Backup names; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only the backups of these schedules; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Schedule { get; set; }

    /// <summary>Only backups in this phase (Completed, PartiallyFailed, Failed, InProgress ...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Phase { get; set; }

    /// <summary>Only the newest backup of each schedule (and the newest manual one).</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var names = Patterns(Name);
        var schedules = Patterns(Schedule);
        var service = new BackupService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            bool Wanted(FleetBackup backup) => names.Any(p => p.IsMatch(backup.Name))
                && (Schedule is null || schedules.Any(p => p.IsMatch(backup.Schedule ?? "")))
                && (Phase is null || string.Equals(Phase, backup.Phase, StringComparison.OrdinalIgnoreCase));
            await foreach (var outcome in service.GetBackupsAsync(clusters, Latest, options, cancel, Wanted).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else if (outcome.Value is { } backup) Emit(backup);
            }
        });
    }

    private static List<WildcardPattern> Patterns(string[]? values) =>
        (values ?? ["*"]).Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase)).ToList();
}
