using k8s;

namespace MultiCluster.Engine.Connections;

/// <summary>A live, cached client for one cluster of the fleet.</summary>
public sealed class ClusterConnection
{
    public required FleetCluster Cluster { get; init; }
    public required IKubernetes Client { get; init; }

    /// <summary>The context's namespace, or "default" when the context names none.</summary>
    public required string DefaultNamespace { get; init; }

    public required Uri Server { get; init; }

    public string Name => Cluster.Name;
}

/// <summary>Hands out one cached connection per kubeconfig context.</summary>
public interface IClusterConnector
{
    /// <summary>
    /// The connection for <paramref name="cluster"/>. Throws <see cref="Errors.FleetClusterException"/>
    /// (ClusterContextNotFound, KubeconfigInvalid, CredentialPluginFailed, ...) when it cannot be built.
    /// </summary>
    ClusterConnection Connect(FleetCluster cluster);
}
