using System.Management.Automation;
using MultiCluster.Engine.Recovery;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// Puts a Velero BackupStorageLocation (and with -SnapshotProvider a VolumeSnapshotLocation) on
/// the selected clusters: where a region's backups live. A standby takes -AccessMode ReadOnly so
/// it sees the primary's backups without ever writing its own there.
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetBackupLocation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class NewFleetBackupLocationCommand : VeleroApplyCmdlet
{
    /// <summary>The location's name (Velero's default one is usually 'default').</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The object storage plugin: aws, azure, gcp, or a plugin's full name.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Provider { get; set; } = "";

    /// <summary>The bucket (or Azure container).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Bucket { get; set; } = "";

    /// <summary>The folder within the bucket.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Prefix { get; set; }

    /// <summary>The bucket's region (config.region).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    /// <summary>ReadWrite, or ReadOnly for a standby that must never write backups.</summary>
    [Parameter]
    [ValidateSet("ReadWrite", "ReadOnly")]
    public string AccessMode { get; set; } = "ReadWrite";

    /// <summary>Makes it the location backups go to when they name none.</summary>
    [Parameter]
    public SwitchParameter Default { get; set; }

    /// <summary>An existing Secret in the Velero namespace holding the credentials (never the credentials themselves).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CredentialSecret { get; set; }

    /// <summary>The key of -CredentialSecret holding the credentials file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CredentialKey { get; set; } = "cloud";

    /// <summary>Also renders a VolumeSnapshotLocation for this volume snapshot provider.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotProvider { get; set; }

    /// <summary>How often the cluster reads new backups from the bucket (Velero's default: 1 minute).</summary>
    [Parameter]
    public TimeSpan BackupSyncPeriod { get; set; }

    protected override void EndProcessing()
    {
        BackupLocationDefinition definition;
        try
        {
            definition = new BackupLocationDefinition
            {
                Name = Name,
                Provider = Provider,
                Bucket = Bucket,
                Prefix = Prefix,
                Region = Region,
                Namespace = VeleroNamespace,
                AccessMode = AccessMode,
                Default = Default.IsPresent,
                CredentialSecret = CredentialSecret,
                CredentialKey = CredentialKey,
                SnapshotProvider = SnapshotProvider,
                BackupSyncPeriod = MyInvocation.BoundParameters.ContainsKey(nameof(BackupSyncPeriod)) ? BackupSyncPeriod : null,
            }.Validate();
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        ApplyOrRender(definition.Render());
    }
}
