using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Inventory.Import;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Tests.Connections;
using MultiCluster.Engine.Tests.Lifecycle;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Inventory.Import;

/// <summary>
/// Import-Fleet -From ClusterApi on an emulated management cluster whose simulated Cluster API
/// provisioned workload clusters, and on one holding Clusters written by hand (an AWSCluster's
/// region, a Cluster with no kubeconfig yet, one name in two namespaces); -From Karmada on a
/// control plane serving Karmada's Cluster kind from its own schema.
/// </summary>
public sealed class ClusterApiAndKarmadaImportTests
{
    private readonly RecordingReporter _reporter = new();

    private async Task<IReadOnlyList<FleetCluster>> Import(FleetSession session, FleetImportSource source, string sourceCluster, string? ns = null)
    {
        using var scope = FleetCallContext.Use(_reporter);
        return await new FleetImporter(session).ImportAsync(new FleetImportRequest { Source = source, SourceCluster = sourceCluster, Namespace = ns });
    }

    [RequiresSharedCrdsFact]
    public async Task The_clusters_Cluster_API_provisioned_are_found_and_reached_with_their_admin_kubeconfig()
    {
        await using var bed = await UpgradeTestBed.StartAsync("imp-capi");
        await bed.CreateClustersAsync("w1", "w2");
        using var session = new FleetSession(KubeconfigSource.FromContent(bed.Emulator.Kubeconfig()));

        var imported = await Import(session, FleetImportSource.ClusterApi, bed.Emulator.Name);

        imported.Should().HaveCount(3);
        imported.Select(c => (c.Name, c.Role, c.Provider, c.Phase, c.ManagementCluster, c.ClusterApiNamespace)).Should().Equal(
            ("imp-capi", FleetClusterRole.Management, null, null, null, null),
            ("w1", FleetClusterRole.Workload, "Docker", "Provisioned", "imp-capi", "default"),
            ("w2", FleetClusterRole.Workload, "Docker", "Provisioned", "imp-capi", "default"));
        // A Provisioned cluster's nodes register a moment later, as a real one's do: read until all have (or 30 s).
        var health = await new ClusterHealthService(session.Connector).TestAsync(imported).ToListAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); health.Any(h => h.Cluster != "imp-capi" && h.NodeCount != 3) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(250);
            health = await new ClusterHealthService(session.Connector).TestAsync(imported).ToListAsync();
        }
        health.Should().HaveCount(3);
        health.Should().OnlyContain(h => h.Status == FleetHealthStatus.Healthy, string.Join("; ", health.Select(h => $"{h.Cluster}: {h.Reason}")));
        health.Where(h => h.Cluster != "imp-capi").Should().HaveCount(2).And.OnlyContain(h => h.ServerVersion == UpgradeTestBed.FromVersion && h.NodeCount == 3,
            "each is the workload cluster's own API server");
        _reporter.Warnings.Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public async Task Region_comes_from_the_infrastructure_object_and_clusters_without_kubeconfig_are_reported()
    {
        await using var management = await ManagementCluster.StartAsync("imp-mgmt");
        management.CreateNamespace("aws");
        management.Emulator.CreateObject(Node("infrastructure.cluster.x-k8s.io/v1beta2", "AWSCluster", "aws", "prod-use1", new JsonObject { ["region"] = "us-east-1" }));
        management.Emulator.CreateObject(Cluster("aws", "prod-use1", "AWSCluster", new() { ["env"] = "prod", ["cluster.x-k8s.io/cluster-name"] = "prod-use1" }));
        management.Emulator.CreateObject(KubeconfigSecret("aws", "prod-use1", management.Emulator.Kubeconfig("prod-use1-admin@prod-use1")));
        management.Emulator.CreateObject(Cluster("aws", "pending", "AWSCluster", new()));
        using var session = new FleetSession(KubeconfigSource.FromContent(management.Emulator.Kubeconfig()));

        var imported = await Import(session, FleetImportSource.ClusterApi, management.Emulator.Name);

        imported.Should().HaveCount(2);
        imported[1].Should().BeEquivalentTo(new { Name = "prod-use1", Region = "us-east-1", Provider = "AWS", LabelText = "env=prod", ClusterApiNamespace = "aws" },
            o => o.ExcludingMissingMembers());
        _reporter.Warnings.Should().ContainSingle().Which.Should().Contain("Cluster aws/pending on 'imp-mgmt'").And.Contain("has no kubeconfig yet");
        (await new ClusterHealthService(session.Connector).TestAsync([imported[1]]).ToListAsync()).Single().Status.Should().Be(FleetHealthStatus.Healthy);

        management.CreateNamespace("other");
        management.Emulator.CreateObject(Cluster("other", "prod-use1", "AWSCluster", new()));
        management.Emulator.CreateObject(KubeconfigSecret("other", "prod-use1", management.Emulator.Kubeconfig("x")));
        var before = session.GetFleet();
        var twice = () => Import(session, FleetImportSource.ClusterApi, management.Emulator.Name);
        var error = (await twice.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetImportErrorIds.FleetClusterNameConflict, FleetErrorCategory.ResourceExists, "prod-use1"));
        error.Message.Should().StartWith("Two clusters of the source are named 'prod-use1': Cluster aws/prod-use1 on 'imp-mgmt' and Cluster other/prod-use1 on 'imp-mgmt'.");
        session.GetFleet().Should().BeSameAs(before);
        (await Import(session, FleetImportSource.ClusterApi, management.Emulator.Name, ns: "aws")).Select(c => c.Name).Should().Equal("imp-mgmt", "prod-use1");
    }

    [RequiresSharedCrdsFact]
    public async Task Karmada_clusters_bring_endpoint_token_region_zone_and_provider_and_pull_mode_ones_are_reported()
    {
        await using var control = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "imp-karmada" });
        await using var member = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "imp-member" });
        control.CreateObject(KarmadaClusterCrd.Build());
        control.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "karmada-cluster" } });
        control.CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "member1", ["namespace"] = "karmada-cluster" },
            ["data"] = new JsonObject
            {
                ["token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(member.AdminToken)),
                ["caBundle"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(EmulatedCluster.CertificateAuthorityPem)),
            },
        });
        control.CreateObject(KarmadaCluster("member1", new JsonObject
        {
            ["syncMode"] = "Push", ["apiEndpoint"] = member.Server.Authority, ["provider"] = "huaweicloud", ["region"] = "ap-southeast-1", ["zones"] = new JsonArray("az-1"),
            ["secretRef"] = new JsonObject { ["namespace"] = "karmada-cluster", ["name"] = "member1" },
        }));
        control.CreateObject(KarmadaCluster("edge1", new JsonObject { ["syncMode"] = "Pull", ["apiEndpoint"] = "https://10.1.1.1:6443" }));
        using var session = new FleetSession(KubeconfigSource.FromContent(control.Kubeconfig()));

        var imported = await Import(session, FleetImportSource.Karmada, control.Name);

        imported.Should().HaveCount(2);
        imported[1].Should().BeEquivalentTo(new { Name = "member1", Region = "ap-southeast-1", Provider = "huaweicloud", LabelText = "topology.kubernetes.io/zone=az-1" },
            o => o.ExcludingMissingMembers());
        _reporter.Warnings.Should().ContainSingle().Which.Should().Contain("Karmada Cluster edge1").And.Contain("Pull-mode");
        var health = await new ClusterHealthService(session.Connector).TestAsync([imported[1]]).ToListAsync();
        health.Should().ContainSingle().Which.Status.Should().Be(FleetHealthStatus.Healthy, health[0].Reason);
        _reporter.VerboseLines.Should().Contain(l => l.StartsWith($"GET {control.Name} /api/v1/namespaces/karmada-cluster/secrets/member1 -> 200 ("),
            "the call that read the token is reported");
        _reporter.AllLines.Should().NotContain(l => l.Contains(member.AdminToken));

        control.CreateObject(KarmadaCluster("member2", new JsonObject
        {
            ["apiEndpoint"] = "https://10.2.2.2:6443", ["secretRef"] = new JsonObject { ["namespace"] = "karmada-cluster", ["name"] = "member2" },
        }));
        var before = session.GetFleet();
        var act = () => Import(session, FleetImportSource.Karmada, control.Name);
        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Target).Should().Be((FleetImportErrorIds.FleetSourceInvalid, "imp-karmada"));
        error.Message.Should().Contain("Karmada Cluster member2 on 'imp-karmada' names the secret karmada-cluster/member2, which does not exist");
        session.GetFleet().Should().BeSameAs(before);
    }

    private static JsonObject KarmadaCluster(string name, JsonObject spec) => new()
    {
        ["apiVersion"] = KarmadaFleetSource.ApiVersion, ["kind"] = "Cluster", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
    };

    private static JsonObject Node(string apiVersion, string kind, string ns, string name, JsonObject spec) => new()
    {
        ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns }, ["spec"] = spec,
    };

    private static JsonObject Cluster(string ns, string name, string infrastructureKind, Dictionary<string, string> labels) => new()
    {
        ["apiVersion"] = "cluster.x-k8s.io/v1beta2",
        ["kind"] = "Cluster",
        ["metadata"] = new JsonObject
        {
            ["name"] = name, ["namespace"] = ns,
            ["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
        },
        ["spec"] = new JsonObject
        {
            ["infrastructureRef"] = new JsonObject { ["apiGroup"] = "infrastructure.cluster.x-k8s.io", ["kind"] = infrastructureKind, ["name"] = name },
        },
    };

    private static JsonObject KubeconfigSecret(string ns, string cluster, string kubeconfig) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = cluster + "-kubeconfig", ["namespace"] = ns },
        ["type"] = "cluster.x-k8s.io/secret",
        ["data"] = new JsonObject { ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig)) },
    };
}
