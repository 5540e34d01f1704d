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

    /// <summary>The primary answers and is ready: a failover needs -Force (a planned one).</summary>
    public const string FailoverPrimaryHealthy = nameof(FailoverPrimaryHealthy);

    /// <summary>The standby sees no Completed backup to restore (or not the one named).</summary>
    public const string FailoverNoBackup = nameof(FailoverNoBackup);

    /// <summary>The newest usable backup is older than -MaxRpo.</summary>
    public const string FailoverRpoExceeded = nameof(FailoverRpoExceeded);

    /// <summary>The restore ended PartiallyFailed or Failed; traffic was not moved.</summary>
    public const string FailoverRestoreFailed = nameof(FailoverRestoreFailed);

    /// <summary>The restored workloads did not become available in time; traffic was not moved.</summary>
    public const string FailoverWorkloadsUnavailable = nameof(FailoverWorkloadsUnavailable);

    /// <summary>The health URL did not answer with success after the switch.</summary>
    public const string FailoverVerifyFailed = nameof(FailoverVerifyFailed);

    /// <summary>The failover's parameters contradict each other (same cluster twice, a traffic provider without its record).</summary>
    public const string FailoverInputInvalid = nameof(FailoverInputInvalid);

    /// <summary>The target of a restore lacks a storage class the source's claims use.</summary>
    public const string StandbyStorageClassMissing = nameof(StandbyStorageClassMissing);

    /// <summary>A drill's mapped namespace already exists in the standby, or cannot be named.</summary>
    public const string DrillNamespaceInvalid = nameof(DrillNamespaceInvalid);

    /// <summary>Failback without a completed failover to undo, or to a primary that does not answer.</summary>
    public const string FailbackNotPossible = nameof(FailbackNotPossible);

    /// <summary>The standby's backup before a failback did not complete.</summary>
    public const string FailbackBackupFailed = nameof(FailbackBackupFailed);
}
