namespace MultiCluster;

/// <summary>A rendered manifest for one cluster (what -OutputPath writes instead of applying).</summary>
public sealed class FleetManifest
{
    public required string Cluster { get; init; }
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public string? Namespace { get; init; }

    /// <summary>The file it was written to, when it was written.</summary>
    public string? Path { get; init; }

    public required string Yaml { get; init; }

    public override string ToString() => $"{Cluster}: {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)}";
}
