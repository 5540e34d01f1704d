namespace MultiCluster;

/// <summary>
/// A Service as Cilium Cluster Mesh sees it on one cluster: global or not and its affinity, read
/// from the current annotations (<c>service.cilium.io/*</c>) or, where those are absent, the legacy
/// ones (<c>io.cilium/*</c>), so either form reads back as the same object.
/// </summary>
public sealed record FleetGlobalService
{
    public required string Cluster { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public bool Global { get; init; }

    /// <summary>local, remote or none (Cilium's default).</summary>
    public string Affinity { get; init; } = "none";

    /// <summary>Which annotations carry it: Current (service.cilium.io) or Legacy (io.cilium).</summary>
    public string AnnotationStyle { get; init; } = "Current";

    public FleetResourceAction Action { get; init; }
    public string Message { get; init; } = "";
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster}: {Namespace}/{Name} global={Global} affinity={Affinity}";
}
