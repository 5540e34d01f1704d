using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MultiCluster.Testing.ApiServer.Auth;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class RbacOverHttpsTests : IAsyncLifetime
{
    private EmulatedCluster _cluster = null!;
    private Kubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync();
        _ = _cluster.Auth;
        _admin = EmulatorClients.Admin(_cluster);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _cluster.DisposeAsync();
    }

    private Task CreateNamespace(string name) =>
        _admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });

    private static V1RoleRef RoleRef(string kind, string name) =>
        new() { ApiGroup = "rbac.authorization.k8s.io", Kind = kind, Name = name };

    private static Rbacv1Subject UserSubject(string name) =>
        new() { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = name };

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Headers(params (string Name, string Value)[] headers) =>
        headers.GroupBy(h => h.Name).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(h => h.Value).ToList());

    private static V1ConfigMap ConfigMap(string name) => new() { Metadata = new V1ObjectMeta { Name = name } };

    [Fact]
    public async Task Unknown_token_gets_the_401_Status_body()
    {
        using var stranger = EmulatorClients.For(_cluster, "not-a-token");
        var (code, _, body) = await EmulatorClients.FailureOf(() => stranger.CoreV1.ListNamespaceAsync());
        code.Should().Be(401);
        JsonNode.Parse(body)!.ToJsonString().Should().Be(AuthStatuses.Unauthorized().ToJsonString());
    }

    [Fact]
    public async Task Expired_and_revoked_tokens_get_401()
    {
        var shortLived = _cluster.Tokens.Mint("temp", [], TimeSpan.FromMinutes(5));
        var revoked = _cluster.Tokens.Mint("gone");
        _cluster.Tokens.Revoke(revoked).Should().BeTrue();
        using var revokedClient = EmulatorClients.For(_cluster, revoked);
        (await EmulatorClients.FailureOf(() => revokedClient.CoreV1.ListNamespaceAsync())).Code.Should().Be(401);
        using var client = EmulatorClients.For(_cluster, shortLived);
        var review = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        review.Status.UserInfo.Username.Should().Be("temp");
        _cluster.Clock.Advance(TimeSpan.FromMinutes(5));
        (await EmulatorClients.FailureOf(() => client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview())))
            .Code.Should().Be(401);
    }

    [Fact]
    public async Task Read_only_token_lists_but_cannot_create_or_read_secrets()
    {
        using var reader = EmulatorClients.For(_cluster, _cluster.Tokens.ReadOnly());
        (await reader.CoreV1.ListNamespaceAsync()).Items.Should().Contain(n => n.Metadata.Name == "default");
        await reader.AppsV1.ListNamespacedDeploymentAsync("default");

        var (code, message, body) = await EmulatorClients.FailureOf(() => reader.AppsV1.CreateNamespacedDeploymentAsync(
            new V1Deployment { Metadata = new V1ObjectMeta { Name = "x" } }, "default"));
        code.Should().Be(403);
        message.Should().Be("deployments.apps is forbidden: User \"read-only\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"");
        body.Should().Contain("\"reason\":\"Forbidden\"");

        (await EmulatorClients.FailureOf(() => reader.CoreV1.ReadNamespacedSecretAsync("x", "default"))).Message
            .Should().Be("secrets \"x\" is forbidden: User \"read-only\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"");
    }

    [Fact]
    public async Task Namespace_token_edits_its_namespace_only()
    {
        await CreateNamespace("team-a");
        using var editor = EmulatorClients.For(_cluster, _cluster.Tokens.ForNamespace("team-a"));
        await editor.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "team-a");
        await editor.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, "team-a");
        (await EmulatorClients.FailureOf(() => editor.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default")))
            .Message.Should().Be("configmaps is forbidden: User \"team-a-editor\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"");
        (await EmulatorClients.FailureOf(() => editor.CoreV1.ListNamespaceAsync()))
            .Message.Should().Be("namespaces is forbidden: User \"team-a-editor\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
        (await EmulatorClients.FailureOf(() => editor.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(
            new V1RoleBinding { Metadata = new V1ObjectMeta { Name = "b" }, RoleRef = RoleRef("ClusterRole", "admin") },
            "team-a"))).Code.Should().Be(403, "edit does not include RBAC rights");
    }

    [Fact]
    public async Task RBAC_objects_created_through_the_API_take_effect_at_once()
    {
        var token = _cluster.Tokens.Mint("jane");
        using var jane = EmulatorClients.For(_cluster, token);
        (await EmulatorClients.FailureOf(() => jane.AppsV1.ReadNamespacedDeploymentAsync("x", "default"))).Message
            .Should().Be("deployments.apps \"x\" is forbidden: User \"jane\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"default\"");
        await _admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "cm-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get"], ResourceNames = ["allowed"] }],
        }, "default");
        await _admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "jane-cm" },
            RoleRef = RoleRef("Role", "cm-reader"),
            Subjects = [UserSubject("jane")],
        }, "default");
        await _admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("allowed"), "default");
        await _admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("hidden"), "default");
        (await jane.CoreV1.ReadNamespacedConfigMapAsync("allowed", "default")).Metadata.Name.Should().Be("allowed");
        (await EmulatorClients.FailureOf(() => jane.CoreV1.ReadNamespacedConfigMapAsync("hidden", "default"))).Code.Should().Be(403);
        (await EmulatorClients.FailureOf(() => jane.CoreV1.ListNamespacedConfigMapAsync("default"))).Code.Should().Be(403);
    }

    [Fact]
    public async Task Impersonation_runs_as_the_impersonated_user_when_allowed()
    {
        await _admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "impersonate-jane" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["users"], Verbs = ["impersonate"], ResourceNames = ["jane"] }],
        });
        await _admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "bob-impersonates-jane" },
            RoleRef = RoleRef("ClusterRole", "impersonate-jane"),
            Subjects = [UserSubject("bob")],
        });
        using var bob = EmulatorClients.For(_cluster, _cluster.Tokens.Mint("bob"));

        var asJane = await bob.AuthenticationV1.CreateSelfSubjectReviewWithHttpMessagesAsync(new V1SelfSubjectReview(),
            customHeaders: Headers(("Impersonate-User", "jane")));
        asJane.Body.Status.UserInfo.Username.Should().Be("jane");
        asJane.Body.Status.UserInfo.Groups.Should().Equal("system:authenticated");

        var (code, message, _) = await EmulatorClients.FailureOf(() => bob.CoreV1.ListNamespaceWithHttpMessagesAsync(
            customHeaders: Headers(("Impersonate-User", "alice"))));
        code.Should().Be(403);
        message.Should().Be("users \"alice\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope");

        (await EmulatorClients.FailureOf(() => bob.CoreV1.ListNamespaceWithHttpMessagesAsync(
            customHeaders: Headers(("Impersonate-User", "jane"), ("Impersonate-Group", "system:masters")))))
            .Message.Should().Be("groups \"system:masters\" is forbidden: User \"bob\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope");

        var (janeCode, janeMessage, _) = await EmulatorClients.FailureOf(() => _admin.CoreV1.ListNamespaceWithHttpMessagesAsync(
            customHeaders: Headers(("Impersonate-User", "jane"))));
        janeCode.Should().Be(403, "the admin may impersonate, and then the request has jane's rights");
        janeMessage.Should().Contain("User \"jane\" cannot list resource \"namespaces\"");
    }

    [Fact]
    public async Task Self_subject_access_review_answers_allowed_and_reason()
    {
        await CreateNamespace("team-b");
        using var editor = EmulatorClients.For(_cluster, _cluster.Tokens.ForNamespace("team-b"));
        V1SelfSubjectAccessReview Ask(string verb, string group, string resource, string ns) => new()
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Group = group, Resource = resource, NamespaceProperty = ns },
            },
        };
        var allowed = await editor.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Ask("create", "apps", "deployments", "team-b"));
        allowed.Status.Allowed.Should().BeTrue();
        allowed.Status.Reason.Should().Be("RBAC: allowed by RoleBinding \"team-b-editor-edit/team-b\" of ClusterRole \"edit\" to User \"team-b-editor\"");
        var denied = await editor.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Ask("create", "apps", "deployments", "default"));
        denied.Status.Allowed.Should().BeFalse();
        denied.Status.Denied.Should().BeNull();
        denied.Spec.ResourceAttributes.NamespaceProperty.Should().Be("default");

        var invalid = await EmulatorClients.FailureOf(() => editor.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(
            new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec() }));
        invalid.Code.Should().Be(422);
    }

    [Fact]
    public async Task Subject_access_review_asks_about_another_user_and_needs_the_right_to_ask()
    {
        await _admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "jane-view" },
            RoleRef = RoleRef("ClusterRole", "view"),
            Subjects = [UserSubject("jane")],
        });
        var review = await _admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = "jane",
                ResourceAttributes = new V1ResourceAttributes { Verb = "list", Resource = "pods", NamespaceProperty = "default" },
            },
        });
        review.Status.Allowed.Should().BeTrue();
        review.Status.Reason.Should().Be("RBAC: allowed by ClusterRoleBinding \"jane-view\" of ClusterRole \"view\" to User \"jane\"");

        using var jane = EmulatorClients.For(_cluster, _cluster.Tokens.Mint("jane"));
        (await EmulatorClients.FailureOf(() => jane.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "bob", NonResourceAttributes = new V1NonResourceAttributes { Verb = "get", Path = "/" } },
        }))).Message.Should().Be("subjectaccessreviews.authorization.k8s.io is forbidden: User \"jane\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope");
    }
}

