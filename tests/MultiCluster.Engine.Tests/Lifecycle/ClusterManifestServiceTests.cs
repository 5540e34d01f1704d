using System.Net;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>Discovery of the served Cluster API version, the errors of a cluster without it, and applying the result.</summary>
public class ClusterManifestServiceTests
{
    private static FleetClusterSpec Spec(string provider, string ns = "default", FleetClusterApiVersion? version = null, string? clusterClass = null) => new()
    {
        Name = $"{provider.ToLowerInvariant()}-01",
        Provider = provider,
        Region = provider == "Azure" ? "westeurope" : "us-east-1",
        KubernetesVersion = "v1.32.3",
        AvailabilityZones = provider == "AWS" ? ["us-east-1a"] : [],
        Namespace = ns,
        ApiVersion = version,
        ClusterClass = clusterClass,
    };

    [Fact]
    public void Rendering_alone_writes_the_newest_version_unless_told_otherwise()
    {
        var service = new ClusterManifestService();

        var newest = service.Render(Spec("Docker"));
        var older = service.Render(Spec("Docker", version: FleetClusterApiVersion.V1Beta1));

        newest.Versions.Should().Be(new ClusterApiVersions(FleetClusterApiVersion.V1Beta2, "v1beta2"));
        newest.Objects.Select(o => o.ApiVersion).Should().HaveCount(7).And.OnlyContain(v => v.EndsWith("/v1beta2"));
        older.Versions.Should().Be(new ClusterApiVersions(FleetClusterApiVersion.V1Beta1, "v1beta1"));
        older.Objects.Select(o => o.ApiVersion).Should().HaveCount(7).And.OnlyContain(v => v.EndsWith("/v1beta1"));
        service.Render(Spec("AWS", version: FleetClusterApiVersion.V1Beta1)).Versions.Infrastructure.Should().Be("v1beta2",
            "CAPA v2 serves its kinds only in v1beta2, with either core version");
    }

    [Fact]
    public void Rendered_objects_carry_the_managed_by_and_cluster_labels_and_the_spec_values()
    {
        var spec = new FleetClusterSpec
        {
            Name = "dev-01", Provider = "AWS", Region = "us-east-1", KubernetesVersion = "v1.31.4", ControlPlaneReplicas = 3, WorkerReplicas = 5,
            AvailabilityZones = ["us-east-1a", "us-east-1b"], Bastion = true, WorkerMachineType = "m6i.xlarge",
            Labels = new Dictionary<string, string> { ["env"] = "dev" },
        };

        var objects = new ClusterManifestService().Render(spec).Objects;

        objects.Select(o => o.Kind).Should().Equal("Cluster", "AWSCluster", "KubeadmControlPlane", "AWSMachineTemplate",
            "MachineDeployment", "AWSMachineTemplate", "KubeadmConfigTemplate");
        objects.Should().OnlyContain(o => o.Labels["app.kubernetes.io/managed-by"] == "multicluster"
                                          && o.Labels["cluster.x-k8s.io/cluster-name"] == "dev-01");
        objects[0].Labels["env"].Should().Be("dev");

        var network = objects[1].Json["spec"]!["network"]!;
        network["subnets"]!.AsArray().Select(s => $"{s!["availabilityZone"]} {s["cidrBlock"]} {s["isPublic"]}").Should().Equal(
            "us-east-1a 10.0.0.0/20 false", "us-east-1a 10.0.16.0/20 true", "us-east-1b 10.0.32.0/20 false", "us-east-1b 10.0.48.0/20 true");
        objects[1].Json["spec"]!["bastion"]!["enabled"]!.GetValue<bool>().Should().BeTrue();

        var controlPlane = objects[2].Json["spec"]!;
        controlPlane["replicas"]!.GetValue<int>().Should().Be(3);
        controlPlane["version"]!.GetValue<string>().Should().Be("v1.31.4");
        controlPlane["kubeadmConfigSpec"]!["clusterConfiguration"]!["apiServer"]!["extraArgs"]!.AsArray()
            .Select(a => a!["name"]!.GetValue<string>()).Should().Contain(["audit-policy-file", "audit-log-path", "audit-log-maxage"]);
        objects[4].Json["spec"]!["replicas"]!.GetValue<int>().Should().Be(5);
        objects[5].Json["spec"]!["template"]!["spec"]!["instanceType"]!.GetValue<string>().Should().Be("m6i.xlarge");
    }

