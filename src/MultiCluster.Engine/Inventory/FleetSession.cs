using MultiCluster.Engine.Connections;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// What one PowerShell runspace remembers between calls: the current fleet (if one was imported),
/// the kubeconfig source and the connector holding the cached clients. The cmdlet layer keeps one
/// per runspace. Thread-safe for readers; imports replace state atomically.
/// </summary>
public sealed class FleetSession : IDisposable
{
    private readonly ConnectorOptions? _connectorOptions;
    private readonly object _gate = new();
    private Fleet? _fleet;
    private KubernetesConnector _connector;

    public FleetSession(KubeconfigSource? kubeconfig = null, ConnectorOptions? connectorOptions = null)
    {
        _connectorOptions = connectorOptions;
        _connector = new KubernetesConnector(kubeconfig ?? KubeconfigSource.FromEnvironment(), connectorOptions);
    }

    /// <summary>The imported fleet, or null when the kubeconfig contexts are the fleet.</summary>
    public Fleet? CurrentFleet { get { lock (_gate) return _fleet; } }

    public KubeconfigSource Kubeconfig { get { lock (_gate) return _connector.Source; } }

    /// <summary>Hands out the cached client of each cluster.</summary>
    public IClusterConnector Connector { get { lock (_gate) return _connector; } }

    /// <summary>Loads a fleet file and makes it current (see <see cref="FleetFileParser.Load"/>).</summary>
    public Fleet ImportFleet(string path) => SetFleet(FleetFileParser.Load(path));

    /// <summary>Parses fleet YAML from a string and makes it current (see <see cref="FleetFileParser.Parse"/>).</summary>
    public Fleet ImportFleetContent(string content) => SetFleet(FleetFileParser.Parse(content));

    public Fleet SetFleet(Fleet fleet)
    {
        lock (_gate) _fleet = fleet;
        return fleet;
    }

    /// <summary>Forgets the imported fleet: the kubeconfig contexts are the fleet again.</summary>
    public void ClearFleet()
    {
        lock (_gate) _fleet = null;
    }

    /// <summary>Switches the kubeconfig (a path, several, or content); the cached clients are dropped.</summary>
    public void UseKubeconfig(KubeconfigSource source)
    {
        KubernetesConnector previous;
        lock (_gate)
        {
            previous = _connector;
            _connector = new KubernetesConnector(source, _connectorOptions);
        }
        previous.Dispose();
    }

    /// <summary>
    /// The fleet to act on: the imported one, or else one cluster per kubeconfig context (name =
    /// context name), in kubeconfig order.
    /// </summary>
    public Fleet GetFleet()
    {
        KubernetesConnector connector;
        lock (_gate)
        {
            if (_fleet is not null) return _fleet;
            connector = _connector;
        }
        var kubeconfig = connector.Kubeconfig;
        var clusters = kubeconfig.ContextNames
            .Select(name => new FleetCluster { Name = name, Context = name })
            .ToList();
        return new Fleet { Name = "kubeconfig", SourcePath = null, Clusters = clusters };
    }

    /// <summary>Picks clusters of the current fleet; see <see cref="ClusterSelector.Select"/>.</summary>
    public ClusterSelectionResult Select(ClusterSelection selection) => ClusterSelector.Select(GetFleet().Clusters, selection);

    public void Dispose()
    {
        lock (_gate) _connector.Dispose();
    }
}
