namespace MultiCluster;

/// <summary>
/// The outcome of applying or deleting one object on one cluster. Failed results carry the
/// error in <see cref="Error"/> as well, so scripts can branch on <see cref="Action"/> without
/// reading <c>$Error</c>.
/// </summary>
public sealed class FleetResourceResult
{
    public required string Cluster { get; init; }
    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";

    /// <summary>Null for cluster-scoped objects.</summary>
    public string? Namespace { get; init; }

    public string Name { get; init; } = "";
    public FleetResourceAction Action { get; init; }
    public string? Message { get; init; }

    /// <summary>The fields a WhatIf apply would change (WouldChange only); empty otherwise.</summary>
    public IReadOnlyList<FleetFieldChange> Changes { get; init; } = Array.Empty<FleetFieldChange>();

    public TimeSpan Duration { get; init; }

    /// <summary>Why the object failed (Failed only). Never contains secrets.</summary>
    public Exception? Error { get; init; }

    public override string ToString() =>
        $"{Cluster}: {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)} {Action}";
}
