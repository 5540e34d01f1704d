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
    private bool _adopted;

    public FleetSession(KubeconfigSource? kubeconfig = null, ConnectorOptions? connectorOptions = null)
        : this(new KubernetesConnector(kubeconfig ?? KubeconfigSource.FromEnvironment(), connectorOptions), connectorOptions)
    {
    }

    private FleetSession(KubernetesConnector connector, ConnectorOptions? connectorOptions)
    {
        _connectorOptions = connectorOptions;
        _connector = connector;
    }

    /// <summary>
    /// A session beside this one: the same fleet, with <paramref name="kubeconfig"/> instead of this
    /// one's. An import that brings its own kubeconfig works there (<see cref="Import.FleetImporter"/>), and
    /// this session <see cref="Adopt"/>s it only once the import succeeded.
    /// </summary>
    internal FleetSession Beside(LoadedKubeconfig kubeconfig)
    {
        var beside = new FleetSession(new KubernetesConnector(kubeconfig, _connectorOptions), _connectorOptions);
        lock (_gate) beside._fleet = _fleet;
        return beside;
    }

    /// <summary>Takes the fleet and kubeconfig of a session made by <see cref="Beside"/>, whose clients it then owns.</summary>
    internal void Adopt(FleetSession beside)
    {
        ArgumentNullException.ThrowIfNull(beside);
        Fleet? fleet;
        KubernetesConnector connector;
        lock (beside._gate)
        {
            if (beside._adopted) throw new InvalidOperationException("That session was adopted already.");
            beside._adopted = true;
            fleet = beside._fleet;
            connector = beside._connector;
        }
        KubernetesConnector previous;
        lock (_gate)
        {
            _fleet = fleet;
            previous = _connector;
            _connector = connector;
        }
        previous.Dispose();
    }

    /// <summary>The imported fleet, or null when the kubeconfig contexts are the fleet.</summary>
    public Fleet? CurrentFleet { get { lock (_gate) return _fleet; } }

    public KubeconfigSource Kubeconfig { get { lock (_gate) return _connector.Source; } }

    /// <summary>Hands out the cached client of each cluster.</summary>
    public IClusterConnector Connector { get { lock (_gate) return _connector; } }

    /// <summary>Loads a fleet file and makes it current (see <see cref="FleetFileParser.Load"/>).</summary>
    public Fleet ImportFleet(string path) => SetFleet(FleetFileParser.Load(path));

    /// <summary>Parses fleet YAML from a string and makes it current (see <see cref="FleetFileParser.Parse"/>); relative kubeconfig paths resolve against <paramref name="baseDirectory"/> (the PowerShell location).</summary>
    public Fleet ImportFleetContent(string content, string? baseDirectory = null) => SetFleet(FleetFileParser.Parse(content, baseDirectory: baseDirectory));

    public Fleet SetFleet(Fleet fleet)
    {
        lock (_gate) _fleet = fleet;
        return fleet;
    }

    /// <summary>
    /// Makes <paramref name="fleet"/> current and adds <paramref name="inMemoryKubeconfig"/> (when
    /// given) to the session's kubeconfig in memory, where its contexts win over the files', in one
    /// step under the lock; the cached clients are dropped, so kubeconfig files are read again.
    /// What Import-Fleet -From does with discovered credentials.
    /// </summary>
    public Fleet SetFleet(Fleet fleet, string? inMemoryKubeconfig)
    {
        KubernetesConnector previous;
        lock (_gate)
        {
            _fleet = fleet;
            previous = _connector;
            _connector = new KubernetesConnector(inMemoryKubeconfig is null ? previous.Source : previous.Source.WithInMemory(inMemoryKubeconfig), _connectorOptions);
        }
        previous.Dispose();
        return fleet;
    }

    /// <summary>The context names of the session's kubeconfig.</summary>
    public IReadOnlyList<string> ContextNames
    {
        get
        {
            KubernetesConnector connector;
            lock (_gate) connector = _connector;
            return connector.Kubeconfig.ContextNames;
        }
    }

    /// <summary>Forgets the imported fleet: the kubeconfig contexts are the fleet again.</summary>
    public void ClearFleet()
    {
        lock (_gate) _fleet = null;
    }

    /// <summary>Switches the kubeconfig (a path, several, or content); the cached clients are dropped.</summary>
    public void UseKubeconfig(KubeconfigSource source) => Use(new KubernetesConnector(source, _connectorOptions));

    /// <summary>As <see cref="UseKubeconfig(KubeconfigSource)"/>, with a kubeconfig already read (not read again).</summary>
    public void UseKubeconfig(LoadedKubeconfig kubeconfig) => Use(new KubernetesConnector(kubeconfig, _connectorOptions));

    private void Use(KubernetesConnector connector)
    {
        KubernetesConnector previous;
        lock (_gate)
        {
            previous = _connector;
            _connector = connector;
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
        return KubeconfigFleet(connector);
    }

    /// <summary>
    /// Adds <paramref name="clusters"/> to the fleet (replacing members of the same name), so a
    /// cluster whose kubeconfig was merged pipes into the next cmdlet, and drops the cached
    /// clients, so kubeconfig files changed since are read again. One step under the session's lock.
    /// </summary>
    public void AddClusters(IReadOnlyCollection<FleetCluster> clusters)
    {
        if (clusters.Count == 0) return;
        var names = clusters.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        KubernetesConnector previous;
        lock (_gate)
        {
            var fleet = _fleet ?? KubeconfigFleet(_connector);
            _fleet = new Fleet { Name = fleet.Name, SourcePath = fleet.SourcePath, Clusters = fleet.Clusters.Where(c => !names.Contains(c.Name)).Concat(clusters).ToList() };
            previous = _connector;
            _connector = new KubernetesConnector(previous.Source, _connectorOptions);
        }
        previous.Dispose();
    }

    /// <summary>Removes the clusters named <paramref name="names"/> from the fleet (a removed cluster leaves it); nothing changes when none is a member.</summary>
    public void RemoveClusters(IReadOnlyCollection<string> names)
    {
        var gone = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        lock (_gate)
        {
            var fleet = _fleet ?? KubeconfigFleet(_connector);
            if (!fleet.Clusters.Any(c => gone.Contains(c.Name))) return;
            _fleet = new Fleet { Name = fleet.Name, SourcePath = fleet.SourcePath, Clusters = fleet.Clusters.Where(c => !gone.Contains(c.Name)).ToList() };
        }
    }

    private static Fleet KubeconfigFleet(KubernetesConnector connector)
    {
        var clusters = connector.Kubeconfig.ContextNames
            .Select(name => new FleetCluster { Name = name, Context = name })
            .ToList();
        return new Fleet { Name = "kubeconfig", SourcePath = null, Clusters = clusters };
    }

    /// <summary>Picks clusters of the current fleet; see <see cref="ClusterSelector.Select"/>.</summary>
    public ClusterSelectionResult Select(ClusterPlacement placement) => ClusterSelector.Select(GetFleet().Clusters, placement);

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_adopted) _connector.Dispose();
        }
    }
}
