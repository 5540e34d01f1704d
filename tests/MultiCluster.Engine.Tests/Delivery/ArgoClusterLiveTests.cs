using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MultiCluster.Engine.Delivery;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Delivery;

/// <summary>
/// Argo CD cluster registration over three emulated clusters that enforce RBAC and issue
/// service-account tokens: the first runs Argo CD (its CRDs and the argocd namespace), the other
/// two are registered. Tokens are checked with real requests made with the tokens themselves.
/// </summary>
public sealed class ArgoClusterLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private ArgoClusterService _service = null!;
    private FleetCluster _management = null!;
    private List<FleetCluster> _targets = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "argo",
            configure: (_, o) => new EmulatedClusterOptions { Name = o.Name, Controllers = ControllerCatalog.Create("rbac", "serviceaccount-tokens") });
        _connector = new EmulatorConnector(_fleet);
        _management = _connector.Clusters[0] with { Role = FleetClusterRole.Management, Region = "us-east-1" };
        _targets =
        [
            _connector.Clusters[1] with { Region = "us-east-1", Labels = new Dictionary<string, string> { ["env"] = "prod" } },
            _connector.Clusters[2] with { Region = "eu-central-1", Labels = new Dictionary<string, string> { ["env"] = "dev" } },
        ];
        _service = new ArgoClusterService(_connector);
        if (SharedFiles.Crds is not null) SharedCrds.LoadInto(_fleet[0], "argo-cd");
        Namespace(_fleet[0], "argocd");
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static void Namespace(EmulatedCluster cluster, string name) =>
        cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });

    private ArgoRegistrationOptions Options(bool rotate = false, bool whatIf = false, bool force = false, params string[] namespaces) =>
        new() { ManagementCluster = _management, Rotate = rotate, WhatIf = whatIf, Force = force, Namespaces = namespaces };

    private Task<List<FleetArgoCluster>> Register(ArgoRegistrationOptions options) => _service.RegisterAsync(_targets, options).ToListAsync().AsTask();

    private Task<List<FleetArgoCluster>> Unregister(ArgoRegistrationOptions options) => _service.UnregisterAsync(_targets, options).ToListAsync().AsTask();

    private static string Describe(IEnumerable<FleetArgoCluster> results) => string.Join("\n", results.Select(r => $"{r}: {r.Message}"));

    private static Kubernetes Admin(EmulatedCluster cluster)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(cluster.Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    private static string ClusterSecretName(EmulatedCluster cluster) => ArgoClusterSecret.SecretName(cluster.Server.AbsoluteUri.TrimEnd('/'));

    private async Task<V1Secret> ClusterSecret(EmulatedCluster cluster)
    {
        using var admin = Admin(_fleet[0]);
        return await admin.CoreV1.ReadNamespacedSecretAsync(ClusterSecretName(cluster), "argocd");
    }

    /// <summary>A client that talks to the cluster as Argo CD would, with the server, CA and token of its cluster Secret.</summary>
    private static Kubernetes AsArgo(V1Secret secret)
    {
        var config = JsonNode.Parse(Encoding.UTF8.GetString(secret.Data["config"]))!;
        var kubeconfig = $"""
            apiVersion: v1
            kind: Config
            clusters: [ {"{"} name: c, cluster: {"{"} server: "{Encoding.UTF8.GetString(secret.Data["server"])}", certificate-authority-data: "{config["tlsClientConfig"]!["caData"]}" {"}"} {"}"} ]
            users: [ {"{"} name: u, user: {"{"} token: "{config["bearerToken"]}" {"}"} {"}"} ]
            contexts: [ {"{"} name: c, context: {"{"} cluster: c, user: u {"}"} {"}"} ]
            current-context: c
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    private static V1ConfigMap ConfigMap(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };

    private static async Task ShouldBeRefused(Func<Task> call, HttpStatusCode status) =>
        (await call.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(status);

    /// <summary>Every Secret of the argocd namespace and every argocd-manager object in the targets.</summary>
    private IEnumerable<string> ArgoObjects() =>
        _fleet[0].Store.List(_fleet[0].Registry.Find("", "secrets")!, "argocd").Items.Select(i => $"{_fleet[0].Name}: secrets/{i["metadata"]!["name"]}")
            .Concat(_fleet.Clusters.Skip(1).SelectMany(c =>
                new[] { ("", "serviceaccounts", (string?)"kube-system", "argocd-manager"), ("", "secrets", "kube-system", "argocd-manager-long-lived-token"),
                        ("rbac.authorization.k8s.io", "clusterroles", null, "argocd-manager-role"), ("rbac.authorization.k8s.io", "clusterrolebindings", null, "argocd-manager-role-binding") }
                    .Where(o => c.Store.Get(c.Registry.Find(o.Item1, o.Item2)!, o.Item3, o.Item4) is not null)
                    .Select(o => $"{c.Name}: {o.Item2}/{o.Item4}")));

    [RequiresSharedCrdsFact]
    public async Task Registers_like_argocd_cluster_add_with_a_token_of_full_rights_then_Unchanged_then_rotates()
    {
        var preview = await Register(Options(whatIf: true));
        preview.Should().HaveCount(2, Describe(preview)).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate, Describe(preview));
        ArgoObjects().Should().BeEmpty();

        var first = await Register(Options());

        first.Should().HaveCount(2, Describe(first));
        first.Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[] { (_targets[0].Name, FleetResourceAction.Created), (_targets[1].Name, FleetResourceAction.Created) });
        var use1 = first.Single(r => r.Cluster == _targets[0].Name);
        use1.Should().BeEquivalentTo(new
        {
            ManagementCluster = _management.Name, Server = _fleet[1].Server.AbsoluteUri.TrimEnd('/'), SecretName = "argocd/" + ClusterSecretName(_fleet[1]),
            Scope = "Cluster", Message = "Registered with cluster-wide rights.", Error = (Exception?)null,
        }, o => o.ExcludingMissingMembers());
        use1.Labels.Should().Equal(new Dictionary<string, string> { ["env"] = "prod", ["multicluster.io/region"] = "us-east-1", ["multicluster.io/role"] = "workload" });
        use1.ToString().Should().Be($"{_targets[0].Name} in Argo CD on {_management.Name}: Created");

        foreach (var (target, index) in new[] { (_fleet[1], 0), (_fleet[2], 1) })
        {
            var secret = await ClusterSecret(target);
            secret.Type.Should().Be("Opaque");
            secret.Metadata.Name.Should().MatchRegex(@"^cluster-127\.0\.0\.1-\d+$");
            secret.Metadata.Labels.Should().Equal(new Dictionary<string, string>
            {
                ["argocd.argoproj.io/secret-type"] = "cluster", ["app.kubernetes.io/managed-by"] = "multicluster",
                ["env"] = index == 0 ? "prod" : "dev", ["multicluster.io/region"] = index == 0 ? "us-east-1" : "eu-central-1", ["multicluster.io/role"] = "workload",
            });
            secret.Data.Keys.Should().BeEquivalentTo("name", "server", "config");
            Encoding.UTF8.GetString(secret.Data["name"]).Should().Be(target.Name);
            Encoding.UTF8.GetString(secret.Data["server"]).Should().Be(target.Server.AbsoluteUri.TrimEnd('/'));
            using var admin = Admin(target);
            var tokenSecret = await admin.CoreV1.ReadNamespacedSecretAsync("argocd-manager-long-lived-token", "kube-system");
            tokenSecret.Type.Should().Be("kubernetes.io/service-account-token");
            tokenSecret.Metadata.Annotations["kubernetes.io/service-account.name"].Should().Be("argocd-manager");
            Encoding.UTF8.GetString(secret.Data["config"]).Should().Be(
                $$$"""{"bearerToken":"{{{Encoding.UTF8.GetString(tokenSecret.Data["token"])}}}","tlsClientConfig":{"insecure":false,"caData":"{{{Convert.ToBase64String(Encoding.ASCII.GetBytes(EmulatedCluster.CertificateAuthorityPem))}}}"}}""");
            var role = await admin.RbacAuthorizationV1.ReadClusterRoleAsync("argocd-manager-role");
            role.Rules.Should().HaveCount(2);
            role.Rules[0].Should().BeEquivalentTo(new { ApiGroups = new[] { "*" }, Resources = new[] { "*" }, Verbs = new[] { "*" } });
            role.Rules[1].Should().BeEquivalentTo(new { NonResourceURLs = new[] { "*" }, Verbs = new[] { "*" } });
            var binding = await admin.RbacAuthorizationV1.ReadClusterRoleBindingAsync("argocd-manager-role-binding");
            binding.Subjects.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = "ServiceAccount", Name = "argocd-manager", NamespaceProperty = "kube-system" });

            // The token Argo CD holds can do what Argo CD does: anything, anywhere.
            using var argo = AsArgo(secret);
            (await argo.CoreV1.ListNamespaceAsync()).Items.Should().Contain(n => n.Metadata.Name == "kube-system");
            (await argo.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("from-argo"), "default")).Metadata.Name.Should().Be("from-argo");
            (await argo.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } })).Metadata.Name.Should().Be("shop");
        }

        var second = await Register(Options());
        second.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged && r.Message == "Already registered with a working token.", Describe(second));
        (await Register(Options(whatIf: true))).Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var oldSecret = await ClusterSecret(_fleet[1]);
        var rotated = await Register(Options(rotate: true));
        rotated.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Configured
            && r.Message == "New argocd-manager token; the old one no longer works.", Describe(rotated));
        var newSecret = await ClusterSecret(_fleet[1]);
        newSecret.Data["config"].Should().NotEqual(oldSecret.Data["config"]);
        using (var old = AsArgo(oldSecret)) await ShouldBeRefused(() => old.CoreV1.ListNamespaceAsync(), HttpStatusCode.Unauthorized);
        using (var current = AsArgo(newSecret)) (await current.CoreV1.ListNamespaceAsync()).Items.Should().NotBeEmpty();
    }

    [RequiresSharedCrdsFact]
    public async Task A_namespaced_registration_gives_a_token_that_acts_in_its_namespace_and_nowhere_else()
    {
        foreach (var target in new[] { _fleet[1], _fleet[2] }) Namespace(target, "apps");

        var results = await Register(Options(namespaces: "apps"));

        results.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Scope == "apps" && r.Message == "Registered with namespaced rights.", Describe(results));
        var secret = await ClusterSecret(_fleet[1]);
        secret.Data.Keys.Should().BeEquivalentTo("name", "server", "config", "namespaces", "clusterResources");
        Encoding.UTF8.GetString(secret.Data["namespaces"]).Should().Be("apps");
        Encoding.UTF8.GetString(secret.Data["clusterResources"]).Should().Be("false");
        using (var admin = Admin(_fleet[1]))
        {
            (await admin.RbacAuthorizationV1.ReadNamespacedRoleAsync("argocd-manager-role", "apps")).Rules.Should().ContainSingle()
                .Which.Should().BeEquivalentTo(new { ApiGroups = new[] { "*" }, Resources = new[] { "*" }, Verbs = new[] { "*" } });
            (await admin.RbacAuthorizationV1.ListClusterRoleAsync()).Items.Should().NotContain(r => r.Metadata.Name == "argocd-manager-role");
        }
        using var argo = AsArgo(secret);
        (await argo.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("in-apps"), "apps")).Metadata.Name.Should().Be("in-apps");
        (await argo.CoreV1.ListNamespacedSecretAsync("apps")).Should().NotBeNull();
        await ShouldBeRefused(() => argo.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("in-default"), "default"), HttpStatusCode.Forbidden);
        await ShouldBeRefused(() => argo.CoreV1.ListNamespacedSecretAsync("kube-system"), HttpStatusCode.Forbidden);
        await ShouldBeRefused(() => argo.CoreV1.ListNamespaceAsync(), HttpStatusCode.Forbidden);
        await ShouldBeRefused(() => argo.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "other" } }), HttpStatusCode.Forbidden);
    }

    [RequiresSharedCrdsFact]
    public async Task Registering_again_with_Namespace_takes_back_the_cluster_wide_rights_and_the_reverse_takes_back_the_Roles()
    {
        foreach (var target in new[] { _fleet[1], _fleet[2] }) Namespace(target, "apps");
        (await Register(Options())).Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        var wide = await ClusterSecret(_fleet[1]);
        using (var argo = AsArgo(wide)) (await argo.CoreV1.ListNamespaceAsync()).Items.Should().NotBeEmpty("the first registration is cluster-wide");

        var preview = await Register(Options(whatIf: true, namespaces: "apps"));
        preview.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.WouldChange
            && r.Message == "Would create Role argocd-manager-role, RoleBinding argocd-manager-role-binding and rewrite the cluster Secret."
                + " Would remove the rights it no longer grants: ClusterRoleBinding argocd-manager-role-binding, ClusterRole argocd-manager-role.", Describe(preview));
        using (var argo = AsArgo(wide)) (await argo.CoreV1.ListNamespaceAsync()).Items.Should().NotBeEmpty("a preview takes nothing away");

        var narrowed = await Register(Options(namespaces: "apps"));

        narrowed.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Configured
            && r.Message == "Cluster Secret rewritten. Removed the rights it no longer grants: ClusterRoleBinding argocd-manager-role-binding, ClusterRole argocd-manager-role.",
            Describe(narrowed));
        var secret = await ClusterSecret(_fleet[1]);
        secret.Data["config"].Should().Equal(wide.Data["config"], "the token is the same; only its rights changed");
        using (var argo = AsArgo(secret))
        {
            (await argo.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("still-in-apps"), "apps")).Metadata.Name.Should().Be("still-in-apps");
            await ShouldBeRefused(() => argo.CoreV1.ListNamespaceAsync(), HttpStatusCode.Forbidden);
            await ShouldBeRefused(() => argo.CoreV1.ListNamespacedSecretAsync("kube-system"), HttpStatusCode.Forbidden);
            await ShouldBeRefused(() => argo.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("in-default"), "default"), HttpStatusCode.Forbidden);
        }
        (await Register(Options(namespaces: "apps"))).Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var widened = await Register(Options());

        widened.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Configured
            && r.Message == "Cluster Secret rewritten. Removed the rights it no longer grants: RoleBinding apps/argocd-manager-role-binding, Role apps/argocd-manager-role.",
            Describe(widened));
        using (var admin = Admin(_fleet[1])) (await admin.RbacAuthorizationV1.ListNamespacedRoleAsync("apps")).Items.Should().BeEmpty();
        using (var argo = AsArgo(await ClusterSecret(_fleet[1])))
        {
            (await argo.CoreV1.ListNamespaceAsync()).Items.Should().Contain(n => n.Metadata.Name == "kube-system");
            (await argo.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("in-default"), "default")).Metadata.Name.Should().Be("in-default");
        }
        (await Register(Options())).Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
    }

    [RequiresSharedCrdsFact]
    public async Task A_missing_namespace_fails_that_cluster_only()
    {
        Namespace(_fleet[2], "apps");

        var results = await Register(Options(namespaces: "apps"));

        results.Should().HaveCount(2, Describe(results));
        var failed = results.Single(r => r.Cluster == _targets[0].Name);
        failed.Action.Should().Be(FleetResourceAction.Failed);
        failed.Error.Should().BeOfType<FleetClusterException>().Which.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.NamespaceNotFound, Category = FleetErrorCategory.ObjectNotFound, Target = _targets[0].Name,
            Message = $"Namespace 'apps' (-Namespace) does not exist in cluster '{_targets[0].Name}'; Argo CD's role there cannot be created. Nothing was changed on '{_targets[0].Name}'.",
        }, o => o.ExcludingMissingMembers());
        results.Single(r => r.Cluster == _targets[1].Name).Action.Should().Be(FleetResourceAction.Created);
        ArgoObjects().Should().NotContain(o => o.StartsWith(_fleet[1].Name + ":"));
    }

    [RequiresSharedCrdsFact]
    public async Task Unregister_refuses_while_an_Application_deploys_there_then_Force_removes_both_sides_and_revokes_the_token()
    {
        (await Register(Options())).Should().HaveCount(_targets.Count).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        var secret = await ClusterSecret(_fleet[2]);
        _fleet[0].CreateObject(JsonNode.Parse($$$"""
            {"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"shop-euc1","namespace":"argocd"},
             "spec":{"project":"default","source":{"repoURL":"https://git.example.com/shop.git","path":"overlays/eu-central-1","targetRevision":"main"},
                     "destination":{"server":"{{{_fleet[2].Server.AbsoluteUri.TrimEnd('/')}}}","namespace":"shop"} } }
            """)!.AsObject());
        var before = ArgoObjects().ToList();

        var refused = () => Unregister(Options());

        var error = (await refused.Should().ThrowAsync<FleetInputException>()).Which;
        error.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.ArgoClusterInUse, Category = FleetErrorCategory.InvalidOperation, Target = _targets[1].Name,
            Message = $"Applications still deploy to cluster '{_targets[1].Name}': shop-euc1 (argocd on {_management.Name}). Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        ArgoObjects().Should().Equal(before);
        before.Should().HaveCount(10);

        var preview = await Unregister(Options(whatIf: true, force: true));
        preview.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.WouldDelete
            && r.Message == "Would remove the cluster Secret and 4 argocd-manager object(s) in the cluster.", Describe(preview));
        ArgoObjects().Should().Equal(before);

        var removed = await Unregister(Options(force: true));
        removed.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted
            && r.Message == "Removed the cluster Secret and 4 argocd-manager object(s) in the cluster.", Describe(removed));
        ArgoObjects().Should().BeEmpty();
        using (var argo = AsArgo(secret)) await ShouldBeRefused(() => argo.CoreV1.ListNamespaceAsync(), HttpStatusCode.Unauthorized);

        var again = await Unregister(Options(force: true));
        again.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.NotFound && r.Message == "Not registered in Argo CD.");
    }

    [Fact]
    public async Task A_management_cluster_without_the_argocd_namespace_is_refused_before_any_change()
    {
        var options = Options() with { ArgoNamespace = "gitops" };

        var register = () => Register(options);

        var error = (await register.Should().ThrowAsync<FleetInputException>()).Which;
        error.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.ArgoNamespaceNotFound, Category = FleetErrorCategory.ObjectNotFound, Target = _management.Name,
            Message = $"The management cluster '{_management.Name}' has no namespace 'gitops', where Argo CD keeps its cluster Secrets. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        ArgoObjects().Should().BeEmpty();
    }
}
