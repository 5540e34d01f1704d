using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Testing.Tests.Controllers;

/// <summary>
/// The rollout as end-to-end tests see it: a client watching a MachineDeployment sees every
/// intermediate count. The test moves the instance's clock one step at a time, each once the
/// controller is idle, so a loaded machine cannot run two steps in one reconcile (a late wall-clock
/// wake-up runs every step due) and hide a count. v1beta1 runs on the Cluster API CRDs with
/// v1beta1 as the storage version, as releases before v1.11 (v1beta2) served them.
/// </summary>
public sealed class ClusterApiRolloutWatchTests
{
    private const string Group = ClusterApiController.ClusterGroup;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    // Far longer than any test: only the test's clock advances make the controller step.
    private static readonly TimeSpan Step = TimeSpan.FromHours(1);

    private static async Task<(EmulatedCluster Cluster, ClusterApiController Controller)> StartAsync(string storageVersion)
    {
        var controllers = ControllerCatalog.Create(
            new ControllerSettings { ClusterProvisionDelay = Step, ClusterMachineStepInterval = Step },
            ClusterApiController.ControllerName);
        var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = controllers });
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SharedFiles.Crds!, "cluster-api"), "*.yaml").Order(StringComparer.Ordinal))
            foreach (var crd in YamlJson.ParseAll(File.ReadAllText(file)).OfType<JsonObject>())
            {
                foreach (var version in crd["spec"]!["versions"]!.AsArray().OfType<JsonObject>())
                    version["storage"] = (string?)version["name"] == storageVersion;
                cluster.CreateObject(crd);
            }
        return (cluster, (ClusterApiController)controllers[0]);
    }

    private static async Task CreateAsync(Kubernetes client, string version, string plural, JsonObject body) =>
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(body,
            plural == "kubeadmcontrolplanes" ? ClusterApiController.ControlPlaneGroup : Group, version, "default", plural);

    // The objects of a workload cluster in the shape of the given API version (references changed between them).
    private static async Task CreateWorkloadClusterAsync(Kubernetes client, string version)
    {
        JsonObject Reference(string group, string kind, string name) => version == "v1beta1"
            ? new JsonObject { ["apiVersion"] = $"{group}/v1beta1", ["kind"] = kind, ["name"] = name }
            : new JsonObject { ["apiGroup"] = group, ["kind"] = kind, ["name"] = name };
        JsonObject Metadata(string name) => new() { ["name"] = name };
        const string Infrastructure = "infrastructure.cluster.x-k8s.io";

        await CreateAsync(client, version, "clusters", new JsonObject
        {
            ["apiVersion"] = $"{Group}/{version}", ["kind"] = "Cluster", ["metadata"] = Metadata("work"),
            ["spec"] = new JsonObject { ["controlPlaneRef"] = Reference(ClusterApiController.ControlPlaneGroup, "KubeadmControlPlane", "work-cp") },
        });
        var controlPlaneInfrastructure = Reference(Infrastructure, "DockerMachineTemplate", "work-cp");
        var controlPlaneSpec = new JsonObject
        {
            ["replicas"] = 1,
            ["version"] = "v1.31.2",
            ["machineTemplate"] = version == "v1beta1"
                ? new JsonObject { ["infrastructureRef"] = controlPlaneInfrastructure }
                : new JsonObject { ["spec"] = new JsonObject { ["infrastructureRef"] = controlPlaneInfrastructure } },
        };
        if (version == "v1beta1")
            controlPlaneSpec["kubeadmConfigSpec"] = new JsonObject();
        await CreateAsync(client, version, "kubeadmcontrolplanes", new JsonObject
        {
            ["apiVersion"] = $"{ClusterApiController.ControlPlaneGroup}/{version}", ["kind"] = "KubeadmControlPlane", ["metadata"] = Metadata("work-cp"),
            ["spec"] = controlPlaneSpec,
        });
        await CreateAsync(client, version, "machinedeployments", new JsonObject
        {
            ["apiVersion"] = $"{Group}/{version}", ["kind"] = "MachineDeployment", ["metadata"] = Metadata("work-md"),
            ["spec"] = new JsonObject
            {
                ["clusterName"] = "work",
                ["replicas"] = 3,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["pool"] = "md" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["pool"] = "md" } },
                    ["spec"] = new JsonObject
                    {
                        ["clusterName"] = "work",
                        ["version"] = "v1.31.2",
                        ["bootstrap"] = new JsonObject { ["configRef"] = Reference("bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate", "work-md") },
                        ["infrastructureRef"] = Reference(Infrastructure, "DockerMachineTemplate", "work-md"),
                    },
                },
            },
        });
    }

    // updatedReplicas in v1beta1, upToDateReplicas in v1beta2.
    private static string UpdatedField(string version) => version == "v1beta1" ? "updatedReplicas" : "upToDateReplicas";

    private static int? Count(JsonNode? status, string field) => (int?)status?[field];

    private static JsonNode? RollingOut(JsonNode? status, string version) =>
        (version == "v1beta1" ? status?["v1beta2"]?["conditions"] : status?["conditions"])?.AsArray()
            .FirstOrDefault(c => (string?)c?["type"] == "RollingOut");

    private static bool Settled(JsonNode? status, string version, long generation) =>
        (long?)status?["observedGeneration"] == generation && Count(status, "replicas") == 3
        && Count(status, "readyReplicas") == 3 && Count(status, UpdatedField(version)) == 3;

    [RequiresSharedCrdsTheory]
    [InlineData("v1beta2")]
    [InlineData("v1beta1")]
    public async Task A_watch_sees_a_machine_deployment_upgrade_one_machine_at_a_time(string version)
    {
        var (cluster, controller) = await StartAsync(version);
        await using var _ = cluster;
        using var client = Auth.EmulatorClients.Admin(cluster);
        using var timeout = new CancellationTokenSource(Timeout);
        await CreateWorkloadClusterAsync(client, version);

        JsonNode? deployment = null;
        while (true)
        {
            await controller.WhenIdleAsync().WaitAsync(timeout.Token);
            deployment = JsonSerializer.SerializeToNode(await client.CustomObjects.GetNamespacedCustomObjectAsync(
                Group, version, "default", "machinedeployments", "work-md", timeout.Token));
            if (Settled(deployment?["status"], version, 1))
                break;
            cluster.Clock.Advance(Step);
        }
        controller.LastError.Should().BeNull();

        var watch = client.CustomObjects.WatchListNamespacedCustomObjectAsync(Group, version, "default", "machinedeployments",
            fieldSelector: "metadata.name=work-md", resourceVersion: (string?)deployment!["metadata"]!["resourceVersion"], cancellationToken: timeout.Token);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"template":{"spec":{"version":"v1.32.1"}}}}""", V1Patch.PatchType.MergePatch),
            Group, version, "default", "machinedeployments", "work-md", cancellationToken: timeout.Token);

        var updated = new List<int>();
        var rollingOut = new List<string?>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (_, item) in watch)
            {
                var seen = JsonSerializer.SerializeToNode(item)!["status"];
                if ((long?)seen?["observedGeneration"] != 2)
                    continue;
                if (updated.Count == 0 || updated[^1] != Count(seen, UpdatedField(version)))
                    updated.Add(Count(seen, UpdatedField(version))!.Value);
                rollingOut.Add((string?)RollingOut(seen, version)?["status"]);
                if (Settled(seen, version, 2))
                    break;
            }
        });
        while (!watching.IsCompleted)
        {
            await controller.WhenIdleAsync().WaitAsync(timeout.Token);
            // Give the watch a moment to catch up before the next step; steps beyond the end change nothing.
            if (await Task.WhenAny(watching, Task.Delay(20, timeout.Token)) == watching)
                break;
            cluster.Clock.Advance(Step);
        }
        await watching;

        updated.Should().Equal(0, 1, 2, 3);
        rollingOut.Should().StartWith("True").And.EndWith("False");
        controller.LastError.Should().BeNull();
        var controlPlane = JsonSerializer.SerializeToNode(await client.CustomObjects.GetNamespacedCustomObjectAsync(
            ClusterApiController.ControlPlaneGroup, version, "default", "kubeadmcontrolplanes", "work-cp", timeout.Token))!["status"]!;
        var initialized = version == "v1beta1" ? controlPlane["initialized"] : controlPlane["initialization"]?["controlPlaneInitialized"];
        ((bool?)initialized).Should().BeTrue();
        ((int?)controlPlane[UpdatedField(version)]).Should().Be(1);
        var summary = version == "v1beta1" ? "Ready" : "Available";
        ((string?)controlPlane["conditions"]!.AsArray().Single(c => (string?)c!["type"] == summary)!["status"]).Should().Be("True");
        using var child = Auth.EmulatorClients.Admin(controller.ChildOf("default", "work")!);
        var nodes = (await child.CoreV1.ListNodeAsync(cancellationToken: timeout.Token)).Items;
        nodes.Where(n => !n.Metadata.Labels.ContainsKey("node-role.kubernetes.io/control-plane"))
            .Should().HaveCount(3).And.OnlyContain(n => n.Status.NodeInfo.KubeletVersion == "v1.32.1");
    }
}
