using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>What Invoke-FleetFailover asks for.</summary>
public sealed record FailoverRequest
{
    public required FleetCluster From { get; init; }
    public required FleetCluster To { get; init; }

    /// <summary>The namespaces to restore; all the backup holds when empty.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>The backup to restore; the newest Completed one of the primary the standby sees when null.</summary>
    public string? Backup { get; init; }

    public TimeSpan? MaxRpo { get; init; }

    /// <summary>Fails over from a healthy primary (a planned failover).</summary>
    public bool Force { get; init; }

    public string VeleroNamespace { get; init; } = VeleroKinds.DefaultNamespace;
    public Uri? HealthUrl { get; init; }
    public TimeSpan RestoreTimeout { get; init; } = TimeSpan.FromMinutes(60);
    public TimeSpan WorkloadTimeout { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a failed restore's warnings and errors may take to download before the report falls back to Velero's counts.</summary>
    public TimeSpan ResultsTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Restores each source namespace under another name (Velero's namespaceMapping); a drill's <c>&lt;ns&gt;-drill-&lt;time&gt;</c>.</summary>
    public IReadOnlyDictionary<string, string> NamespaceMapping { get; init; } = new Dictionary<string, string>();

    /// <summary>The replicas a warm standby kept at zero gets when it carries no <see cref="WarmStandby.ReplicasAnnotation"/>.</summary>
    public int? Replicas { get; init; }

    /// <summary>Velero's existingResourcePolicy for the Restore: null keeps what the target holds, "update" overwrites it (a failback).</summary>
    public string? ExistingResourcePolicy { get; init; }

    /// <summary>An audit record of a run that started before this is an earlier, finished cycle: the run starts afresh.</summary>
    public DateTimeOffset? IgnoreRecordsBefore { get; init; }

    // Restoring these into another cluster would overwrite (or, in a drill, copy) the cluster's own system objects.
    private static readonly string[] SystemNamespaces = ["kube-system", "kube-public", "kube-node-lease"];

    /// <summary>Throws FailoverInputInvalid for values no cluster read could make right; called before any request.</summary>
    public void Validate()
    {
        if (MaxRpo is { } rpo && rpo <= TimeSpan.Zero)
            throw Invalid($"-MaxRpo {rpo} is not positive: it is the oldest backup age accepted, such as (New-TimeSpan -Hours 4).");
        if (WorkloadTimeout <= TimeSpan.Zero)
            throw Invalid($"-WorkloadTimeout {WorkloadTimeout} is not positive: it is how long the restored workloads may take to become available.");
        foreach (var ns in Namespaces)
        {
            if (KubernetesNames.DnsLabelProblem(ns) is { } problem)
                throw Invalid($"-Namespace '{ns}' {problem}, so it cannot be a namespace.");
            if (SystemNamespaces.Contains(ns))
                throw Invalid($"-Namespace '{ns}' is a system namespace of every cluster; a failover or drill restores application namespaces only.");
        }
    }

    private FleetInputException Invalid(string message) =>
        new(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, From.Name, message + " Nothing was changed.");

    /// <summary>The namespace a source namespace is restored into.</summary>
    public string Target(string ns) => NamespaceMapping.TryGetValue(ns, out var mapped) ? mapped : ns;
}