public sealed class LocalSubjectAccessReviewTests
{
    [Fact]
    public async Task Local_review_answers_within_its_namespace_only()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var admin = EmulatorClients.Admin(cluster);
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-d" } });
        cluster.Tokens.ForNamespace("team-d", "dana");
        V1LocalSubjectAccessReview Ask(string ns) => new()
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = "team-d" },
            Spec = new V1SubjectAccessReviewSpec
            {
                User = "dana",
                ResourceAttributes = new V1ResourceAttributes { Verb = "delete", Resource = "secrets", NamespaceProperty = ns, Name = "s" },
            },
        };
        var review = await admin.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(Ask("team-d"), "team-d");
        review.Status.Allowed.Should().BeTrue();
        review.Status.Reason.Should().Be("RBAC: allowed by RoleBinding \"dana-edit/team-d\" of ClusterRole \"edit\" to User \"dana\"");
        var (code, message, _) = await EmulatorClients.FailureOf(() =>
            admin.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(Ask("default"), "team-d"));
        code.Should().Be(400);
        message.Should().Be("spec.resourceAttributes.namespace must match namespace: team-d");
    }
}

public sealed class ClusterRoleAggregationTests
{
    [Fact]
    public async Task Aggregated_roles_show_the_rules_of_the_roles_they_select()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        using var admin = EmulatorClients.Admin(cluster);
        await admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta
            {
                Name = "widget-reader",
                Labels = new Dictionary<string, string> { ["rbac.authorization.k8s.io/aggregate-to-view"] = "true" },
            },
            Rules = [new V1PolicyRule { ApiGroups = ["example.com"], Resources = ["widgets"], Verbs = ["get", "list", "watch"] }],
        });
        await cluster.Auth.Aggregation.WhenIdleAsync();
        var view = await admin.RbacAuthorizationV1.ReadClusterRoleAsync("view");
        view.Rules.Should().Contain(r => r.Resources.Contains("widgets"));
        view.Rules.Should().Contain(r => r.Resources.Contains("deployments") && r.ApiGroups.Contains("apps"));
        view.Rules.Should().NotContain(r => r.Resources.Contains("secrets"));
        var edit = await admin.RbacAuthorizationV1.ReadClusterRoleAsync("edit");
        edit.Rules.Should().Contain(r => r.Resources.Contains("widgets"), "view is aggregated into edit");
        edit.Rules.Should().Contain(r => r.Resources.Contains("secrets"));
    }
}

public sealed class RbacActivationTests
{
    [Fact]
    public async Task The_rbac_catalog_entry_turns_RBAC_on_at_start()
    {
        await using var plain = await EmulatedCluster.StartAsync();
        plain.Authorizer.Should().BeOfType<ApiServer.MastersOnlyAuthorizer>("RBAC is opt-in");
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions
        {
            Controllers = ControllerCatalog.Create(RbacActivation.ControllerName),
        });
        using var admin = EmulatorClients.Admin(cluster);
        (await admin.RbacAuthorizationV1.ReadClusterRoleBindingAsync("cluster-admin")).Subjects.Should()
            .ContainSingle(s => s.Kind == "Group" && s.Name == "system:masters");
        var review = await admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "nobody", NonResourceAttributes = new V1NonResourceAttributes { Verb = "get", Path = "/version" } },
        });
        review.Status.Allowed.Should().BeFalse("nobody lacks system:authenticated in this review");
    }
}
