namespace MultiCluster;

/// <summary>Where a Multi-Cluster Services export stands, read from the ServiceExport's conditions.</summary>
public enum FleetServiceExportStatus
{
    /// <summary>No MCS controller has reported yet (no Ready condition), or an import is still missing.</summary>
    Pending,

    /// <summary>Ready True, no conflict.</summary>
    Exported,

    /// <summary>Conflict True: the exporters disagree on ports, type or session affinity; the oldest export wins.</summary>
    Conflict,

    /// <summary>Valid False: the Service is missing or of a type that cannot be exported.</summary>
    Invalid,

    /// <summary>The export could not be written or read.</summary>
    Failed,
}

/// <summary>
/// One cluster's ServiceExport (multicluster.x-k8s.io/v1alpha1) of a Service: what was done, what
/// the MCS controller says of it, the cluster-set DNS name, and which members import it.
/// </summary>
public sealed record FleetServiceExport
{
    public required string Cluster { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>&lt;service&gt;.&lt;namespace&gt;.svc.clusterset.local, the name consumers in every member use.</summary>
    public string DnsName => $"{Name}.{Namespace}.svc.clusterset.local";

    public FleetResourceAction Action { get; init; }
    public FleetServiceExportStatus Status { get; init; }

    /// <summary>The Conflict condition's reason when it is True (PortConflict, TypeConflict, ... joined by commas).</summary>
    public string? ConflictReason { get; init; }

    /// <summary>The members holding a ServiceImport of the service, in fleet order.</summary>
    public IReadOnlyList<string> ImportedBy { get; init; } = [];

    /// <summary>How many members import the service (the table's Imports column).</summary>
    public int ImportCount => ImportedBy.Count;

    /// <summary>The members of the cluster set still without a ServiceImport (after -Wait, the ones that never got one).</summary>
    public IReadOnlyList<string> MissingImport { get; init; } = [];

    public string Message { get; init; } = "";
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster}: {Namespace}/{Name} {Status}";
}
