namespace MultiCluster;

/// <summary>How one cluster's copy of a synced Secret or ConfigMap compares with its source.</summary>
public enum FleetSecretState
{
    /// <summary>The copy holds what the source holds (by content hash).</summary>
    InSync,

    /// <summary>The cluster has no copy.</summary>
    Missing,

    /// <summary>The copy's content differs from the source's, or from its own hash annotation (a hand edit).</summary>
    Stale,

    /// <summary>A copy the module made from this source that the source no longer has.</summary>
    Extra,

    /// <summary>The cluster could not be read.</summary>
    Unknown,
}

/// <summary>
/// One cluster's copy of a synced Secret or ConfigMap against its source, compared by content
/// hash only: no value is read into this object.
/// </summary>
public sealed class FleetSecretStatus
{
    public required string Cluster { get; init; }

    /// <summary>Secret or ConfigMap.</summary>
    public string Kind { get; init; } = "Secret";

    public string Namespace { get; init; } = "";
    public string Name { get; init; } = "";
    public FleetSecretState Status { get; init; }

    /// <summary>The hash of what the source holds now; empty for Extra.</summary>
    public string SourceHash { get; init; } = "";

    /// <summary>The hash the copy's annotation records (what the last sync wrote); empty when there is none.</summary>
    public string AnnotatedHash { get; init; } = "";

    /// <summary>The hash of what the copy holds now, computed from its content.</summary>
    public string ActualHash { get; init; } = "";

    public string? Message { get; init; }

    /// <summary>Why the cluster could not be read (Unknown only).</summary>
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster}: {Kind} {Namespace}/{Name} {Status}";
}
