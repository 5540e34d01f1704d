using System.Collections;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Engine.Tests.Access;

/// <summary>RbacService against three emulated API servers with real RBAC, through the real KubernetesClient.</summary>
public sealed class RbacServiceLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private RbacService _service = null!;

    private static RbacDefinition ConfigMapReaders(params string[] verbs) => RbacDefinition.Create("cm-readers", null,
        [new Hashtable { ["apiGroups"] = "", ["resources"] = "configmaps", ["verbs"] = verbs }], [new RbacSubject("Group", "ops")]);

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "rbac");
        _connector = new EmulatorConnector(_fleet);
        _service = new RbacService(_connector);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private async Task<List<FleetResourceResult>> Set(RbacDefinition definition, bool whatIf = false) =>
        await _service.ApplyAsync(_service.Plan(_connector.Clusters, [definition]), new ApplyOptions { WhatIf = whatIf }).ToListAsync();

    private static string Describe(IEnumerable<FleetResourceResult> results) => string.Join("; ", results.Select(r => $"{r}: {r.Action} {r.Message}"));

    internal static Kubernetes ClientFor(EmulatedCluster cluster, string token)
    {
        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(cluster.Tokens.Kubeconfig(token)));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    [Fact]
    public async Task A_member_of_the_bound_group_can_list_configmaps_and_not_secrets_on_every_cluster()
    {
        var first = await Set(ConfigMapReaders("get", "list"));
        var second = await Set(ConfigMapReaders("get", "list"));

        first.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created, Describe(first));
        second.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged, Describe(second));
        foreach (var cluster in _fleet.Clusters)
        {
            using var client = ClientFor(cluster, cluster.Tokens.Mint("jane", "ops"));
            var configMaps = await client.CoreV1.ListNamespacedConfigMapAsync("default");
            configMaps.Should().NotBeNull();
            var listSecrets = () => client.CoreV1.ListNamespacedSecretAsync("default");
            (await listSecrets.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);

            using var outsider = ClientFor(cluster, cluster.Tokens.Mint("bob", "devs"));
            var outsiderList = () => outsider.CoreV1.ListNamespacedConfigMapAsync("default");
            (await outsiderList.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task WhatIf_changes_nothing()
    {
        var preview = await Set(ConfigMapReaders("get"), whatIf: true);

        preview.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate, Describe(preview));
        var drift = await _service.TestAsync(_connector.Clusters, [ConfigMapReaders("get")], new FanOutOptions()).ToListAsync();
        drift.Select(d => d.DriftType).Should().OnlyContain(t => t == FleetRbacDriftType.MissingRole || t == FleetRbacDriftType.MissingBinding)
            .And.HaveCount(6);
    }

    [Fact]
    public async Task Get_reports_the_grant_and_a_changed_rule_shows_as_drift_on_that_cluster_only()
    {
        await Set(ConfigMapReaders("get", "list"));
        var changedCluster = _fleet.Clusters[1];
        using (var admin = ClientFor(changedCluster, changedCluster.Tokens.Admin))
        {
            var role = await admin.RbacAuthorizationV1.ReadClusterRoleAsync("cm-readers");
            role.Rules[0].Verbs = ["get", "list", "watch"];
            await admin.RbacAuthorizationV1.ReplaceClusterRoleAsync(role, "cm-readers");
            var binding = await admin.RbacAuthorizationV1.ReadClusterRoleBindingAsync("cm-readers");
            binding.Subjects.Add(new k8s.Models.Rbacv1Subject { Kind = "User", Name = "mallory", ApiGroup = "rbac.authorization.k8s.io" });
            await admin.RbacAuthorizationV1.ReplaceClusterRoleBindingAsync(binding, "cm-readers");
        }

        var grants = await _service.GetAsync(_connector.Clusters, new FanOutOptions()).ToListAsync();
        var drift = await _service.TestAsync(_connector.Clusters, [ConfigMapReaders("get", "list")], new FanOutOptions()).ToListAsync();

        grants.Should().HaveCount(3).And.OnlyContain(g => g.Error == null);
        grants.Select(g => g.Value!).Should().OnlyContain(g => g.Rbac == "cm-readers" && g.RoleKind == "ClusterRole" && g.Subjects.Contains("Group:ops"));
        grants.Single(g => g.Cluster == changedCluster.Name).Value!.Rules.Single().Verbs.Should().Equal("get", "list", "watch");
        drift.Should().HaveCount(2).And.OnlyContain(d => d.Cluster == changedCluster.Name);
        drift.Select(d => (d.DriftType, d.Kind, d.Expected, d.Actual)).Should().BeEquivalentTo(new[]
        {
            (FleetRbacDriftType.ChangedRule, "ClusterRole", "[get,list] core/configmaps", "[get,list,watch] core/configmaps"),
            (FleetRbacDriftType.ExtraSubject, "ClusterRoleBinding", (string?)null, "User:mallory"),
        });
    }

    [Fact]
    public async Task Prune_removes_only_unwanted_managed_objects_and_honours_the_circuit_breaker()
    {
        await Set(ConfigMapReaders("get"));
        var kept = RbacDefinition.Create("pod-readers", null,
            [new Hashtable { ["apiGroups"] = "", ["resources"] = "pods", ["verbs"] = "get" }], [new RbacSubject("User", "jane")]);
        await Set(kept);
        foreach (var cluster in _fleet.Clusters)
        {
            using var admin = ClientFor(cluster, cluster.Tokens.Admin);
            await admin.RbacAuthorizationV1.CreateClusterRoleAsync(new k8s.Models.V1ClusterRole
            {
                Metadata = new k8s.Models.V1ObjectMeta { Name = "hand-made", Labels = new Dictionary<string, string> { ["multicluster.io/rbac"] = "hand-made" } },
                Rules = [new k8s.Models.V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }],
            });
        }

        var refuse = () => _service.PlanPruneAsync(_connector.Clusters, [kept], new DeleteOptions());
        (await refuse.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);

        var options = new DeleteOptions { MaxClusters = 3, MaxFleetShare = 1 };
        var plan = await _service.PlanPruneAsync(_connector.Clusters, [kept], options);
        plan.Targets.Select(t => t.Object.Reference).Distinct().Should().Equal(
            "rbac.authorization.k8s.io/v1 ClusterRoleBinding cm-readers", "rbac.authorization.k8s.io/v1 ClusterRole cm-readers");
        var pruned = await _service.PruneAsync(plan.Targets, options).ToListAsync();

        pruned.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted, Describe(pruned));
        foreach (var cluster in _fleet.Clusters)
        {
            using var admin = ClientFor(cluster, cluster.Tokens.Admin);
            var names = (await admin.RbacAuthorizationV1.ListClusterRoleAsync()).Items.Select(r => r.Metadata.Name).ToList();
            names.Should().Contain(["pod-readers", "hand-made", "view"]).And.NotContain("cm-readers");
        }
    }

    [Fact]
    public async Task SetAsync_binds_an_existing_cluster_role_and_prune_removes_the_binding_only()
    {
        var admins = RbacDefinition.Bind("oidc-admins", null, "cluster-admin", [new RbacSubject("Group", "oidc:admins")]);
        var set = await _service.SetAsync(_connector.Clusters, [admins], new ApplyOptions()).ToListAsync();
        set.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Kind == "ClusterRoleBinding", Describe(set));

        foreach (var cluster in _fleet.Clusters)
        {
            using var member = ClientFor(cluster, cluster.Tokens.Mint("ann", "oidc:admins"));
            (await member.CoreV1.ListNamespacedSecretAsync("default")).Should().NotBeNull("cluster-admin reads secrets");
        }
        var grants = await _service.GetAsync(_connector.Clusters, new FanOutOptions()).ToListAsync();
        grants.Select(g => g.Value!).Should().HaveCount(3).And.OnlyContain(g => g.RoleName == "cluster-admin" && g.Rbac == "oidc-admins" && g.Rules.Count > 0);

        var options = new DeleteOptions { MaxClusters = int.MaxValue, MaxFleetShare = 1 };
        var scoped = RbacDefinition.Bind("oidc-viewers", null, "view", [new RbacSubject("Group", "oidc:viewers")]).InScope("oidc");
        (await _service.SetAsync(_connector.Clusters, [scoped], new ApplyOptions()).ToListAsync()).Should().HaveCount(3);
        var plan = await _service.PlanPruneAsync(_connector.Clusters, [], options);
        plan.Targets.Select(t => t.Object.Reference).Distinct().Should().Equal(["rbac.authorization.k8s.io/v1 ClusterRoleBinding oidc-admins"],
            "the scoped binding is left to a prune of its own scope");
        (await _service.PlanPruneAsync(_connector.Clusters, [], options, "oidc")).Targets.Select(t => t.Object.Reference).Distinct()
            .Should().Equal("rbac.authorization.k8s.io/v1 ClusterRoleBinding oidc-viewers");
        (await _service.PruneAsync(plan.Targets, options).ToListAsync()).Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted);
        using var admin = ClientFor(_fleet.Clusters[0], _fleet.Clusters[0].Tokens.Admin);
        (await admin.RbacAuthorizationV1.ReadClusterRoleAsync("cluster-admin")).Should().NotBeNull("the bound role is never the module's to remove");
    }

    [Fact]
    public async Task Bad_input_fails_before_any_cluster_is_touched()
    {
        var act = () => RbacDefinition.Create("broken", null,
            [new Hashtable { ["apiGroups"] = "", ["resources"] = "configmaps", ["verbs"] = "get" }], [new RbacSubject("Robot", "r2")]);
        act.Should().Throw<FleetInputException>().Which.Message.Should().Contain("subjects[0].kind");

        var duplicate = () => _service.Plan(_connector.Clusters, [ConfigMapReaders("get"), ConfigMapReaders("list")]);
        duplicate.Should().Throw<FleetInputException>().Which.Message.Should().Contain("'cm-readers' is given more than once");

        var grants = await _service.GetAsync(_connector.Clusters, new FanOutOptions()).ToListAsync();
        grants.Should().BeEmpty();
    }
}
