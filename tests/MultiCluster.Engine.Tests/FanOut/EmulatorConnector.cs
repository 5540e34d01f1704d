using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.FanOut;

/// <summary>
/// Test-only connector: one KubernetesClient per context of an emulated fleet's kubeconfig. The
/// product's connector (kubeconfig merging, auth plugins, retries) lives in Connections/.
/// </summary>
internal sealed class EmulatorConnector(EmulatedFleet fleet) : IClusterConnector
{
    private readonly Dictionary<string, ClusterConnection> _connections = new(StringComparer.Ordinal);

    public List<FleetCluster> Clusters { get; } = fleet.Clusters.Select(c => new FleetCluster { Name = c.Name, Context = c.Name }).ToList();

    public ClusterConnection Connect(FleetCluster cluster)
    {
        lock (_connections)
        {
            if (_connections.TryGetValue(cluster.Name, out var cached)) return cached;
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fleet.KubeconfigPath, currentContext: cluster.Context);
            var connection = new ClusterConnection
            {
                Cluster = cluster,
                Client = new Kubernetes(config),
                DefaultNamespace = string.IsNullOrEmpty(config.Namespace) ? "default" : config.Namespace,
                Server = new Uri(config.Host),
            };
            _connections[cluster.Name] = connection;
            return connection;
        }
    }
}
