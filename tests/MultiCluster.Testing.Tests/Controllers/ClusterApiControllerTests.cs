using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Testing.Tests.Controllers;

public sealed class ClusterApiControllerTests : IAsyncLifetime
{
    private static readonly TimeSpan ProvisionDelay = TimeSpan.FromSeconds(20);
    // Long enough that real time passing during a test never adds a step: only Advance moves the rollout.
    private static readonly TimeSpan StepInterval = TimeSpan.FromSeconds(10);
    private const string Group = ClusterApiController.ClusterGroup;
    private const string ControlPlaneGroup = ClusterApiController.ControlPlaneGroup;

    private readonly List<ApiServer.IController> _controllers =
        ControllerCatalog.Create(new ControllerSettings { ClusterProvisionDelay = ProvisionDelay, ClusterMachineStepInterval = StepInterval }, ClusterApiController.ControllerName);

    private EmulatedCluster _cluster = null!;
    private Kubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = _controllers });
        if (SharedFiles.Crds is not null)
            SharedCrds.LoadInto(_cluster, "cluster-api", "cluster-api-docker");
        _admin = Auth.EmulatorClients.Admin(_cluster);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _cluster.DisposeAsync();
    }

    private ClusterApiController Controller => (ClusterApiController)_controllers[0];

    private async Task Settled()
    {
        await Controller.WhenIdleAsync();
        Controller.LastError.Should().BeNull();
    }

    // Every step a rollout of a few machines needs.
    private async Task FinishRollouts()
    {
        _cluster.Clock.Advance(StepInterval * 20);
        await Settled();
    }

    private async Task Provision()
    {
        await CreateWorkloadCluster();
        await Settled();
        _cluster.Clock.Advance(ProvisionDelay);
        await Settled();
        await FinishRollouts();
    }

    // Steps the clock one machine step at a time until the owner's machines match its spec, and
    // returns (replicas, ready, up-to-date, version) as its status showed them after the change and after each step.
    private async Task<List<(int, int, int, string?)>> StepThrough(string group, string plural, string name)
    {
        await Settled();
        var seen = new List<(int, int, int, string?)>();
        while (true)
        {
            var owner = await Get(group, "v1beta2", plural, name);
            var status = owner["status"]!;
            seen.Add(((int)status["replicas"]!, (int)status["readyReplicas"]!, (int)status["upToDateReplicas"]!, (string?)status["version"]));
            if (new[] { "RollingOut", "ScalingUp", "ScalingDown" }.All(type => ConditionStatus(owner, type) == "False")
                && (int)status["readyReplicas"]! == (int)status["replicas"]!)
                return seen;
            seen.Count.Should().BeLessThan(30, "the rollout must settle");
            _cluster.Clock.Advance(StepInterval);
            await Settled();
        }
    }

    private async Task<JsonNode> Get(string group, string version, string plural, string name) =>
        JsonSerializer.SerializeToNode(await _admin.CustomObjects.GetNamespacedCustomObjectAsync(group, version, "default", plural, name))!;

    private Task Create(string group, string version, string plural, string json) =>
        _admin.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(json)!, group, version, "default", plural);

    private Task Patch(string group, string plural, string name, string json) =>
        _admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(json, V1Patch.PatchType.MergePatch), group, "v1beta2", "default", plural, name);

    private async Task CreateWorkloadCluster()
    {
        await Create(Group, "v1beta2", "clusters", """
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"work"},
             "spec":{"controlPlaneRef":{"apiGroup":"controlplane.cluster.x-k8s.io","kind":"KubeadmControlPlane","name":"work-cp"}}}
            """);
        await Create(ControlPlaneGroup, "v1beta2", "kubeadmcontrolplanes", """
            {"apiVersion":"controlplane.cluster.x-k8s.io/v1beta2","kind":"KubeadmControlPlane","metadata":{"name":"work-cp"},
             "spec":{"replicas":1,"version":"v1.31.2","machineTemplate":{"spec":{"infrastructureRef":
               {"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"DockerMachineTemplate","name":"work-cp"}}}}}
            """);
        await Create(Group, "v1beta2", "machinedeployments", """
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"MachineDeployment","metadata":{"name":"work-md"},
             "spec":{"clusterName":"work","replicas":2,"selector":{"matchLabels":{"pool":"md"}},
               "template":{"metadata":{"labels":{"pool":"md"}},"spec":{"clusterName":"work","version":"v1.31.2",
                 "bootstrap":{"configRef":{"apiGroup":"bootstrap.cluster.x-k8s.io","kind":"KubeadmConfigTemplate","name":"work-md"}},
                 "infrastructureRef":{"apiGroup":"infrastructure.cluster.x-k8s.io","kind":"DockerMachineTemplate","name":"work-md"}}}}}
            """);
    }

    private static string? ConditionStatus(JsonNode obj, string type) =>
        (string?)obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type)?["status"];

    private static Kubernetes ChildClient(V1Secret secret)
    {
        using var stream = new MemoryStream(secret.Data["value"]);
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_is_provisioned_after_the_delay_and_its_kubeconfig_reaches_a_new_instance()
    {
        await CreateWorkloadCluster();
        await Settled();
        var pending = await Get(Group, "v1beta2", "clusters", "work");
        ((string?)pending["status"]?["phase"]).Should().Be("Pending");
        ConditionStatus(pending, "InfrastructureReady").Should().Be("False");

        _cluster.Clock.Advance(ProvisionDelay / 2);
        await Settled();
        var provisioning = await Get(Group, "v1beta2", "clusters", "work");
        ((string?)provisioning["status"]?["phase"]).Should().Be("Provisioning");
        ConditionStatus(provisioning, "InfrastructureReady").Should().Be("True");
        ConditionStatus(provisioning, "Available").Should().Be("False");
        (await _admin.CoreV1.ListNamespacedSecretAsync("default")).Items.Should().NotContain(s => s.Metadata.Name == "work-kubeconfig");

        _cluster.Clock.Advance(ProvisionDelay / 2);
        await Settled();
        var provisioned = await Get(Group, "v1beta2", "clusters", "work");
        ((string?)provisioned["status"]?["phase"]).Should().Be("Provisioned");
        ((long?)provisioned["status"]?["observedGeneration"]).Should().Be(1);
        ((bool?)provisioned["status"]?["initialization"]?["controlPlaneInitialized"]).Should().BeTrue();
        foreach (var type in new[] { "InfrastructureReady", "ControlPlaneInitialized", "ControlPlaneAvailable", "ScalingUp" })
            ConditionStatus(provisioned, type).Should().Be("True", type);
        ConditionStatus(provisioned, "WorkersAvailable").Should().Be("False", "the workers only start joining the initialized control plane");
        ConditionStatus(provisioned, "Available").Should().Be("False");

        var secret = await _admin.CoreV1.ReadNamespacedSecretAsync("work-kubeconfig", "default");
        secret.Type.Should().Be("cluster.x-k8s.io/secret");
        secret.Metadata.Labels.Should().Contain(ClusterApiController.ClusterNameLabel, "work");
        Encoding.UTF8.GetString(secret.Data["value"]).Should().Contain("current-context: \"work-admin@work\"");
        using var child = ChildClient(secret);
        (await child.Version.GetCodeAsync()).GitVersion.Should().Be("v1.31.2");
        (await child.CoreV1.ListNodeAsync()).Items.Should().ContainSingle("only the first control plane machine is up")
            .Which.Metadata.Labels.Should().ContainKey("node-role.kubernetes.io/control-plane");

        await FinishRollouts();
        var ready = await Get(Group, "v1beta2", "clusters", "work");
        foreach (var type in new[] { "Available", "WorkersAvailable" })
            ConditionStatus(ready, type).Should().Be("True", type);
        ConditionStatus(ready, "ScalingUp").Should().Be("False");
        ((int?)ready["status"]?["workers"]?["readyReplicas"]).Should().Be(2);
        var nodes = (await child.CoreV1.ListNodeAsync()).Items;
        nodes.Should().HaveCount(3);
        nodes.Should().OnlyContain(n => n.Status.NodeInfo.KubeletVersion == "v1.31.2");
        var controlPlane = await Get(ControlPlaneGroup, "v1beta2", "kubeadmcontrolplanes", "work-cp");
        ((int?)controlPlane["status"]?["readyReplicas"]).Should().Be(1);
        ((string?)controlPlane["status"]?["version"]).Should().Be("v1.31.2");
        ((string?)controlPlane["status"]?["selector"]).Should().Be("cluster.x-k8s.io/cluster-name=work,cluster.x-k8s.io/control-plane");
        var workers = await Get(Group, "v1beta2", "machinedeployments", "work-md");
        ((int?)workers["status"]?["availableReplicas"]).Should().Be(2);
        ((string?)workers["status"]?["phase"]).Should().Be("Running");
        ConditionStatus(workers, "Available").Should().Be("True");
    }

    [RequiresSharedCrdsFact]
    public async Task Scaling_goes_one_machine_per_step_and_the_child_follows()
    {
        await Provision();
        using var child = ChildClient(await _admin.CoreV1.ReadNamespacedSecretAsync("work-kubeconfig", "default"));

        await Patch(Group, "machinedeployments", "work-md", """{"spec":{"replicas":4}}""");
        await Settled();
        var scaling = await Get(Group, "v1beta2", "machinedeployments", "work-md");
        ((long?)scaling["status"]?["observedGeneration"]).Should().Be(2);
        ConditionStatus(scaling, "ScalingUp").Should().Be("True");
        ConditionStatus(scaling, "Available").Should().Be("False", "2 of the 4 wanted machines are available and maxUnavailable is 0");
        ((string?)scaling["status"]?["phase"]).Should().Be("ScalingUp");

        (await StepThrough(Group, "machinedeployments", "work-md")).Should().Equal(
            (2, 2, 2, null), (3, 2, 3, null), (4, 3, 4, null), (4, 4, 4, null));
        (await child.CoreV1.ListNodeAsync()).Items.Should().HaveCount(5);

        await Patch(Group, "machinedeployments", "work-md", """{"spec":{"replicas":1}}""");
        (await StepThrough(Group, "machinedeployments", "work-md")).Should().Equal(
            (4, 4, 4, null), (3, 3, 3, null), (2, 2, 2, null), (1, 1, 1, null));
        (await child.CoreV1.ListNodeAsync()).Items.Should().HaveCount(2);
    }

    [RequiresSharedCrdsFact]
    public async Task Upgrading_rolls_the_control_plane_then_the_workers_one_machine_at_a_time_and_deleting_the_cluster_stops_the_child()
    {
        await Provision();
        using var child = ChildClient(await _admin.CoreV1.ReadNamespacedSecretAsync("work-kubeconfig", "default"));

        await Patch(ControlPlaneGroup, "kubeadmcontrolplanes", "work-cp", """{"spec":{"version":"v1.32.1","replicas":3}}""");
        await Settled();
        var rolling = await Get(ControlPlaneGroup, "v1beta2", "kubeadmcontrolplanes", "work-cp");
        ConditionStatus(rolling, "RollingOut").Should().Be("True");
        ConditionStatus(rolling, "MachinesUpToDate").Should().Be("False");
        ConditionStatus(await Get(Group, "v1beta2", "clusters", "work"), "RollingOut").Should().Be("True");
        // One old machine, three new ones: the old one goes last, and only then do status.version and the API server move.
        (await StepThrough(ControlPlaneGroup, "kubeadmcontrolplanes", "work-cp")).Should().Equal(
            (1, 1, 0, "v1.31.2"), (2, 1, 1, "v1.31.2"), (3, 2, 2, "v1.31.2"), (4, 3, 3, "v1.31.2"), (3, 3, 3, "v1.32.1"));
        (await child.Version.GetCodeAsync()).GitVersion.Should().Be("v1.32.1");
        ConditionStatus(await Get(Group, "v1beta2", "clusters", "work"), "RollingOut").Should().Be("False");

        await Patch(Group, "machinedeployments", "work-md", """{"spec":{"template":{"spec":{"version":"v1.32.1"}}}}""");
        (await StepThrough(Group, "machinedeployments", "work-md")).Should().Equal(
            (2, 2, 0, null), (3, 2, 1, null), (2, 2, 1, null), (3, 2, 2, null), (2, 2, 2, null));
        var nodes = (await child.CoreV1.ListNodeAsync()).Items;
        nodes.Should().HaveCount(5);
        nodes.Should().OnlyContain(n => n.Status.NodeInfo.KubeletVersion == "v1.32.1");

        var instance = Controller.ChildOf("default", "work")!;
        await _admin.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, "v1beta2", "default", "clusters", "work");
        await Settled();
        instance.IsListening.Should().BeFalse();
        Controller.ChildOf("default", "work").Should().BeNull();
        var gone = await FluentActions.Awaiting(() => _admin.CoreV1.ReadNamespacedSecretAsync("work-kubeconfig", "default"))
            .Should().ThrowAsync<HttpOperationException>();
        ((int)gone.Which.Response.StatusCode).Should().Be(404);
    }

    [RequiresSharedCrdsFact]
    public async Task A_topology_cluster_gets_its_control_plane_and_workers_and_upgrades_the_workers_after_the_control_plane()
    {
        await Create(Group, "v1beta2", "clusters", """
            {"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"topo"},
             "spec":{"topology":{"classRef":{"name":"quick-start"},"version":"v1.31.2","controlPlane":{"replicas":1},
               "workers":{"machineDeployments":[{"class":"default-worker","name":"md-0","replicas":2}]}}}}
            """);
        await Settled();
        _cluster.Clock.Advance(ProvisionDelay);
        await Settled();
        await FinishRollouts();

        var cluster = await Get(Group, "v1beta2", "clusters", "topo");
        ((string?)cluster["status"]?["phase"]).Should().Be("Provisioned");
        ConditionStatus(cluster, "Available").Should().Be("True");
        ((int?)cluster["status"]?["workers"]?["readyReplicas"]).Should().Be(2);
        var controlPlaneName = (string)cluster["spec"]!["controlPlaneRef"]!["name"]!;
        controlPlaneName.Should().StartWith("topo-");
        var deployment = JsonNode.Parse(JsonSerializer.Serialize(await _admin.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1beta2", "default",
            "machinedeployments", labelSelector: $"{ClusterApiController.TopologyDeploymentLabel}=md-0")))!["items"]!.AsArray().Single()!;
        var deploymentName = (string)deployment["metadata"]!["name"]!;
        deploymentName.Should().StartWith("topo-md-0-");
        using var child = ChildClient(await _admin.CoreV1.ReadNamespacedSecretAsync("topo-kubeconfig", "default"));
        (await child.CoreV1.ListNodeAsync()).Items.Should().HaveCount(3);

        await _admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"topology":{"version":"v1.32.1"}}}""", V1Patch.PatchType.MergePatch),
            Group, "v1beta2", "default", "clusters", "topo");
        await Settled();
        ((string?)(await Get(ControlPlaneGroup, "v1beta2", "kubeadmcontrolplanes", controlPlaneName))["spec"]?["version"]).Should().Be("v1.32.1");
        ((string?)(await Get(Group, "v1beta2", "machinedeployments", deploymentName))["spec"]?["template"]?["spec"]?["version"])
            .Should().Be("v1.31.2", "workers wait until the control plane has rolled");

        (await StepThrough(ControlPlaneGroup, "kubeadmcontrolplanes", controlPlaneName)).Last().Should().Be((1, 1, 1, "v1.32.1"));
        ((string?)(await Get(Group, "v1beta2", "machinedeployments", deploymentName))["spec"]?["template"]?["spec"]?["version"]).Should().Be("v1.32.1");
        (await StepThrough(Group, "machinedeployments", deploymentName)).Last().Should().Be((2, 2, 2, null));
        (await child.CoreV1.ListNodeAsync()).Items.Should().HaveCount(3).And.OnlyContain(n => n.Status.NodeInfo.KubeletVersion == "v1.32.1");

        await _admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(
            """{"spec":{"topology":{"workers":{"machineDeployments":[{"class":"default-worker","name":"md-0","replicas":3}]}}}}""", V1Patch.PatchType.MergePatch),
            Group, "v1beta2", "default", "clusters", "topo");
        (await StepThrough(Group, "machinedeployments", deploymentName)).Last().Should().Be((3, 3, 3, null));
    }

    [RequiresSharedCrdsFact]
    public async Task Stopping_the_parent_stops_the_child()
    {
        await Provision();
        var instance = Controller.ChildOf("default", "work")!;
        instance.IsListening.Should().BeTrue();

        await _cluster.DisposeAsync();
        instance.IsListening.Should().BeFalse();
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_created_as_v1beta1_is_provisioned_and_read_in_both_versions()
    {
        await Create(Group, "v1beta1", "clusters", """
            {"apiVersion":"cluster.x-k8s.io/v1beta1","kind":"Cluster","metadata":{"name":"old"},"spec":{}}
            """);
        await Settled();
        _cluster.Clock.Advance(ProvisionDelay);
        await Settled();
        ((string?)(await Get(Group, "v1beta1", "clusters", "old"))["status"]?["phase"]).Should().Be("Provisioned");
        var stored = await Get(Group, "v1beta2", "clusters", "old");
        ConditionStatus(stored, "Available").Should().Be("True");
        Controller.ChildOf("default", "old")!.IsListening.Should().BeTrue();
    }
}
