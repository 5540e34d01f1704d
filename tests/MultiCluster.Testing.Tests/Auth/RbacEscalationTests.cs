using k8s;
using MultiCluster.Testing.ApiServer.Auth;
using k8s.Models;

namespace MultiCluster.Testing.Tests.Auth;

/// <summary>
/// RBAC's escalation prevention: a role grants, and a binding binds, only what the requester holds,
/// unless it may escalate or bind; the refusals carry the real server's message.
/// </summary>
public sealed class RbacEscalationTests : IAsyncLifetime
{
    private const string Namespace = "team-a";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multicluster-escalation-" + Guid.NewGuid().ToString("N"));
    private EmulatedCluster _cluster = null!;
    private Kubernetes _admin = null!;
    private Kubernetes _jane = null!;
    private string _janeToken = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync();
        _ = _cluster.Auth;
        _admin = EmulatorClients.Admin(_cluster);
        await _admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        // Jane manages roles and bindings in team-a and reads pods; she holds nothing else.
        await _admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(Role("role-manager",
            Rule("rbac.authorization.k8s.io", ["roles", "rolebindings"], ["get", "list", "create", "update", "patch"]),
            Rule("", ["pods", "configmaps"], ["get", "list"])), Namespace);
        await _admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("jane-manages", "Role", "role-manager"), Namespace);
        _janeToken = _cluster.Tokens.Mint("jane", "devs");
        _jane = EmulatorClients.For(_cluster, _janeToken);
    }

    public async Task DisposeAsync()
    {
        _jane.Dispose();
        _admin.Dispose();
        await _cluster.DisposeAsync();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Binding_a_role_within_the_binders_rights_is_allowed_and_a_missing_role_is_refused_by_name()
    {
        await _jane.RbacAuthorizationV1.CreateNamespacedRoleAsync(Role("pod-reader", Rule("", ["pods"], ["get"])), Namespace);
        var bound = await _jane.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("bob-reads", "Role", "pod-reader", "bob"), Namespace);
        bound.Metadata.Name.Should().Be("bob-reads");

        var (code, message, _) = await EmulatorClients.FailureOf(() =>
            _jane.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("bob-nothing", "Role", "nope", "bob"), Namespace));

        (code, message).Should().Be((403, "rolebindings.rbac.authorization.k8s.io \"bob-nothing\" is forbidden: role.rbac.authorization.k8s.io \"nope\" not found"));
    }

    [Fact]
    public async Task An_aggregated_cluster_role_needs_every_right_even_from_one_who_may_create_cluster_roles()
    {
        await _admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "clusterrole-writer" },
            Rules = [Rule("rbac.authorization.k8s.io", ["clusterroles"], ["create"])],
        });
        await _admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "jane-writes-clusterroles" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "clusterrole-writer" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = "jane", ApiGroup = "rbac.authorization.k8s.io" }],
        });
        var aggregated = new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "gather-all" },
            AggregationRule = new V1AggregationRule { ClusterRoleSelectors = [new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["x"] = "y" } }] },
        };

        var (code, message, _) = await EmulatorClients.FailureOf(() => _jane.RbacAuthorizationV1.CreateClusterRoleAsync(aggregated));

        (code, message).Should().Be((403, "clusterroles.rbac.authorization.k8s.io \"gather-all\" is forbidden: must have cluster-admin privileges to use the aggregationRule"));
        (await _admin.RbacAuthorizationV1.ListClusterRoleAsync()).Items.Should().NotContain(r => r.Metadata.Name == "gather-all");
    }

    [RequiresKubectlFact]
    public async Task Kubectl_create_role_and_rolebinding_show_the_real_refusal()
    {
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "jane.kubeconfig");
        KubeconfigWriter.WriteFile(config, _cluster.Tokens.Kubeconfig(_janeToken));

        var refused = await TestSupport.KubectlAsync(config, null, "create", "role", "cm-deleter", "--verb=delete", "--resource=configmaps", "-n", Namespace);
        var allowed = await TestSupport.KubectlAsync(config, null, "create", "role", "cm-lister", "--verb=list", "--resource=configmaps", "-n", Namespace);

        refused.ExitCode.Should().Be(1);
        refused.Stderr.Trim().Should().EndWith("roles.rbac.authorization.k8s.io \"cm-deleter\" is forbidden: user \"jane\" (groups=[\"devs\" \"system:authenticated\"]) " +
            "is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"delete\"]}");
        (allowed.ExitCode, allowed.Stdout.Trim()).Should().Be((0, "role.rbac.authorization.k8s.io/cm-lister created"), allowed.Stderr);

        var bindEdit = await TestSupport.KubectlAsync(config, null, "create", "rolebinding", "bob-edits", "--clusterrole=edit", "--user=bob", "-n", Namespace);
        var bindLister = await TestSupport.KubectlAsync(config, null, "create", "rolebinding", "bob-lists", "--role=cm-lister", "--user=bob", "-n", Namespace);

        bindEdit.ExitCode.Should().Be(1);
        bindEdit.Stderr.Should().Contain("rolebindings.rbac.authorization.k8s.io \"bob-edits\" is forbidden: user \"jane\" (groups=[\"devs\" \"system:authenticated\"]) " +
            "is attempting to grant RBAC permissions not currently held:\n");
        (bindLister.ExitCode, bindLister.Stdout.Trim()).Should().Be((0, "rolebinding.rbac.authorization.k8s.io/bob-lists created"), bindLister.Stderr);
    }

    private static V1Role Role(string name, params V1PolicyRule[] rules) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace }, Rules = rules };

    private static V1PolicyRule Rule(string group, string[] resources, string[] verbs) =>
        new() { ApiGroups = [group], Resources = resources, Verbs = verbs };

    private static V1RoleBinding Binding(string name, string roleKind, string roleName, string user = "jane") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = roleKind, Name = roleName },
        Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
    };
}
