using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>
/// Istio multi-primary links between three emulated clusters that enforce RBAC and issue
/// service-account tokens, checked with the tokens themselves through the real KubernetesClient.
/// </summary>
public sealed class IstioMeshLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private IstioMeshService _service = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "istio",
            configure: (_, o) => new EmulatedClusterOptions { Name = o.Name, Controllers = ControllerCatalog.Create("rbac", "serviceaccount-tokens") });
        _connector = new EmulatorConnector(_fleet);
        _service = new IstioMeshService(_connector);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private IstioMeshPlan Plan(bool rotate = false, bool whatIf = false) =>
        IstioMeshPlan.Create(_connector.Clusters, new IstioJoinOptions { MeshId = "mesh1", Rotate = rotate, WhatIf = whatIf, NetworkPerRegion = false });

    private Task<List<FleetMeshLink>> Join(bool rotate = false, bool whatIf = false) => _service.JoinAsync(Plan(rotate, whatIf)).ToListAsync().AsTask();

    private Task<List<FleetMeshLink>> Test() => _service.TestAsync(_connector.Clusters, new FanOutOptions()).ToListAsync().AsTask();

    /// <summary>
    /// What a join writes, per cluster: istio-system, the reader ClusterRole, token and remote Secrets.
    /// (The store's resource version is no witness: the RBAC controllers write on their own at start.)
    /// </summary>
    private IEnumerable<string> MeshObjects() => _fleet.Clusters.SelectMany(c =>
        new[] { ("namespaces", (string?)null, "istio-system"), ("clusterroles", null, "istio-reader-clusterrole-istio-system") }
            .Where(o => c.Store.Get(c.Registry.Find(o.Item1 == "clusterroles" ? "rbac.authorization.k8s.io" : "", o.Item1)!, o.Item2, o.Item3) is not null)
            .Select(o => $"{c.Name}: {o.Item1}/{o.Item3}")
            .Concat(c.Store.List(c.Registry.Find("", "secrets")!, "istio-system").Items.Select(i => $"{c.Name}: secrets/{i["metadata"]!["name"]}")));

    private static string Describe(IEnumerable<FleetMeshLink> links) => string.Join("\n", links.Select(l => $"{l}: {l.Status} {l.Message}"));

    private static Kubernetes Admin(EmulatedCluster cluster)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(cluster.Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    private static async Task<string> StoredKubeconfig(EmulatedCluster target, string source)
    {
        using var admin = Admin(target);
        var secret = await admin.CoreV1.ReadNamespacedSecretAsync("istio-remote-secret-" + source, "istio-system");
        return Encoding.UTF8.GetString(secret.Data[source]);
    }

    private static string TokenOf(string kubeconfig) => kubeconfig.Split('\n').Single(l => l.TrimStart().StartsWith("token: ")).Trim()["token: ".Length..];

    private static Kubernetes WithKubeconfig(string kubeconfig)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    [Fact]
    public async Task Six_remote_secrets_whose_tokens_read_what_istiod_reads_and_write_nothing_then_heal_one_link_and_rotate()
    {
        var first = await Join();

        first.Should().HaveCount(6, Describe(first));
        first.Should().OnlyContain(l => l.Action == FleetResourceAction.Created && l.Status == FleetMeshLinkStatus.Healthy, Describe(first));
        first.Select(l => (l.Cluster, l.Peer)).Should().BeEquivalentTo(
            from t in _fleet.Clusters from s in _fleet.Clusters where t != s select (t.Name, s.Name));

        foreach (var target in _fleet.Clusters)
        {
            using var admin = Admin(target);
            var remoteSecrets = await admin.CoreV1.ListNamespacedSecretAsync("istio-system", labelSelector: "istio/multiCluster=true");
            remoteSecrets.Items.Should().HaveCount(2);
            foreach (var source in _fleet.Clusters.Where(c => c != target))
            {
                var secret = remoteSecrets.Items.Single(s => s.Metadata.Name == "istio-remote-secret-" + source.Name);
                secret.Type.Should().Be("Opaque");
                secret.Metadata.Labels.Should().Equal(new Dictionary<string, string> { ["istio/multiCluster"] = "true" });
                secret.Metadata.Annotations.Should().Equal(new Dictionary<string, string> { ["networking.istio.io/cluster"] = source.Name });
                secret.Data.Keys.Should().Equal(source.Name);
                var kubeconfig = Encoding.UTF8.GetString(secret.Data[source.Name]);
                var token = TokenOf(kubeconfig);
                kubeconfig.Should().Be($"""
                    apiVersion: v1
                    clusters:
                    - cluster:
                        certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(EmulatedCluster.CertificateAuthorityPem))}
                        server: {source.Server.AbsoluteUri.TrimEnd('/')}
                      name: {source.Name}
                    contexts:
                    - context:
                        cluster: {source.Name}
                        user: {source.Name}
                      name: {source.Name}
                    current-context: {source.Name}
                    kind: Config
                    preferences: {"{}"}
                    users:
                    - name: {source.Name}
                      user:
                        token: {token}

                    """);

                using var reader = WithKubeconfig(kubeconfig);
                // The emulator serves no Pods or EndpointSlices; the verifier asked SelfSubjectAccessReviews for those.
                (await reader.CoreV1.ListServiceForAllNamespacesAsync()).Should().NotBeNull();
                (await reader.CoreV1.ListEndpointsForAllNamespacesAsync()).Should().NotBeNull();
                (await reader.CoreV1.ListNodeAsync()).Should().NotBeNull();
                (await reader.CoreV1.ListSecretForAllNamespacesAsync()).Items.Should().NotBeEmpty("istiod reads secrets");
                (await reader.CoreV1.ListNamespaceAsync()).Items.Should().Contain(n => n.Metadata.Name == "istio-system");
                var create = () => reader.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, "default");
                (await create.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
                var delete = () => reader.CoreV1.DeleteNamespaceAsync("default");
                (await delete.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
                var deleteSecret = () => reader.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, "istio-system");
                (await deleteSecret.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            }
        }

        var clean = await Test();
        clean.Should().HaveCount(6).And.OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy && l.Action == null, Describe(clean));

        using (var admin = Admin(_fleet[1])) await admin.CoreV1.DeleteNamespacedSecretAsync("istio-remote-secret-" + _fleet[2].Name, "istio-system");
        var broken = (await Test()).Where(l => l.Status != FleetMeshLinkStatus.Healthy).ToList();
        broken.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Cluster = _fleet[1].Name, Peer = _fleet[2].Name, Status = FleetMeshLinkStatus.Broken,
            SecretName = $"istio-system/istio-remote-secret-{_fleet[2].Name}",
            Message = $"The remote secret istio-system/istio-remote-secret-{_fleet[2].Name} is missing.",
        });

        var second = await Join();
        second.Should().HaveCount(6);
        second.Where(l => l.Action != FleetResourceAction.Unchanged).Should().ContainSingle(Describe(second)).Which.Should().BeEquivalentTo(new
        {
            Cluster = _fleet[1].Name, Peer = _fleet[2].Name, Action = FleetResourceAction.Created, Status = FleetMeshLinkStatus.Healthy,
        });
        second.Should().OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy);

        var oldKubeconfig = await StoredKubeconfig(_fleet[0], _fleet[1].Name);
        var rotated = await Join(rotate: true);
        rotated.Should().HaveCount(6).And.OnlyContain(l => l.Action == FleetResourceAction.Configured && l.Status == FleetMeshLinkStatus.Healthy, Describe(rotated));
        var newKubeconfig = await StoredKubeconfig(_fleet[0], _fleet[1].Name);
        TokenOf(newKubeconfig).Should().NotBe(TokenOf(oldKubeconfig));
        using (var oldReader = WithKubeconfig(oldKubeconfig))
        {
            var list = () => oldReader.CoreV1.ListServiceForAllNamespacesAsync();
            (await list.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        (await Test()).Should().HaveCount(6).And.OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy);
        using (var admin = Admin(_fleet[1]))
        {
            var tokens = (await admin.CoreV1.ListNamespacedSecretAsync("istio-system")).Items.Where(s => s.Type == "kubernetes.io/service-account-token").ToList();
            tokens.Should().ContainSingle("the old token Secret is gone after rotation").Which.Metadata.Name.Should().StartWith("istio-reader-service-account-istio-remote-secret-token-");
        }
    }

    [Fact]
    public async Task WhatIf_reports_six_links_to_create_and_changes_nothing()
    {
        var preview = await Join(whatIf: true);

        preview.Should().HaveCount(6).And.OnlyContain(l => l.Action == FleetResourceAction.WouldCreate && l.Status == FleetMeshLinkStatus.NotChecked, Describe(preview));
        MeshObjects().Should().BeEmpty();
    }

    [Fact]
    public async Task A_member_running_another_mesh_id_stops_the_join_before_any_change()
    {
        MeshSeed.Namespace(_fleet[1], "istio-system");
        MeshSeed.ConfigMap(_fleet[1], "istio-system", "istio", new Dictionary<string, string> { ["mesh"] = "defaultConfig:\n  meshId: mesh0\ntrustDomain: cluster.local\n" });
        var before = MeshObjects().ToList();

        var join = () => Join();

        var error = (await join.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(MeshErrorIds.MeshIdMismatch);
        error.Target.Should().Be(_fleet[1].Name);
        error.Message.Should().StartWith($"Cluster '{_fleet[1].Name}' already runs mesh id 'mesh0' (istio-system/istio mesh config defaultConfig.meshId), not 'mesh1' (-MeshId).");
        MeshObjects().Should().Equal(before);
        before.Should().Equal($"{_fleet[1].Name}: namespaces/istio-system");
    }

    [Fact]
    public async Task Removing_a_dead_member_cleans_its_links_on_every_reachable_peer_and_reports_the_unreachable_side()
    {
        var joined = await Join();
        joined.Should().HaveCount(6, "three members, each linked to two peers").And.OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy, Describe(joined));
        var dead = _fleet[2];
        await dead.SetFaultsAsync(new FaultSettings { Stopped = true });
        var member = _connector.Clusters[2];

        var removed = await _service.RemoveAsync(member, _connector.Clusters, false, new FanOutOptions { TimeoutSeconds = 20 }).ToListAsync();

        removed.Should().HaveCount(4, Describe(removed));
        removed.Where(l => l.Cluster != dead.Name).Select(l => (l.Cluster, l.Peer, l.Action)).Should().BeEquivalentTo(new[]
        {
            (_fleet[0].Name, dead.Name, (FleetResourceAction?)FleetResourceAction.Deleted), (_fleet[1].Name, dead.Name, (FleetResourceAction?)FleetResourceAction.Deleted),
        });
        var unreachable = removed.Where(l => l.Cluster == dead.Name).ToList();
        unreachable.Select(l => l.Peer).Should().BeEquivalentTo(_fleet[0].Name, _fleet[1].Name);
        unreachable.Should().OnlyContain(l => l.Action == FleetResourceAction.Failed && l.Status == FleetMeshLinkStatus.Unknown && l.Error != null);
        foreach (var peer in new[] { _fleet[0], _fleet[1] })
        {
            using var admin = Admin(peer);
            var left = (await admin.CoreV1.ListNamespacedSecretAsync("istio-system", labelSelector: "istio/multiCluster=true")).Items.Select(s => s.Metadata.Name);
            left.Should().Equal("istio-remote-secret-" + (peer == _fleet[0] ? _fleet[1].Name : _fleet[0].Name));
        }
    }

    private void EastWestGateway(EmulatedCluster cluster, string? address)
    {
        var service = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "istio-eastwestgateway", ["namespace"] = "istio-system" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "LoadBalancer",
                ["ports"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["name"] = "tls", ["port"] = 15443 }),
            },
        };
        cluster.CreateObject(service);
        if (address is null) return;
        // The address is status, which a create drops: the cloud's controller writes it afterwards.
        var services = cluster.Registry.Find("", "services")!;
        var created = cluster.Store.Get(services, "istio-system", "istio-eastwestgateway")!;
        created["status"] = System.Text.Json.Nodes.JsonNode.Parse("""{"loadBalancer":{"ingress":[{"ip":"ADDRESS"}]}}""".Replace("ADDRESS", address));
        cluster.Store.Update(services, created);
    }

    [Fact]
    public async Task Test_names_a_peer_on_another_network_whose_gateway_has_no_address_and_an_unlabelled_istio_system()
    {
        var networks = _fleet.Clusters.Select((c, i) => (c.Name, Network: $"net-{i}")).ToDictionary(n => n.Name, n => n.Network);
        var joined = await _service.JoinAsync(IstioMeshPlan.Create(_connector.Clusters, new IstioJoinOptions { MeshId = "mesh1", Networks = networks })).ToListAsync();
        joined.Should().HaveCount(6).And.OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy, Describe(joined));
        EastWestGateway(_fleet[0], "203.0.113.10");
        EastWestGateway(_fleet[1], "203.0.113.11");
        EastWestGateway(_fleet[2], null);

        var links = await Test();

        links.Should().HaveCount(6);
        links.Should().OnlyContain(l => l.Network == networks[l.Cluster] && l.PeerNetwork == networks[l.Peer]);
        var broken = links.Where(l => l.Status != FleetMeshLinkStatus.Healthy).OrderBy(l => l.Cluster, StringComparer.Ordinal).ToList();
        broken.Select(l => (l.Cluster, l.Peer)).Should().Equal((_fleet[0].Name, _fleet[2].Name), (_fleet[1].Name, _fleet[2].Name));
        broken[0].Message.Should().Be(
            $"'{_fleet[2].Name}' is on network 'net-2', not 'net-0', and its east-west gateway istio-system/istio-eastwestgateway has no external address, so traffic from '{_fleet[0].Name}' cannot reach it.");

        var ns = _fleet[1].Store.Get(_fleet[1].Registry.Find("", "namespaces")!, null, "istio-system")!;
        ns["metadata"]!.AsObject().Remove("labels");
        _fleet[1].Store.Update(_fleet[1].Registry.Find("", "namespaces")!, ns);
        var unlabelled = (await Test()).Where(l => l.Cluster == _fleet[0].Name && l.Peer == _fleet[1].Name).Should().ContainSingle().Subject;
        unlabelled.Status.Should().Be(FleetMeshLinkStatus.Broken);
        unlabelled.Message.Should().Be(
            $"The namespace istio-system on '{_fleet[1].Name}' has no topology.istio.io/network label while '{_fleet[0].Name}' is on network 'net-0'; label both, or neither for one network.");
    }

    private IstioMeshPlan PlanOnNetworks(Dictionary<string, string> networks, bool whatIf = false) =>
        IstioMeshPlan.Create(_connector.Clusters, new IstioJoinOptions { MeshId = "mesh1", Networks = networks, WhatIf = whatIf });

    private async Task<(List<FleetResourceResult> Gateways, List<FleetMeshLink> Links)> JoinWithGateways(IstioMeshPlan plan)
    {
        var members = await _service.ReadMembersAsync(plan);
        var gateways = await _service.ApplyCrossNetworkGatewaysAsync(members).ToListAsync();
        var links = await _service.JoinAsync(members).ToListAsync();
        return (gateways, links);
    }

    /// <summary>The cross-network Gateway as the cluster's store holds it, or null.</summary>
    private static System.Text.Json.Nodes.JsonObject? StoredGateway(EmulatedCluster cluster) =>
        cluster.Registry.Find("networking.istio.io", "gateways") is { } gateways ? cluster.Store.Get(gateways, "istio-system", "cross-network-gateway") : null;

    private static string Describe(IEnumerable<FleetResourceResult> results) =>
        string.Join("\n", results.Select(r => $"{r}: {r.Message}"));

    [RequiresSharedCrdsFact]
    public async Task On_three_networks_the_cross_network_Gateway_is_applied_where_Istio_serves_it_and_the_member_without_Istio_is_told_to_install_it()
    {
        SharedCrds.LoadInto(_fleet[0], "istio");
        SharedCrds.LoadInto(_fleet[1], "istio");
        var networks = _fleet.Clusters.Select((c, i) => (c.Name, Network: $"net-{i}")).ToDictionary(n => n.Name, n => n.Network);

        var (preview, previewLinks) = await JoinWithGateways(PlanOnNetworks(networks, whatIf: true));

        preview.Where(r => r.Action != FleetResourceAction.Failed).Select(r => (r.Cluster, r.Kind, r.Namespace, r.Name, r.Action)).Should().BeEquivalentTo(new[]
        {
            (_fleet[0].Name, "Gateway", (string?)"istio-system", "cross-network-gateway", FleetResourceAction.WouldCreate),
            (_fleet[1].Name, "Gateway", (string?)"istio-system", "cross-network-gateway", FleetResourceAction.WouldCreate),
        }, Describe(preview));
        previewLinks.Should().HaveCount(6).And.OnlyContain(l => l.Action == FleetResourceAction.WouldCreate);
        _fleet.Clusters.Should().OnlyContain(c => StoredGateway(c) == null, "-WhatIf writes no Gateway");
        MeshObjects().Should().BeEmpty();

        var (applied, links) = await JoinWithGateways(PlanOnNetworks(networks));

        applied.Should().HaveCount(3, Describe(applied));
        applied.Where(r => r.Cluster != _fleet[2].Name).Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Error == null, Describe(applied));
        var missing = applied.Single(r => r.Cluster == _fleet[2].Name);
        missing.Action.Should().Be(FleetResourceAction.Failed);
        var error = missing.Error.Should().BeOfType<FleetClusterException>().Subject;
        error.ErrorId.Should().Be(MeshErrorIds.IstioNotInstalled);
        error.Category.Should().Be(FleetErrorCategory.NotInstalled);
        error.Message.Should().Be(
            $"Cluster '{_fleet[2].Name}' does not serve the Istio Gateway kind (networking.istio.io/v1), so istio-system/cross-network-gateway was not applied: Istio is not installed there.");
        error.RecommendedAction.Should().StartWith($"Install Istio on '{_fleet[2].Name}' first");
        links.Should().HaveCount(6).And.OnlyContain(l => l.Action == FleetResourceAction.Created && l.Status == FleetMeshLinkStatus.Healthy,
            "a member without Istio still gets its remote secrets");
        foreach (var cluster in new[] { _fleet[0], _fleet[1] })
        {
            var stored = StoredGateway(cluster);
            stored.Should().NotBeNull(cluster.Name);
            System.Text.Json.Nodes.JsonNode.DeepEquals(stored!["spec"], IstioInstallRenderer.CrossNetworkGateway().Json["spec"])
                .Should().BeTrue($"{cluster.Name} holds the Gateway the renderer makes: {stored["spec"]!.ToJsonString()}");
        }

        var (again, _) = await JoinWithGateways(PlanOnNetworks(networks));
        var (previewAgain, _) = await JoinWithGateways(PlanOnNetworks(networks, whatIf: true));

        foreach (var run in new[] { again, previewAgain })
        {
            run.Where(r => r.Cluster != _fleet[2].Name).Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[]
            {
                (_fleet[0].Name, FleetResourceAction.Unchanged), (_fleet[1].Name, FleetResourceAction.Unchanged),
            }, Describe(run));
            run.Single(r => r.Cluster == _fleet[2].Name).Error.Should().BeOfType<FleetClusterException>().Which.ErrorId.Should().Be(MeshErrorIds.IstioNotInstalled);
        }
    }

    [RequiresSharedCrdsFact]
    public async Task One_network_or_none_gets_no_Gateway()
    {
        foreach (var cluster in _fleet.Clusters) SharedCrds.LoadInto(cluster, "istio");
        var oneNetwork = PlanOnNetworks(_fleet.Clusters.ToDictionary(c => c.Name, _ => "net-a"));
        var twoNetworks = PlanOnNetworks(new Dictionary<string, string> { [_fleet[0].Name] = "net-a", [_fleet[1].Name] = "net-b" });
        oneNetwork.CrossNetworkMembers.Should().BeEmpty();
        Plan().CrossNetworkMembers.Should().BeEmpty();
        twoNetworks.CrossNetworkMembers.Select(m => m.Name).Should().Equal(_fleet[0].Name, _fleet[1].Name);
        (twoNetworks with { Members = [twoNetworks.Members[0]] }).CrossNetworkMembers.Should().ContainSingle("a plan narrowed to one confirmed member stays multi-network");

        var (flat, flatLinks) = await JoinWithGateways(oneNetwork);
        var (bare, _) = await JoinWithGateways(Plan());

        flat.Should().BeEmpty();
        bare.Should().BeEmpty();
        flatLinks.Should().HaveCount(6).And.OnlyContain(l => l.Status == FleetMeshLinkStatus.Healthy);
        _fleet.Clusters.Should().OnlyContain(c => StoredGateway(c) == null);
    }

    [Fact]
    public void Bad_input_is_refused_before_any_cluster_is_read()
    {
        var twice = () => IstioMeshPlan.Create([.. _connector.Clusters, _connector.Clusters[0]], new IstioJoinOptions { MeshId = "mesh1" });
        twice.Should().Throw<FleetInputException>().Which.Should().BeEquivalentTo(new
        {
            ErrorId = MeshErrorIds.ClusterDuplicate, Target = _fleet[0].Name, Message = $"Cluster '{_fleet[0].Name}' is given more than once.",
        }, o => o.ExcludingMissingMembers());

        var noRegion = () => IstioMeshPlan.Create(_connector.Clusters, new IstioJoinOptions { MeshId = "mesh1", NetworkPerRegion = true });
        noRegion.Should().Throw<FleetInputException>().Which.Message.Should().Be(
            $"Cluster '{_fleet[0].Name}' has no region in the fleet file, so -NetworkPerRegion cannot name its network.");

        var badNetwork = () => IstioMeshPlan.Create(_connector.Clusters,
            new IstioJoinOptions { MeshId = "mesh1", Networks = new Dictionary<string, string> { [_fleet[1].Name] = "net work" } });
        badNetwork.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(MeshErrorIds.NetworkInvalid);

        var badMesh = () => IstioMeshPlan.Create(_connector.Clusters, new IstioJoinOptions { MeshId = "mesh 1" });
        badMesh.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(MeshErrorIds.MeshIdInvalid);
    }
}
