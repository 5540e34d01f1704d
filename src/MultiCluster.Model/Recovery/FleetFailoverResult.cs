namespace MultiCluster;

/// <summary>One step of a failover, failback or drill, timed.</summary>
public sealed class FleetFailoverStep
{
    /// <summary>AssessPrimary, SelectBackup, Restore, WaitForWorkloads, SwitchTraffic, Verify.</summary>
    public required string Name { get; init; }

    /// <summary>Succeeded, Failed, Skipped (nothing to do, or done by an earlier run), Planned (-WhatIf), NotRun.</summary>
    public required string Outcome { get; init; }

    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public TimeSpan? Duration => Start is { } s && End is { } e ? e - s : null;
    public string? Message { get; init; }

    public override string ToString() => $"{Name}: {Outcome}{(Message is null ? "" : " - " + Message)}";
}

/// <summary>What a failover (or failback, or drill) did: every step, the RPO of the backup used and the measured RTO.</summary>
public sealed class FleetFailoverResult
{
    public required string From { get; init; }
    public required string To { get; init; }

    /// <summary>Completed, Failed, AlreadyComplete (an earlier run finished it), Planned (-WhatIf).</summary>
    public required string Status { get; init; }

    public bool Drill { get; init; }
    public string? Backup { get; init; }
    public string? Restore { get; init; }

    /// <summary>The data lost: from the backup's start to the failover's start.</summary>
    public TimeSpan? Rpo { get; init; }

    /// <summary>The time to recover: from the failover's first step to its last.</summary>
    public TimeSpan? Rto { get; init; }

    public string RpoText { get; init; } = "";
    public string RtoText { get; init; } = "";
    public string? Traffic { get; init; }
    public IReadOnlyList<FleetFailoverStep> Steps { get; init; } = [];
    public string? Message { get; init; }

    /// <summary>The error id of the step that failed (FailoverRestoreFailed ...); null unless Failed.</summary>
    public string? ErrorId { get; init; }

    /// <summary>Velero's errors of a restore that failed, one line each ("&lt;namespace&gt;: message", "Velero: ...", "Cluster: ..."); empty when there were none or they could not be fetched.</summary>
    public IReadOnlyList<string> RestoreErrors { get; init; } = Array.Empty<string>();

    /// <summary>Velero's warnings of a restore that failed, likewise.</summary>
    public IReadOnlyList<string> RestoreWarnings { get; init; } = Array.Empty<string>();

    public override string ToString() => $"{From} -> {To}: {Status}";
}
