using System.Runtime.CompilerServices;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// The resource view of one connection: its raw API, discovery cache and generic client. Kept
/// per connection (connections are cached per context), so discovery is fetched once per cluster
/// and session.
/// </summary>
internal sealed class ClusterResources
{
    private static readonly ConditionalWeakTable<ClusterConnection, ClusterResources> Cache = new();

    public ClusterResources(ClusterConnection connection, IKubeApi api)
    {
        Connection = connection;
        Api = api;
        Discovery = new ResourceDiscovery(api, connection.Name);
        Client = new ResourceClient(api, connection.Name);
    }

    public ClusterConnection Connection { get; }

    /// <summary>Raw requests to the API server (paths no generic kind covers, such as /version).</summary>
    public IKubeApi Api { get; }
    public ResourceDiscovery Discovery { get; }
    public ResourceClient Client { get; }
    public string Name => Connection.Name;

    /// <summary>The cached view of <paramref name="connection"/>, built with <paramref name="apiFactory"/> (tests) or the connection's client.</summary>
    public static ClusterResources For(ClusterConnection connection, Func<ClusterConnection, IKubeApi>? apiFactory) =>
        Cache.GetValue(connection, c => new ClusterResources(c, (apiFactory ?? DefaultApi)(c)));

    private static IKubeApi DefaultApi(ClusterConnection connection) => connection.Client switch
    {
        Kubernetes client => new KubernetesClientApi(client),
        _ => throw new FleetClusterException(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.InvalidOperation, connection.Name,
            $"The connection of cluster '{connection.Name}' does not use KubernetesClient's Kubernetes class, which generic resources need."),
    };
}
