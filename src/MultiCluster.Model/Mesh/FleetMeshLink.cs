namespace MultiCluster;

/// <summary>Whether a mesh link works, as Test-FleetMesh (and Join-FleetMesh after writing it) found it.</summary>
public enum FleetMeshLinkStatus
{
    /// <summary>The remote secret is there and its token authenticates against the peer with the reader's rights and no more.</summary>
    Healthy,

    /// <summary>The remote secret is missing, malformed, or its token is rejected or has other rights than the reader's.</summary>
    Broken,

    /// <summary>The cluster holding the secret, or the peer it points at, could not be reached.</summary>
    Unknown,

    /// <summary>Not checked (-WhatIf).</summary>
    NotChecked,
}

/// <summary>
/// One directed link of a mesh: <see cref="Cluster"/> holds a remote secret (Istio) that lets its
/// control plane read <see cref="Peer"/>. Join-FleetMesh and Remove-FleetMesh say what they did to
/// it (<see cref="Action"/>); Test-FleetMesh says whether it works (<see cref="Status"/>).
/// </summary>
public sealed record FleetMeshLink
{
    /// <summary>The cluster whose istiod reads the peer: where the remote secret lives.</summary>
    public required string Cluster { get; init; }

    /// <summary>The cluster the secret's kubeconfig points at (the source of the token).</summary>
    public required string Peer { get; init; }

    public FleetMeshProvider Provider { get; init; } = FleetMeshProvider.Istio;

    /// <summary>Test-FleetMesh: the network of <see cref="Cluster"/> (its istio-system topology.istio.io/network label); null when unlabelled.</summary>
    public string? Network { get; init; }

    /// <summary>Test-FleetMesh: the network of <see cref="Peer"/>; a different one needs the peer's east-west gateway to have an external address.</summary>
    public string? PeerNetwork { get; init; }

    /// <summary>Namespace/name of the remote secret, for example <c>istio-system/istio-remote-secret-west</c>.</summary>
    public string? SecretName { get; init; }

    /// <summary>What Join-FleetMesh or Remove-FleetMesh did; null for Test-FleetMesh.</summary>
    public FleetResourceAction? Action { get; init; }

    public FleetMeshLinkStatus Status { get; init; } = FleetMeshLinkStatus.NotChecked;

    /// <summary>When the link's token expires; null for a token that does not expire (a service-account token Secret).</summary>
    public DateTimeOffset? TokenExpires { get; init; }

    public string Message { get; init; } = "";

    /// <summary>The failure when the link could not be written, removed or checked.</summary>
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster} -> {Peer}: {(Action?.ToString() ?? Status.ToString())}";
}
