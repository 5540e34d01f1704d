namespace MultiCluster;

/// <summary>
/// A fleet: the clusters of a fleet file, or of a kubeconfig when no fleet file was imported.
/// </summary>
public sealed class Fleet
{
    /// <summary>The fleet file's <c>name</c>; the file name without extension when it names none.</summary>
    public required string Name { get; init; }

    /// <summary>Full path of the fleet file, "&lt;content&gt;" when it came from a string, null for kubeconfig contexts.</summary>
    public string? SourcePath { get; init; }

    public IReadOnlyList<FleetCluster> Clusters { get; init; } = Array.Empty<FleetCluster>();

    /// <summary>The reference-architecture sections (networking, data, identity, management); null for the <c>clusters:</c> layout.</summary>
    public FleetArchitecture? Architecture { get; init; }

    /// <summary>
    /// The architecture's choices in brief, by the product recognised in each (the text where none is):
    /// <c>mesh Cilium, data ActiveActive, identity Dex, mgmt hub</c>. A display column; null without an architecture.
    /// </summary>
    public string? ArchitectureSummary => Architecture is not { } a ? null : string.Join(", ", new[]
    {
        ("mesh", a.Networking.Mesh ?? a.Networking.CrossCluster), ("data", a.Data.Replication ?? a.Data.Backup), ("identity", a.Identity.Federation),
    }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1} {p.Item2!.Provider ?? p.Item2.Text}")
        .Concat(a.Management is { } m ? [$"mgmt {m.Cluster}"] : []));

    /// <summary>How many clusters the fleet has (a display column).</summary>
    public int ClusterCount => Clusters.Count;

    public override string ToString() => $"{Name} ({Clusters.Count} clusters)";
}
