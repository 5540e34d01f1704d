namespace MultiCluster.Engine.Configuration;

/// <summary>
/// Where the content to sync comes from, as the cmdlets bind it: exactly one of values
/// (-Value, -Credential or -Data, already turned into <see cref="SecretValue"/> readers), manifest
/// files (-Path), or Secrets/ConfigMaps on a source cluster (-SourceCluster with -Name or -SourceSelector).
/// </summary>
public sealed record SecretSourceRequest
{
    /// <summary>Secret or ConfigMap.</summary>
    public string Kind { get; init; } = SyncedObject.SecretKind;

    /// <summary>-Name: the object's name (values), or the source objects' names.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>-Namespace: where the copies go; null takes the source's (or each cluster's context namespace).</summary>
    public string? Namespace { get; init; }

    /// <summary>The source parameters given (-Value, -Credential, -Data, -Path, -SourceCluster), to refuse none or several.</summary>
    public IReadOnlyList<string> GivenSources { get; init; } = [];

    public IReadOnlyList<SecretValue> Values { get; init; } = [];

    /// <summary>The Secret type for values: Opaque, or kubernetes.io/basic-auth for a credential.</summary>
    public string SecretType { get; init; } = "Opaque";

    public IReadOnlyList<string> Paths { get; init; } = [];

    public FleetCluster? SourceCluster { get; init; }
    public string? SourceNamespace { get; init; }
    public string? SourceSelector { get; init; }
}

/// <summary>What a sync copies, and the names its source holds now (a managed copy of another name is Extra).</summary>
public sealed record SecretSyncSource(IReadOnlyList<SyncedObject> Objects, IReadOnlySet<string> SourceNames)
{
    /// <summary>The source cluster when its namespace is also the copies' namespace: it is left out of the targets.</summary>
    public string? SkippedCluster { get; init; }
}