    [Fact]
    public void The_new_cluster_becomes_a_fleet_member_with_the_context_cluster_api_writes()
    {
        var rendered = new ClusterManifestService().Render(Spec("AWS"));

        var member = rendered.ToFleetCluster();

        member.Context.Should().Be("aws-01-admin@aws-01");
        member.Provider.Should().Be("AWS");
        member.Network.PodCidr.Should().Be("192.168.0.0/16");
        member.KubernetesVersion.Should().Be("v1.32.3");
        rendered.ToManifests("mgmt").Select(m => $"{m.Cluster} {m.Kind} {m.Namespace}/{m.Name}").Should().StartWith("mgmt Cluster default/aws-01");
    }

    [Fact]
    public void Cluster_class_mode_renders_one_topology_cluster_in_each_version()
    {
        var service = new ClusterManifestService();

        var current = service.Render(Spec("Docker", clusterClass: "quick-start")).Objects.Should().ContainSingle().Which.Json["spec"]!["topology"]!;
        var older = service.Render(Spec("Docker", version: FleetClusterApiVersion.V1Beta1, clusterClass: "quick-start")).Objects.Single().Json["spec"]!["topology"]!;

        current["classRef"]!["name"]!.GetValue<string>().Should().Be("quick-start");
        older["class"]!.GetValue<string>().Should().Be("quick-start");
        current["workers"]!["machineDeployments"]![0]!["class"]!.GetValue<string>().Should().Be("default-worker");
    }

    [RequiresSharedCrdsFact]
    public async Task A_current_management_cluster_gets_v1beta2_and_each_provider_its_served_version()
    {
        await using var management = await ManagementCluster.StartAsync();
        var service = new ClusterManifestService(management.Connector);

        (await service.RenderForAsync(Spec("AWS"), management.Cluster)).Versions.Should().Be(new ClusterApiVersions(FleetClusterApiVersion.V1Beta2, "v1beta2"));
        (await service.RenderForAsync(Spec("Azure"), management.Cluster)).Versions.Should().Be(new ClusterApiVersions(FleetClusterApiVersion.V1Beta2, "v1beta1"));
        (await service.RenderForAsync(Spec("Docker"), management.Cluster)).Versions.Should().Be(new ClusterApiVersions(FleetClusterApiVersion.V1Beta2, "v1beta2"));
    }

    [RequiresSharedCrdsFact]
    public async Task An_older_management_cluster_gets_v1beta1_objects_that_it_accepts()
    {
        await using var management = await ManagementCluster.StartV1Beta1Async();
        var service = new ClusterManifestService(management.Connector);

        foreach (var provider in ClusterProviderCatalog.Default.Names)
        {
            var ns = $"old-{provider.ToLowerInvariant()}";
            management.CreateNamespace(ns);
            var rendered = await service.RenderForAsync(Spec(provider, ns), management.Cluster);

            rendered.Versions.Core.Should().Be(FleetClusterApiVersion.V1Beta1);
            rendered.Objects.Should().NotBeEmpty();
            foreach (var obj in rendered.Objects)
            {
                var (status, body) = await management.CreateStrictAsync(obj);
                status.Should().Be(HttpStatusCode.Created, $"{obj.Reference} must be valid: {body}");
            }
        }
        (await service.RenderForAsync(Spec("Docker", "old-docker"), management.Cluster)).Versions.Infrastructure.Should().Be("v1beta1");
    }

