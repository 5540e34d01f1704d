namespace MultiCluster;

/// <summary>
/// One cluster's registration in Argo CD: the argocd-manager account in the cluster and the
/// cluster Secret on the management cluster. Register-FleetArgoCluster and
/// Unregister-FleetArgoCluster say what they did (<see cref="Action"/>). The token is never here.
/// </summary>
public sealed record FleetArgoCluster
{
    /// <summary>The registered cluster (the Argo CD cluster name).</summary>
    public required string Cluster { get; init; }

    /// <summary>The cluster running Argo CD, which holds the cluster Secret.</summary>
    public required string ManagementCluster { get; init; }

    /// <summary>The API server URL Argo CD talks to.</summary>
    public string Server { get; init; } = "";

    /// <summary>Namespace/name of the Argo CD cluster Secret, for example <c>argocd/cluster-10.0.0.1-1234</c>.</summary>
    public string SecretName { get; init; } = "";

    /// <summary>Where the token may act: <c>Cluster</c>, or the namespaces of a namespaced registration.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary><c>Cluster</c> for cluster-wide rights, else the namespaces joined by commas.</summary>
    public string Scope => Namespaces.Count == 0 ? "Cluster" : string.Join(",", Namespaces);

    /// <summary>The labels the cluster Secret carries for ApplicationSet cluster generators.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public FleetResourceAction Action { get; init; }

    public string Message { get; init; } = "";

    /// <summary>The failure when the cluster could not be registered or removed.</summary>
    public Exception? Error { get; init; }

    public override string ToString() => $"{Cluster} in Argo CD on {ManagementCluster}: {Action}";
}
