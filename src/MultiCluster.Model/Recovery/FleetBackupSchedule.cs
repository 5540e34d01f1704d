namespace MultiCluster;

/// <summary>One Velero Schedule on a cluster, with the worst-case RPO its cron gives.</summary>
public sealed class FleetBackupSchedule
{
    public required string Cluster { get; init; }
    public required string Name { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The cron expression.</summary>
    public required string Schedule { get; init; }

    /// <summary>Velero's phase: New, Enabled or FailedValidation.</summary>
    public string Phase { get; init; } = "";

    public bool Paused { get; init; }
    public IReadOnlyList<string> IncludedNamespaces { get; init; } = [];
    public IReadOnlyList<string> ExcludedResources { get; init; } = [];
    public TimeSpan? Ttl { get; init; }
    public string? StorageLocation { get; init; }
    public DateTimeOffset? LastBackup { get; init; }
    public IReadOnlyList<string> ValidationErrors { get; init; } = [];

    /// <summary>The longest gap between two runs: the data lost, at worst, if the cluster dies just before a run. Null when the cron does not parse or the schedule is paused.</summary>
    public TimeSpan? WorstCaseRpo { get; init; }

    /// <summary><see cref="WorstCaseRpo"/> as an operator reads it.</summary>
    public string WorstCaseRpoText { get; init; } = "";

    public override string ToString() => $"{Cluster}: {Name} ({Schedule})";
}