    [RequiresSharedCrdsFact]
    public async Task Asking_for_a_version_the_cluster_does_not_serve_is_an_error()
    {
        await using var management = await ManagementCluster.StartV1Beta1Async();
        var service = new ClusterManifestService(management.Connector);

        var act = () => service.RenderForAsync(Spec("Docker", version: FleetClusterApiVersion.V1Beta2), management.Cluster);

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(ClusterApiErrorIds.ClusterApiNotInstalled);
        error.Message.Should().Contain("serves Cluster API v1beta1, not the requested v1beta2");
    }

    [Fact]
    public async Task A_management_cluster_without_cluster_api_says_how_to_install_it()
    {
        await using var management = await ManagementCluster.StartBareAsync();

        var act = () => new ClusterManifestService(management.Connector).RenderForAsync(Spec("AWS"), management.Cluster);

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(ClusterApiErrorIds.ClusterApiNotInstalled);
        error.Category.Should().Be(FleetErrorCategory.NotInstalled);
        error.Cluster.Should().Be("bare");
        error.RecommendedAction.Should().Be("Install Cluster API and the AWS provider on it: clusterctl init --infrastructure aws");
    }

    [RequiresSharedCrdsFact]
    public async Task A_management_cluster_without_the_provider_says_which_one_to_install()
    {
        await using var management = await ManagementCluster.StartBareAsync("core-only");
        MultiCluster.Testing.SharedCrds.LoadInto(management.Emulator, "cluster-api");

        var act = () => new ClusterManifestService(management.Connector).RenderForAsync(Spec("Azure"), management.Cluster);

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.ClusterApiProviderNotInstalled);
        error.Message.Should().Contain("Azure provider").And.Contain("AzureCluster");
        error.RecommendedAction.Should().Be("Install it: clusterctl init --infrastructure azure");
    }

    [Fact]
    public async Task Bad_input_fails_before_the_management_cluster_is_contacted()
    {
        // Nothing listens on this port: any request would fail with ClusterUnreachable.
        var kubeconfig = $$"""
            apiVersion: v1
            kind: Config
            clusters: [{ name: gone, cluster: { server: "https://127.0.0.1:{{FreePort()}}", insecure-skip-tls-verify: true } }]
            users: [{ name: gone, user: { token: abc } }]
            contexts: [{ name: gone, context: { cluster: gone, user: gone } }]
            current-context: gone
            """;
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(kubeconfig));
        var service = new ClusterManifestService(connector);
        var management = new FleetCluster { Name = "gone" };
        var bad = new FleetClusterSpec { Name = "dev", Provider = "Docker", KubernetesVersion = "v1.32.3", ControlPlaneReplicas = 2 };

        var badInput = () => service.RenderForAsync(bad, management);
        var unreachable = () => service.RenderForAsync(Spec("Docker"), management);

        (await badInput.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(LifecycleErrorIds.ControlPlaneReplicasInvalid);
        (await unreachable.Should().ThrowAsync<FleetException>()).Which.ErrorId.Should().Be(FleetErrorIds.ClusterUnreachable);
    }

    [RequiresSharedCrdsFact]
    public async Task Applying_the_manifests_creates_every_object_and_a_second_run_changes_nothing()
    {
        await using var management = await ManagementCluster.StartAsync();
        var service = new ClusterManifestService(management.Connector);
        var apply = new ApplyService(management.Connector);

        async Task<List<FleetResourceResult>> RunAsync()
        {
            var rendered = await service.RenderForAsync(Spec("AWS"), management.Cluster);
            return await apply.ApplyAsync(apply.Plan([management.Cluster], rendered.Objects), new ApplyOptions()).ToListAsync();
        }

        var first = await RunAsync();
        var second = await RunAsync();

        first.Should().HaveCount(7).And.OnlyContain(r => r.Action == FleetResourceAction.Created, string.Join("; ", first.Select(r => r.Message)));
        second.Should().HaveCount(7).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
