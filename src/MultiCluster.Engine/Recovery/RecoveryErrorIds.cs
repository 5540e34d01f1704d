namespace MultiCluster.Engine.Recovery;

/// <summary>Stable error ids of backup and disaster recovery, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class RecoveryErrorIds
{
    /// <summary>A cron expression does not parse.</summary>
    public const string ScheduleInvalid = nameof(ScheduleInvalid);

    /// <summary>An RPO no cron schedule can guarantee (under a minute).</summary>
    public const string RpoUnachievable = nameof(RpoUnachievable);

    /// <summary>A backup TTL that Velero cannot take (negative).</summary>
    public const string TtlInvalid = nameof(TtlInvalid);

    /// <summary>A backup storage location's settings are incomplete or contradictory.</summary>
    public const string BackupLocationInvalid = nameof(BackupLocationInvalid);

    /// <summary>Velero (its CRDs or namespace) is not installed on a cluster.</summary>
    public const string VeleroNotInstalled = nameof(VeleroNotInstalled);
}
