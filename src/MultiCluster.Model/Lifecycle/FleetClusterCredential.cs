namespace MultiCluster;

/// <summary>
/// The admin kubeconfig Cluster API wrote for a workload cluster (Get-FleetClusterCredential).
/// The content is a secret: no property, ToString or view shows it; call
/// <see cref="GetKubeconfig"/> to hand it on (to a file, a vault).
/// </summary>
public sealed class FleetClusterCredential
{
    private readonly string _kubeconfig;

    public FleetClusterCredential(string kubeconfig) => _kubeconfig = kubeconfig;

    /// <summary>The workload cluster.</summary>
    public required string Cluster { get; init; }

    /// <summary>The management cluster the secret was read from.</summary>
    public required string ManagementCluster { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The secret holding the kubeconfig (<c>NAME-kubeconfig</c>).</summary>
    public required string SecretName { get; init; }

    /// <summary>The kubeconfig's current context (<c>NAME-admin@NAME</c>).</summary>
    public string? Context { get; init; }

    /// <summary>The API server address the kubeconfig points at.</summary>
    public string? Server { get; init; }

    /// <summary>Same as <see cref="Cluster"/>; lets the credential bind to -Cluster and -Name down the pipeline.</summary>
    public string ClusterName => Cluster;

    /// <summary>The kubeconfig YAML. A method rather than a property so that no listing of properties prints it.</summary>
    public string GetKubeconfig() => _kubeconfig;

    public override string ToString() => $"{Cluster} (kubeconfig in secret {Namespace}/{SecretName} on {ManagementCluster})";
}
