using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Controllers.Velero;

namespace MultiCluster.Engine.Tests.Recovery;

/// <summary>
/// Two emulated clusters, "primary" and "standby", each with the real Velero CRDs, a velero
/// namespace, the deployment and Velero controllers, and an object store of their own that both
/// share (so tests never see each other's backups). The module's own connector reaches them.
/// </summary>
public sealed class RecoveryTestBed : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, List<IController>> _controllers;

    private RecoveryTestBed(EmulatedFleet fleet, VeleroObjectStorage storage, IReadOnlyDictionary<string, List<IController>> controllers)
    {
        _controllers = controllers;
        Fleet = fleet;
        Storage = storage;
        Connector = new KubernetesConnector(KubeconfigSource.FromContent(fleet.Kubeconfig));
        Clusters = fleet.Clusters.Select(c => new FleetCluster { Name = c.Name, Context = c.Name }).ToList();
    }

    public EmulatedFleet Fleet { get; }

    /// <summary>The primary's clock as the engine's time (both clocks move together).</summary>
    public TimeProvider Time => new EmulatorTime(Primary.Clock);
    public VeleroObjectStorage Storage { get; }
    public KubernetesConnector Connector { get; }
    public IReadOnlyList<FleetCluster> Clusters { get; }
    public EmulatedCluster Primary => Fleet[0];
    public EmulatedCluster Standby => Fleet[1];
    public FleetCluster PrimaryCluster => Clusters[0];
    public FleetCluster StandbyCluster => Clusters[1];

    /// <param name="workloadReadyDelay">How long each pod takes to become ready (a StatefulSet's pods start one after another).</param>
    /// <param name="downloadRequests">Installs Velero's DownloadRequest CRD too (not in ../shared/crds), so restore results can be fetched.</param>
    public static async Task<RecoveryTestBed> StartAsync(string prefix, bool veleroOnStandby = true, TimeSpan workloadReadyDelay = default,
        bool downloadRequests = true)
    {
        var storage = new VeleroObjectStorage();
        var settings = new ControllerSettings
        {
            VeleroStorage = storage,
            DeploymentReadyDelay = workloadReadyDelay,
            VeleroBackupDuration = TimeSpan.FromSeconds(2),
            VeleroRestoreDuration = TimeSpan.FromSeconds(3),
        };
        var controllers = new System.Collections.Concurrent.ConcurrentDictionary<string, List<IController>>();
        var fleet = await EmulatedFleet.StartAsync(2, prefix, configure: (_, o) => new EmulatedClusterOptions
        {
            Name = o.Name,
            Controllers = controllers[o.Name] = ControllerCatalog.Create(settings, "deployments", VeleroController.ControllerName),
        });
        var bed = new RecoveryTestBed(fleet, storage, controllers);
        foreach (var cluster in veleroOnStandby ? fleet.Clusters : [fleet[0]])
        {
            SharedCrds.LoadInto(cluster, "velero");
            if (downloadRequests) VeleroDownloadRequestCrd.Install(cluster);
            CreateNamespace(cluster, "velero");
        }
        return bed;
    }

    public VeleroController Velero(EmulatedCluster cluster) =>
        Controllers(cluster).OfType<VeleroController>().Single();

    /// <summary>Waits until every controller of both clusters is idle.</summary>
    public async Task IdleAsync()
    {
        foreach (var cluster in Fleet.Clusters)
            foreach (var controller in Controllers(cluster).OfType<StoreController>())
                await controller.WhenIdleAsync();
    }

    /// <summary>Advances both clocks (they stand for the same wall clock) and waits for the controllers.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        foreach (var cluster in Fleet.Clusters) cluster.Clock.Advance(by);
        await IdleAsync();
    }

    /// <summary>A location named 'default' on both clusters over one bucket: read-write on the primary, read-only on the standby.</summary>
    public void SharedLocation(string bucket = "dr-backups")
    {
        Create(Primary, Location("default", bucket, "ReadWrite"));
        if (Standby.Registry.Find("velero.io", "backupstoragelocations") is not null) Create(Standby, Location("default", bucket, "ReadOnly"));
    }

    /// <summary>The namespace 'production': a ConfigMap, a Secret, a Service and a Deployment of 3 replicas.</summary>
    public void SeedProduction(EmulatedCluster cluster, string ns = "production")
    {
        CreateNamespace(cluster, ns);
        Create(cluster, Parse($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web-settings","namespace":"{{{ns}}}"},"data":{"color":"blue"}}"""));
        Create(cluster, Parse($$$"""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"web-tls","namespace":"{{{ns}}}"},"type":"Opaque","data":{"key":"c2VjcmV0"}}"""));
        Create(cluster, Parse($$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"{{{ns}}}"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}"""));
        Create(cluster, Parse($$$$"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"{{{{ns}}}}"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}
            }
            """));
    }

    /// <summary>Serves the kinds the emulator leaves out that a restore's checks read: PersistentVolumeClaims, StorageClasses.</summary>
    public static void ServeStorageKinds(EmulatedCluster cluster)
    {
        cluster.Registry.Add(new MultiCluster.Testing.ApiServer.ResourceType
        {
            Group = "", Versions = ["v1"], Kind = "PersistentVolumeClaim", Plural = "persistentvolumeclaims", Singular = "persistentvolumeclaim",
            Namespaced = true, Subresources = ["status"],
        });
        cluster.Registry.Add(new MultiCluster.Testing.ApiServer.ResourceType
        {
            Group = "storage.k8s.io", Versions = ["v1"], Kind = "StorageClass", Plural = "storageclasses", Singular = "storageclass", Namespaced = false,
        });
    }

    public static JsonObject Location(string name, string bucket, string accessMode) => Parse($$$"""
        {"apiVersion":"velero.io/v1","kind":"BackupStorageLocation","metadata":{"name":"{{{name}}}","namespace":"velero"},
         "spec":{"provider":"aws","objectStorage":{"bucket":"{{{bucket}}}"},"default":true,"accessMode":"{{{accessMode}}}"}}
        """);

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonObject Create(EmulatedCluster cluster, JsonObject obj) => cluster.CreateObject(obj);

    public static void CreateNamespace(EmulatedCluster cluster, string name) =>
        cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });

    public static JsonObject? Get(EmulatedCluster cluster, string group, string plural, string? ns, string name) =>
        cluster.Store.Get(cluster.Registry.Find(group, plural)!, ns, name);

    public static IReadOnlyList<JsonObject> List(EmulatedCluster cluster, string group, string plural, string? ns = null) =>
        cluster.Registry.Find(group, plural) is { } type ? cluster.Store.List(type, ns).Items : [];

    private IEnumerable<IController> Controllers(EmulatedCluster cluster) => _controllers[cluster.Name];

    public async ValueTask DisposeAsync()
    {
        Connector.Dispose();
        await Fleet.DisposeAsync();
        await Storage.DisposeAsync();
    }
}

/// <summary>An emulator clock as a <see cref="TimeProvider"/>, so the engine measures ages on the clusters' time.</summary>
internal sealed class EmulatorTime(TestClock clock) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => clock.UtcNow;
}
