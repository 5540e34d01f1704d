using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Controllers.Mcs;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>
/// Join-FleetMesh -Provider Submariner's engine against three emulated clusters that loaded the
/// real Submariner and MCS CRDs (strict validation), with the token and MCS controllers: two
/// members' ranges overlap, the first cluster is the broker.
/// </summary>
public sealed class SubmarinerLiveTests : IAsyncLifetime
{
    private readonly ControllerSettings _settings = new();
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private List<FleetCluster> _members = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "subm", configure: (_, o) => new EmulatedClusterOptions
        {
            Name = o.Name, Controllers = ControllerCatalog.Create(_settings, "serviceaccount-tokens", McsController.ControllerName),
        });
        _connector = new EmulatorConnector(_fleet);
        string[] pods = ["10.244.0.0/16", "10.244.0.0/16", "10.246.0.0/16"];
        string[] services = ["10.96.0.0/16", "10.97.0.0/16", "10.98.0.0/16"];
        _members = _fleet.Clusters.Select((c, i) => new FleetCluster
        {
            Name = c.Name, Context = c.Name, Role = i == 0 ? FleetClusterRole.Management : FleetClusterRole.Workload,
            Network = new FleetClusterNetwork { PodCidr = pods[i], ServiceCidr = services[i] },
        }).ToList();
        foreach (var cluster in _fleet.Clusters)
        {
            Node(cluster, cluster.Name + "-control-plane", controlPlane: true, gateway: false);
            Node(cluster, cluster.Name + "-worker", controlPlane: false, gateway: cluster != _fleet[2]);
            if (SharedFiles.Crds is null) continue;
            SharedCrds.LoadInto(cluster, "submariner", "mcs-api");
        }
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static void Node(EmulatedCluster cluster, string name, bool controlPlane, bool gateway)
    {
        var labels = new JsonObject { ["kubernetes.io/hostname"] = name };
        if (controlPlane) labels["node-role.kubernetes.io/control-plane"] = "";
        if (gateway) labels[SubmarinerRules.GatewayLabel] = "true";
        cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels } });
    }

    private Task<SubmarinerPlan> Plan(SubmarinerJoinOptions options) => new SubmarinerPlanner(_connector).PlanAsync(_members, _members, options);

    private List<LoggedRequestSummary> Writes() => _fleet.Clusters.SelectMany(c => c.RequestLog.Requests
        .Where(r => r.Method is not ("GET" or "HEAD")).Select(r => new LoggedRequestSummary(c.Name, r.Method, r.Path))).ToList();

    private sealed record LoggedRequestSummary(string Cluster, string Method, string Path);

    private JsonObject Get(int cluster, string group, string plural, string? ns, string name) =>
        _fleet[cluster].Store.Get(_fleet[cluster].Registry.Find(group, plural)!, ns, name)
        ?? throw new InvalidOperationException($"{plural} {ns}/{name} is missing on {_fleet[cluster].Name}");

    [RequiresSharedCrdsFact]
    public async Task Overlapping_ranges_without_Globalnet_are_refused_naming_every_pair_before_anything_changes()
    {
        var act = () => Plan(new SubmarinerJoinOptions { LabelGatewayNode = true });

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(MeshErrorIds.CidrOverlap);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("(ranges)");
        error.Message.Should().Be(
            "The members' ranges overlap, so Submariner cannot route between them: subm-1 pod range 10.244.0.0/16 (fleet file) and subm-2 pod range 10.244.0.0/16 (fleet file). " +
            "Enable Submariner Globalnet (-Globalnet) or pick other ranges. Nothing was changed.");
        Writes().Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public async Task Globalnet_keeps_an_installed_id_and_global_CIDR_allocates_the_rest_and_asks_for_a_gateway()
    {
        MeshSeed.Namespace(_fleet[1], SubmarinerRules.OperatorNamespace);
        _fleet[1].CreateObject(new JsonObject
        {
            ["apiVersion"] = "submariner.io/v1alpha1", ["kind"] = "Submariner",
            ["metadata"] = new JsonObject { ["name"] = "submariner", ["namespace"] = SubmarinerRules.OperatorNamespace },
            ["spec"] = new JsonObject
            {
                ["brokerK8sApiServer"] = "broker.example:6443", ["brokerK8sRemoteNamespace"] = SubmarinerRules.BrokerNamespace,
                ["clusterID"] = "west", ["globalCIDR"] = "242.0.0.0/16", ["broker"] = "k8s", ["namespace"] = SubmarinerRules.OperatorNamespace,
                ["natEnabled"] = true, ["debug"] = false, ["ceIPSecDebug"] = false, ["clusterCIDR"] = "", ["serviceCIDR"] = "",
            },
        });

        var missing = (await ((Func<Task>)(() => Plan(new SubmarinerJoinOptions { Globalnet = true }))).Should().ThrowAsync<FleetInputException>()).Which;
        missing.ErrorId.Should().Be(MeshErrorIds.GatewayNodeMissing);
        missing.Target.Should().Be("subm-3");
        missing.Message.Should().Be("No node of subm-3 is labelled submariner.io/gateway=true, so Submariner has no gateway there. " +
            "Label one (kubectl label node subm-3-worker submariner.io/gateway=true), or run with -LabelGatewayNode to label subm-3-worker. Nothing was changed.");

        var plan = await Plan(new SubmarinerJoinOptions { Globalnet = true, LabelGatewayNode = true });

        plan.Broker.Name.Should().Be("subm-1");
        plan.Globalnet.Should().BeTrue();
        plan.GlobalnetRange.ToString().Should().Be("242.0.0.0/8");
        plan.GlobalnetClusterSize.Should().Be(65536);
        plan.Members.Should().HaveCount(3);
        plan.Members.Select(m => (m.Name, m.ClusterId.ToString(), m.GlobalCidr!.ToString(), m.GatewayNode, m.LabelGateway)).Should().Equal(
            ("subm-1", "subm-1 (cluster name)", "242.1.0.0/16 (allocated from 242.0.0.0/8)", "subm-1-worker", false),
            ("subm-2", "west (submariner-operator/submariner clusterID)", "242.0.0.0/16 (submariner-operator/submariner globalCIDR, kept)", "subm-2-worker", false),
            ("subm-3", "subm-3 (cluster name)", "242.2.0.0/16 (allocated from 242.0.0.0/8)", "subm-3-worker", true));
        plan.Members.Select(m => (m.PodCidr!.ToString(), m.ServiceCidr!.ToString())).Should().Equal(
            ("10.244.0.0/16 (fleet file)", "10.96.0.0/16 (fleet file)"),
            ("10.244.0.0/16 (fleet file)", "10.97.0.0/16 (fleet file)"),
            ("10.246.0.0/16 (fleet file)", "10.98.0.0/16 (fleet file)"));
    }

    [RequiresSharedCrdsFact]
    public async Task Cluster_ids_that_repeat_or_are_no_DNS_label_are_refused()
    {
        var duplicate = (await ((Func<Task>)(() => Plan(new SubmarinerJoinOptions
        {
            Globalnet = true, LabelGatewayNode = true, ClusterIds = new Dictionary<string, string> { ["subm-1"] = "east", ["subm-2"] = "east" },
        }))).Should().ThrowAsync<FleetInputException>()).Which;
        duplicate.ErrorId.Should().Be(MeshErrorIds.ClusterIdDuplicate);
        duplicate.Target.Should().Be("subm-2");
        duplicate.Message.Should().Be("Submariner cluster id 'east' of 'subm-2' (-ClusterId) is also the id of 'subm-1' (-ClusterId). Nothing was changed.");

        var invalid = (await ((Func<Task>)(() => Plan(new SubmarinerJoinOptions
        {
            Globalnet = true, ClusterIds = new Dictionary<string, string> { ["subm-3"] = "East_2" },
        }))).Should().ThrowAsync<FleetInputException>()).Which;
        invalid.ErrorId.Should().Be(MeshErrorIds.ClusterIdInvalid);
        invalid.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        invalid.Target.Should().Be("subm-3");
        Writes().Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public async Task Join_is_accepted_by_the_real_CRDs_keeps_credentials_in_Secrets_is_Unchanged_the_second_time_and_verifies_every_pair()
    {
        var options = new SubmarinerJoinOptions { Globalnet = true, LabelGatewayNode = true };
        var service = new SubmarinerMeshService(_connector);
        var all = _members.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

        var plan = await Plan(options);
        var first = await service.JoinAsync(plan, true, all, false, new()).ToListAsync();

        // Broker: namespace, Broker, Role, 3 x (account, binding, token), globalnet-info, PSK; members: namespace, Submariner, 2 Secrets (+ the gateway label on subm-3).
        first.Should().HaveCount(14 + 3 * 4 + 1);
        first.Where(r => r.Action == FleetResourceAction.Failed).Should().BeEmpty();
        first.Where(r => r.Action == FleetResourceAction.Created).Should().HaveCount(14 + 3 * 4);
        first.Single(r => r.Kind == "Node").Should().BeEquivalentTo(new { Cluster = "subm-3", Name = "subm-3-worker", Action = FleetResourceAction.Configured });
        Get(2, "", "nodes", null, "subm-3-worker")["metadata"]!["labels"]![SubmarinerRules.GatewayLabel]!.ToString().Should().Be("true");

        var broker = Get(0, "submariner.io", "brokers", SubmarinerRules.BrokerNamespace, "submariner-broker");
        broker["spec"]!.ToJsonString().Should().Be(
            """{"components":["service-discovery","connectivity"],"globalnetEnabled":true,"globalnetCIDRRange":"242.0.0.0/8","defaultGlobalnetClusterSize":65536}""");
        var info = Get(0, "", "configmaps", SubmarinerRules.BrokerNamespace, SubmarinerRules.GlobalnetConfigMap)["data"]!;
        info["globalnetCidrRange"]!.ToString().Should().Be("\"242.0.0.0/8\"");
        info["clusterinfo"]!.ToString().Should().Be(
            """[{"cluster_id":"subm-1","global_cidr":["242.0.0.0/16"]},{"cluster_id":"subm-2","global_cidr":["242.1.0.0/16"]},{"cluster_id":"subm-3","global_cidr":["242.2.0.0/16"]}]""");

        var spec = Get(2, "submariner.io", "submariners", SubmarinerRules.OperatorNamespace, "submariner")["spec"]!.AsObject();
        spec.Select(p => p.Key).Should().NotContain(["brokerK8sApiServerToken", "brokerK8sCA", "ceIPSecPSK"]);
        spec["brokerK8sSecret"]!.ToString().Should().Be(SubmarinerRules.BrokerSecretName);
        spec["ceIPSecPSKSecret"]!.ToString().Should().Be(SubmarinerRules.PskSecretName);
        spec["brokerK8sApiServer"]!.ToString().Should().Be(plan.BrokerUrl);
        spec["brokerK8sApiServer"]!.ToString().Should().NotContain("://");
        (spec["clusterID"]!.ToString(), spec["clusterCIDR"]!.ToString(), spec["serviceCIDR"]!.ToString(), spec["globalCIDR"]!.ToString())
            .Should().Be(("subm-3", "10.246.0.0/16", "10.98.0.0/16", "242.2.0.0/16"));

        var issued = Get(0, "", "secrets", SubmarinerRules.BrokerNamespace, "cluster-subm-3-token")["data"]!;
        var copied = Get(2, "", "secrets", SubmarinerRules.OperatorNamespace, SubmarinerRules.BrokerSecretName)["data"]!;
        copied["token"]!.ToString().Should().NotBeEmpty().And.Be(issued["token"]!.ToString());
        copied["ca.crt"]!.ToString().Should().Be(issued["ca.crt"]!.ToString());
        var psk = Get(0, "", "secrets", SubmarinerRules.BrokerNamespace, SubmarinerRules.PskSecretName)["data"]!["psk"]!.ToString();
        Convert.FromBase64String(psk).Should().HaveCount(SubmarinerMeshService.PskLength);
        Get(1, "", "secrets", SubmarinerRules.OperatorNamespace, SubmarinerRules.PskSecretName)["data"]!["psk"]!.ToString().Should().Be(psk);
        first.Select(r => r.Message ?? "").Should().NotContain(m => m.Contains(psk) || m.Contains(issued["token"]!.ToString()));

        var again = await service.JoinAsync(await Plan(options), true, all, false, new()).ToListAsync();

        again.Should().HaveCount(14 + 3 * 4);
        again.Where(r => r.Action != FleetResourceAction.Unchanged).Should().BeEmpty();

        var links = await service.VerifyAsync(plan, TimeSpan.FromSeconds(20), new());

        links.Should().HaveCount(6);
        links.Select(l => (l.Cluster, l.Peer, l.Status)).Should().BeEquivalentTo(new[]
        {
            ("subm-1", "subm-2", FleetMeshLinkStatus.Healthy), ("subm-1", "subm-3", FleetMeshLinkStatus.Healthy),
            ("subm-2", "subm-1", FleetMeshLinkStatus.Healthy), ("subm-2", "subm-3", FleetMeshLinkStatus.Healthy),
            ("subm-3", "subm-1", FleetMeshLinkStatus.Healthy), ("subm-3", "subm-2", FleetMeshLinkStatus.Healthy),
        });
        links[0].Message.Should().Be("The probe submariner-probe-subm-2.submariner-operator.svc.clusterset.local that subm-2 exported is imported here (MCS ServiceImport).");
        _fleet.Clusters.Should().HaveCount(3).And.AllSatisfy(c =>
            c.Store.List(c.Registry.Find("multicluster.x-k8s.io", "serviceexports")!, null).Items.Should().BeEmpty("the probes are removed"));
    }

    [RequiresSharedCrdsFact]
    public async Task Remove_cleans_a_member_and_its_broker_credentials_and_still_cleans_the_broker_when_the_member_is_down()
    {
        var service = new SubmarinerMeshService(_connector);
        var plan = await Plan(new SubmarinerJoinOptions { Globalnet = true, LabelGatewayNode = true, ClusterIds = new Dictionary<string, string> { ["subm-2"] = "west" } });
        (await service.JoinAsync(plan, true, _members.Select(m => m.Name).ToHashSet(), false, new()).ToListAsync())
            .Where(r => r.Action == FleetResourceAction.Failed).Should().BeEmpty();

        var preview = await service.RemoveAsync(_members[2], _members[0], whatIf: true).ToListAsync();

        preview.Should().HaveCount(7);
        preview.Select(r => (r.Cluster, r.Kind, r.Name, r.Action)).Should().Equal(
            ("subm-3", "Submariner", "submariner", FleetResourceAction.WouldDelete),
            ("subm-3", "Secret", SubmarinerRules.BrokerSecretName, FleetResourceAction.WouldDelete),
            ("subm-3", "Secret", SubmarinerRules.PskSecretName, FleetResourceAction.WouldDelete),
            ("subm-1", "Secret", "cluster-subm-3-token", FleetResourceAction.WouldDelete),
            ("subm-1", "RoleBinding", "cluster-subm-3-submariner-k8s-broker-cluster", FleetResourceAction.WouldDelete),
            ("subm-1", "ServiceAccount", "cluster-subm-3", FleetResourceAction.WouldDelete),
            ("subm-1", "ConfigMap", SubmarinerRules.GlobalnetConfigMap, FleetResourceAction.WouldChange));
        _fleet[2].Store.Get(_fleet[2].Registry.Find("submariner.io", "submariners")!, SubmarinerRules.OperatorNamespace, "submariner").Should().NotBeNull();

        var removed = await service.RemoveAsync(_members[2], _members[0], whatIf: false).ToListAsync();

        removed.Select(r => r.Action).Should().Equal(Enumerable.Repeat(FleetResourceAction.Deleted, 6).Append(FleetResourceAction.Configured));
        _fleet[2].Store.Get(_fleet[2].Registry.Find("submariner.io", "submariners")!, SubmarinerRules.OperatorNamespace, "submariner").Should().BeNull();
        Get(0, "", "configmaps", SubmarinerRules.BrokerNamespace, SubmarinerRules.GlobalnetConfigMap)["data"]!["clusterinfo"]!.ToString().Should().Be(
            """[{"cluster_id":"subm-1","global_cidr":["242.0.0.0/16"]},{"cluster_id":"west","global_cidr":["242.1.0.0/16"]}]""");

        // subm-2 joined as 'west' and is now down: its broker account is found by the fleet cluster it names, and cleaned.
        await _fleet[1].SetFaultsAsync(new FaultSettings { Stopped = true });
        var dead = await service.RemoveAsync(_members[1], _members[0], whatIf: false).ToListAsync();

        ShouldFailTheMemberAndCleanTheBroker(dead, "subm-2", FleetErrorIds.ClusterUnreachable, "west");
    }

    [RequiresSharedCrdsFact]
    public async Task A_hanging_member_is_Failed_with_ClusterTimeout_at_the_timeout_and_the_broker_is_still_cleaned_in_its_own_time()
    {
        var service = new SubmarinerMeshService(_connector);
        var plan = await Plan(new SubmarinerJoinOptions { Globalnet = true, LabelGatewayNode = true });
        (await service.JoinAsync(plan, true, _members.Select(m => m.Name).ToHashSet(), false, new()).ToListAsync())
            .Where(r => r.Action == FleetResourceAction.Failed).Should().BeEmpty();
        await _fleet[2].SetFaultsAsync(new FaultSettings { Hanging = true });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var removed = await service.RemoveAsync(_members[2], _members[0], whatIf: false, new FanOutOptions { TimeoutSeconds = 2 }).ToListAsync();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the member's side ends at its two seconds, not at the 100 s request timeout");
        ShouldFailTheMemberAndCleanTheBroker(removed, "subm-3", FleetErrorIds.ClusterTimeout, "subm-3");
    }

    /// <summary>A removal whose member side failed with <paramref name="errorId"/> while the broker (subm-1) was cleaned of <paramref name="clusterId"/>.</summary>
    private static void ShouldFailTheMemberAndCleanTheBroker(IReadOnlyList<FleetResourceResult> results, string member, string errorId, string clusterId)
    {
        results.Should().HaveCount(7);
        results.Take(3).Should().AllSatisfy(r =>
        {
            r.Cluster.Should().Be(member);
            r.Action.Should().Be(FleetResourceAction.Failed);
            ((FleetException)r.Error!).ErrorId.Should().Be(errorId);
        });
        results.Skip(3).Select(r => (r.Cluster, r.Name, r.Action)).Should().Equal(
            ("subm-1", $"cluster-{clusterId}-token", FleetResourceAction.Deleted),
            ("subm-1", $"cluster-{clusterId}-submariner-k8s-broker-cluster", FleetResourceAction.Deleted),
            ("subm-1", $"cluster-{clusterId}", FleetResourceAction.Deleted),
            ("subm-1", SubmarinerRules.GlobalnetConfigMap, FleetResourceAction.Configured));
    }
}
