using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>
/// A management emulator with the Cluster API CRDs and (optionally) the simulated Cluster API
/// controller, Docker clusters created on it from rendered manifests, and the workload clusters
/// it provisions reachable as fleet members (each through its own kubeconfig file).
/// </summary>
public sealed class UpgradeTestBed : IAsyncDisposable
{
    public const string FromVersion = "v1.32.3";
    public const string ToVersion = "v1.33.0";

    private readonly string _directory = Directory.CreateTempSubdirectory("upgrade-").FullName;
    private readonly List<FleetCluster> _workloads = [];

    private UpgradeTestBed(EmulatedCluster management, ClusterApiController? controller)
    {
        Emulator = management;
        Controller = controller;
        var path = Path.Combine(_directory, "management.yaml");
        KubeconfigWriter.WriteFile(path, management.Kubeconfig());
        Management = new FleetCluster { Name = management.Name, Context = management.Name, Kubeconfig = path, Role = FleetClusterRole.Management };
        Connector = new KubernetesConnector(KubeconfigSource.FromContent(management.Kubeconfig()));
    }

    public EmulatedCluster Emulator { get; }
    public ClusterApiController? Controller { get; }
    public FleetCluster Management { get; }
    public KubernetesConnector Connector { get; }

    /// <summary>The management cluster and the provisioned workload clusters.</summary>
    public IReadOnlyList<FleetCluster> Fleet => [Management, .. _workloads];

    /// <summary>With the simulated controller (clusters provision at once) or, <paramref name="withController"/> false, with status written by the test.</summary>
    public static async Task<UpgradeTestBed> StartAsync(string name, bool withController = true)
    {
        var controllers = withController
            ? ControllerCatalog.Create(new ControllerSettings { ClusterProvisionDelay = TimeSpan.Zero }, ClusterApiController.ControllerName)
            : [];
        var emulator = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = name, Controllers = controllers });
        SharedCrds.LoadInto(emulator, "cluster-api", "cluster-api-docker");
        return new UpgradeTestBed(emulator, controllers.OfType<ClusterApiController>().SingleOrDefault());
    }

    /// <summary>Creates Docker clusters at <see cref="FromVersion"/> with two workers and, with the controller, waits until each is provisioned and in the fleet.</summary>
    public async Task CreateClustersAsync(params string[] names)
    {
        var apply = new ApplyService(Connector);
        foreach (var name in names)
        {
            var rendered = await new ClusterManifestService(Connector).RenderForAsync(
                new FleetClusterSpec { Name = name, Provider = "Docker", KubernetesVersion = FromVersion, WorkerReplicas = 2 }, Management);
            var results = await apply.ApplyAsync(apply.Plan([Management], rendered.Objects), new ApplyOptions()).ToListAsync();
            results.Should().HaveCount(rendered.Objects.Count).And.NotBeEmpty().And.OnlyContain(r => r.Error == null);
        }
        if (Controller is null) return;
        foreach (var name in names)
        {
            var child = await ProvisionedAsync(name);
            var path = Path.Combine(_directory, name + ".yaml");
            KubeconfigWriter.WriteFile(path, child.Kubeconfig());
            _workloads.Add(new FleetCluster { Name = name, Context = child.Name, Kubeconfig = path });
        }
    }

    /// <summary>Waits until the controller has started the cluster's own API server (Cluster API may roll the first machines one by one before).</summary>
    private async Task<EmulatedCluster> ProvisionedAsync(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (Controller!.ChildOf("default", name) is { } child) return child;
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{name} was not provisioned: {Controller.LastError}");
            await Task.Delay(50);
        }
    }

    public EmulatedCluster Child(string name) => Controller!.ChildOf("default", name)!;

    public JsonObject Get(string group, string plural, string name) =>
        Emulator.Store.Get(Emulator.Registry.Find(group, plural)!, "default", name) ?? throw new InvalidOperationException($"no {plural} {name}");

    public string ControlPlaneVersion(string cluster) => (string)Get(ClusterApiController.ControlPlaneGroup, "kubeadmcontrolplanes", cluster + "-control-plane")["spec"]!["version"]!;

    /// <summary>Writes <paramref name="status"/> as the object's status, as a Cluster API controller would.</summary>
    public void WriteStatus(string group, string plural, string name, Func<JsonObject, JsonObject> status)
    {
        var type = Emulator.Registry.Find(group, plural)!;
        var obj = Emulator.Store.Get(type, "default", name)!;
        obj["status"] = status(obj);
        Emulator.Store.Update(type, obj);
    }

    public async ValueTask DisposeAsync()
    {
        Connector.Dispose();
        await Emulator.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
