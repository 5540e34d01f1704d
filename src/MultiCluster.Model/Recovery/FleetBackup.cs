namespace MultiCluster;

/// <summary>One Velero Backup a cluster sees (its own, or synced from a shared bucket).</summary>
public sealed class FleetBackup
{
    public required string Cluster { get; init; }
    public required string Name { get; init; }
    public required string Namespace { get; init; }

    /// <summary>Velero's phase: New, InProgress, Completed, PartiallyFailed, Failed, FailedValidation ...</summary>
    public required string Phase { get; init; }

    /// <summary>The Schedule that made it (the velero.io/schedule-name label); null for a manual backup.</summary>
    public string? Schedule { get; init; }

    public string? StorageLocation { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? CompletionTime { get; init; }
    public DateTimeOffset? Expiration { get; init; }
    public int ItemsBackedUp { get; init; }
    public int TotalItems { get; init; }
    public int Warnings { get; init; }
    public int Errors { get; init; }
    public string? FailureReason { get; init; }
    public IReadOnlyList<string> IncludedNamespaces { get; init; } = [];

    /// <summary>
    /// The data a restore of this backup would lose if the cluster died now: the time since the
    /// backup started (changes after its start may be missing). Null unless Completed or PartiallyFailed.
    /// </summary>
    public TimeSpan? Rpo { get; init; }

    /// <summary><see cref="Rpo"/> as an operator reads it (5m, 1h30m, 2d).</summary>
    public string RpoText { get; init; } = "";

    /// <summary>How long ago the backup started, for the table.</summary>
    public string Age { get; init; } = "";

    public override string ToString() => $"{Cluster}: {Name} ({Phase})";
}
