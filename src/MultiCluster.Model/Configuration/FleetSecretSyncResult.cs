namespace MultiCluster;

/// <summary>
/// What Sync-FleetSecret did with one Secret or ConfigMap on one cluster. It names the keys and
/// the content hash, never a value, so it can be shown, logged and exported as it is.
/// </summary>
public sealed class FleetSecretSyncResult
{
    public required string Cluster { get; init; }

    /// <summary>Secret or ConfigMap.</summary>
    public string Kind { get; init; } = "Secret";

    public string Namespace { get; init; } = "";
    public string Name { get; init; } = "";

    /// <summary>Created, Configured, Unchanged; WouldCreate, WouldChange under -WhatIf; Failed.</summary>
    public FleetResourceAction Action { get; init; }

    /// <summary>The keys of the copy, sorted; never their values.</summary>
    public IReadOnlyList<string> Keys { get; init; } = Array.Empty<string>();

    /// <summary><c>sha256:&lt;hex&gt;</c> of the copy's canonical content, as its annotation holds it.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>Where the content came from: <c>cluster/namespace/name</c>, a file, or the values given.</summary>
    public string Source { get; init; } = "";

    public string? Message { get; init; }

    /// <summary>Why the copy failed (Failed only). Never contains a value.</summary>
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster}: {Kind} {Namespace}/{Name} {Action}";
}
