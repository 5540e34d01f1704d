using System.Management.Automation;
using MultiCluster.Engine.Recovery;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// Puts a Velero Schedule on the selected clusters: from a cron, or from the recovery point
/// objective it must guarantee (-Rpo 00:05:00 schedules every 5 minutes).
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetBackupSchedule", DefaultParameterSetName = RpoSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class NewFleetBackupScheduleCommand : VeleroApplyCmdlet
{
    private const string RpoSet = "Rpo";
    private const string CronSet = "Schedule";

    /// <summary>The Schedule's name; its backups are named NAME-yyyyMMddHHmmss.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>A cron expression (five fields, UTC).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CronSet)]
    [ValidateNotNullOrEmpty]
    public string? Schedule { get; set; }

    /// <summary>The recovery point objective: the most data, in time, a restore may lose.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RpoSet)]
    public TimeSpan Rpo { get; set; }

    /// <summary>The namespaces to back up; all when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] IncludedNamespace { get; set; } = [];

    /// <summary>Resources to leave out; events and events.events.k8s.io by default.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[]? ExcludedResource { get; set; }

    /// <summary>Backs up only objects with these labels (key=value[,key=value]).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LabelSelector { get; set; }

    /// <summary>How long Velero keeps each backup; Velero's default (30 days) when omitted.</summary>
    [Parameter]
    public TimeSpan Ttl { get; set; }

    /// <summary>The BackupStorageLocation to write to; Velero's default location when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StorageLocation { get; set; }

    /// <summary>The VolumeSnapshotLocations to use for volume snapshots.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] VolumeSnapshotLocation { get; set; } = [];

    /// <summary>Takes snapshots of persistent volumes; -SnapshotVolume:$false turns them off.</summary>
    [Parameter]
    public SwitchParameter SnapshotVolume { get; set; }

    protected override void EndProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        BackupScheduleDefinition definition;
        try
        {
            definition = BackupScheduleDefinition.Create(Name, Schedule, ParameterSetName == RpoSet ? Rpo : null, LabelSelector,
                bound.ContainsKey(nameof(Ttl)) ? Ttl : null,
                d => d with
                {
                    Namespace = VeleroNamespace,
                    IncludedNamespaces = IncludedNamespace,
                    ExcludedResources = ExcludedResource ?? d.ExcludedResources,
                    StorageLocation = StorageLocation,
                    VolumeSnapshotLocations = VolumeSnapshotLocation,
                    SnapshotVolumes = bound.ContainsKey(nameof(SnapshotVolume)) ? SnapshotVolume.IsPresent : null,
                });
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        ApplyOrRender([definition.Render()]);
    }
}
