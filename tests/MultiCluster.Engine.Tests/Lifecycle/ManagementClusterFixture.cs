using System.Net;
using System.Text.Json.Nodes;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>
/// An emulated management cluster with the real Cluster API, CAPA, CAPZ and CAPD CRDs, reached
/// through the module's own connector and resource client.
/// </summary>
public sealed class ManagementCluster : IAsyncDisposable
{
    public static readonly string[] CrdFolders = ["cluster-api", "cluster-api-provider-aws", "cluster-api-provider-azure", "cluster-api-docker"];

    private ManagementCluster(EmulatedCluster emulator)
    {
        Emulator = emulator;
        Connector = new KubernetesConnector(KubeconfigSource.FromContent(emulator.Kubeconfig(emulator.Name)));
        Cluster = new FleetCluster { Name = emulator.Name, Context = emulator.Name, Role = FleetClusterRole.Management };
        var connection = Connector.Connect(Cluster);
        Api = new KubernetesClientApi((Kubernetes)connection.Client);
        Discovery = new ResourceDiscovery(Api, emulator.Name);
    }

    public EmulatedCluster Emulator { get; }
    public KubernetesConnector Connector { get; }
    public FleetCluster Cluster { get; }
    internal IKubeApi Api { get; }
    internal ResourceDiscovery Discovery { get; }

    /// <summary>A management cluster with every Cluster API CRD as upstream ships it (v1beta2 and v1beta1 served).</summary>
    public static Task<ManagementCluster> StartAsync(string name = "mgmt") => StartAsync(name, cluster => SharedCrds.LoadInto(cluster, CrdFolders));

    /// <summary>
    /// A management cluster as Cluster API 1.10 left it: the core and CAPD CRDs serve v1beta1 only
    /// (the upstream CRDs with their v1beta2 entries cut out); CAPA and CAPZ as shipped.
    /// </summary>
    public static Task<ManagementCluster> StartV1Beta1Async(string name = "mgmt-old") => StartAsync(name, cluster =>
    {
        foreach (var folder in new[] { "cluster-api", "cluster-api-docker" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(SharedFiles.Crds!, folder), "*.yaml").Order(StringComparer.Ordinal))
            {
                foreach (var crd in YamlJson.ParseAll(File.ReadAllText(file)).OfType<JsonObject>())
                {
                    var versions = crd["spec"]!["versions"]!.AsArray();
                    var v1beta1 = versions.OfType<JsonObject>().FirstOrDefault(v => v["name"]!.GetValue<string>() == "v1beta1");
                    if (v1beta1 is null) continue;
                    v1beta1["storage"] = true;
                    v1beta1["served"] = true;
                    crd["spec"]!["versions"] = new JsonArray(v1beta1.DeepClone());
                    cluster.CreateObject(crd);
                }
            }
        }
        SharedCrds.LoadInto(cluster, "cluster-api-provider-aws", "cluster-api-provider-azure");
    });

    /// <summary>A cluster without any Cluster API CRD.</summary>
    public static Task<ManagementCluster> StartBareAsync(string name = "bare") => StartAsync(name, _ => { });

    private static async Task<ManagementCluster> StartAsync(string name, Action<EmulatedCluster> load)
    {
        var emulator = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = name });
        load(emulator);
        return new ManagementCluster(emulator);
    }

    public void CreateNamespace(string name) =>
        Emulator.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });

    /// <summary>
    /// Creates <paramref name="obj"/> with a POST that asks for strict field validation, so an
    /// unknown field is an error rather than silently pruned. Returns the server's status and message.
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> CreateStrictAsync(KubeObject obj)
    {
        var type = await Discovery.ResolveAsync(obj.ApiVersion, obj.Kind, CancellationToken.None);
        var response = await Api.SendAsync(HttpMethod.Post, type.CollectionPath(obj.Namespace) + "?fieldValidation=Strict",
            obj.ToJson(), "application/json", CancellationToken.None);
        return (response.Status, response.Body);
    }

    public async Task<KubeObject?> GetAsync(KubeObject obj)
    {
        var type = await Discovery.ResolveAsync(obj.ApiVersion, obj.Kind, CancellationToken.None);
        var response = await Api.SendAsync(HttpMethod.Get, type.ObjectPath(obj.Namespace, obj.Name), null, null, CancellationToken.None);
        return response.Status == HttpStatusCode.OK ? KubeObject.Parse(response.Body) : null;
    }

    public async ValueTask DisposeAsync()
    {
        Connector.Dispose();
        await Emulator.DisposeAsync();
    }
}
