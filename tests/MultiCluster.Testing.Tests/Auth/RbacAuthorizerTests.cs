using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class RbacAuthorizerTests
{
    private static readonly AuthUser Jane = new("jane", [AuthUser.Authenticated]);

    private static RbacAuthorizer With(params JsonObject[] objects) =>
        new(new RbacObjectSet(BootstrapPolicy.Objects().Select(o => o.DeepClone().AsObject()).Concat(objects)));

    private static JsonObject Role(string kind, string name, string? ns, params JsonObject[] rules)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
            metadata["namespace"] = ns;
        return new JsonObject
        {
            ["kind"] = kind, ["metadata"] = metadata,
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r).ToArray()),
        };
    }

    private static JsonObject RoleBindingTo(string ns, string name, string roleKind, string role, params JsonObject[] subjects)
    {
        var binding = BootstrapPolicy.RoleBinding(ns, name, role, subjects);
        binding["roleRef"]!["kind"] = roleKind;
        return binding;
    }

    [Fact]
    public void Masters_may_do_anything_with_no_reason()
    {
        var admin = new AuthUser("admin", [AuthUser.Masters, AuthUser.Authenticated]);
        var decision = With().Authorize(AccessRequest.ForResource(admin, "delete", "apps", "deployments", "default", "x"));
        decision.Should().Be(new AccessDecision(true, ""));
    }

    [Fact]
    public void Cluster_admin_binding_grants_everything_including_non_resource_urls()
    {
        var authorizer = With(BootstrapPolicy.ClusterRoleBinding("root", "cluster-admin", BootstrapPolicy.User("jane")));
        authorizer.Authorize(AccessRequest.ForPath(Jane, "get", "/metrics")).Allowed.Should().BeTrue();
        var decision = authorizer.Authorize(AccessRequest.ForResource(Jane, "create", "", "secrets", "kube-system"));
        decision.Should().Be(new AccessDecision(true, "RBAC: allowed by ClusterRoleBinding \"root\" of ClusterRole \"cluster-admin\" to User \"jane\""));
    }

    [Fact]
    public void Unbound_user_gets_no_opinion_with_empty_reason_but_keeps_discovery()
    {
        var authorizer = With();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "", "pods", "default")).Should().Be(new AccessDecision(false, ""));
        authorizer.Authorize(AccessRequest.ForPath(Jane, "get", "/apis/apps/v1")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForPath(Jane, "get", "/metrics")).Allowed.Should().BeFalse();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "create", "authorization.k8s.io", "selfsubjectaccessreviews"))
            .Allowed.Should().BeTrue();
    }

    [Fact]
    public void View_through_aggregation_reads_but_does_not_write_or_read_secrets()
    {
        var authorizer = With(BootstrapPolicy.ClusterRoleBinding("ro", "view", BootstrapPolicy.User("jane")));
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "apps", "deployments", "default")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "", "namespaces")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "create", "apps", "deployments", "default")).Allowed.Should().BeFalse();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "get", "", "secrets", "default", "s")).Allowed.Should().BeFalse();
    }

    [Fact]
    public void Roles_labelled_for_aggregation_flow_into_view_then_edit_as_on_a_real_server()
    {
        var widgetReader = Role("ClusterRole", "widget-reader", null,
            BootstrapPolicy.Rule(["example.com"], ["widgets"], ["get", "list"]));
        widgetReader["metadata"]!["labels"] = new JsonObject { ["rbac.authorization.k8s.io/aggregate-to-view"] = "true" };
        var gadgetAdmin = Role("ClusterRole", "gadget-admin", null,
            BootstrapPolicy.Rule(["example.com"], ["gadgets"], ["delete"]));
        gadgetAdmin["metadata"]!["labels"] = new JsonObject { ["rbac.authorization.k8s.io/aggregate-to-admin"] = "true" };
        var bob = new AuthUser("bob", []);
        var authorizer = With(widgetReader, gadgetAdmin,
            BootstrapPolicy.ClusterRoleBinding("ro", "view", BootstrapPolicy.User("jane")),
            BootstrapPolicy.ClusterRoleBinding("rw", "edit", BootstrapPolicy.User("bob")));
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "example.com", "widgets", "ns")).Allowed.Should().BeTrue();
        // view is itself labelled aggregate-to-edit, so edit picks up what view aggregates.
        authorizer.Authorize(AccessRequest.ForResource(bob, "list", "example.com", "widgets", "ns")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForResource(bob, "delete", "example.com", "gadgets", "ns", "g")).Allowed.Should().BeFalse();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "delete", "example.com", "gadgets", "ns", "g")).Allowed.Should().BeFalse();
    }

    [Fact]
    public void Namespaced_edit_binding_is_limited_to_its_namespace()
    {
        var authorizer = With(BootstrapPolicy.RoleBinding("team-a", "editors", "edit", BootstrapPolicy.User("jane")));
        var decision = authorizer.Authorize(AccessRequest.ForResource(Jane, "create", "apps", "deployments", "team-a"));
        decision.Should().Be(new AccessDecision(true,
            "RBAC: allowed by RoleBinding \"editors/team-a\" of ClusterRole \"edit\" to User \"jane\""));
        authorizer.Authorize(AccessRequest.ForResource(Jane, "create", "apps", "deployments", "team-b")).Allowed.Should().BeFalse();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "apps", "deployments")).Allowed.Should().BeFalse();
    }

    [Fact]
    public void Service_account_subjects_match_by_namespace_and_default_to_the_binding_namespace()
    {
        var sa = AuthUser.ForServiceAccount("ops", "robot");
        var role = Role("Role", "pod-reader", "ops", BootstrapPolicy.Rule([""], ["pods"], ["get"]));
        var implicitNamespace = new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "robot" };
        var authorizer = With(role, RoleBindingTo("ops", "b", "Role", "pod-reader", implicitNamespace));
        authorizer.Authorize(AccessRequest.ForResource(sa, "get", "", "pods", "ops", "p")).Should().Be(new AccessDecision(true,
            "RBAC: allowed by RoleBinding \"b/ops\" of Role \"pod-reader\" to ServiceAccount \"robot/ops\""));
        authorizer.Authorize(AccessRequest.ForResource(AuthUser.ForServiceAccount("other", "robot"), "get", "", "pods", "ops", "p"))
            .Allowed.Should().BeFalse();
    }

    [Fact]
    public void Groups_for_all_service_accounts_and_per_namespace_match()
    {
        var readNamespaces = Role("ClusterRole", "ns-reader", null, BootstrapPolicy.Rule([""], ["namespaces"], ["list"]));
        var readNodes = Role("ClusterRole", "node-reader", null, BootstrapPolicy.Rule([""], ["nodes"], ["list"]));
        var authorizer = With(readNamespaces, readNodes,
            BootstrapPolicy.ClusterRoleBinding("a", "ns-reader", BootstrapPolicy.Group("system:serviceaccounts")),
            BootstrapPolicy.ClusterRoleBinding("b", "node-reader", BootstrapPolicy.Group("system:serviceaccounts:ops")));
        var opsRobot = AuthUser.ForServiceAccount("ops", "robot");
        var devRobot = AuthUser.ForServiceAccount("dev", "robot");
        authorizer.Authorize(AccessRequest.ForResource(devRobot, "list", "", "namespaces")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForResource(opsRobot, "list", "", "nodes")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForResource(devRobot, "list", "", "nodes")).Allowed.Should().BeFalse();
    }

    [Fact]
    public void Missing_role_reference_is_reported_in_the_denial_reason()
    {
        var authorizer = With(BootstrapPolicy.ClusterRoleBinding("dangling", "no-such-role", BootstrapPolicy.User("jane")));
        authorizer.Authorize(AccessRequest.ForResource(Jane, "get", "", "pods", "default", "p"))
            .Should().Be(new AccessDecision(false, "RBAC: clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found"));
    }

    [Fact]
    public void RoleBindings_do_not_apply_to_cluster_scoped_requests_and_ClusterRoleBindings_ignore_Roles()
    {
        var role = Role("Role", "r", "ops", BootstrapPolicy.Rule(["*"], ["*"], ["*"]));
        var authorizer = With(role, RoleBindingTo("ops", "b", "Role", "r", BootstrapPolicy.User("jane")));
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "", "pods", "ops")).Allowed.Should().BeTrue();
        authorizer.Authorize(AccessRequest.ForResource(Jane, "list", "", "namespaces")).Allowed.Should().BeFalse();
    }

    [Fact]
    public void RulesFor_lists_cluster_and_namespace_grants()
    {
        var authorizer = With(BootstrapPolicy.RoleBinding("team-a", "v", "view", BootstrapPolicy.User("jane")));
        var rules = authorizer.RulesFor(Jane, "team-a");
        rules.Should().Contain(r => PolicyRules.Strings(r, "resources").Contains("deployments"));
        authorizer.RulesFor(Jane, "team-b").Should().NotContain(r => PolicyRules.Strings(r, "resources").Contains("deployments"));
    }
}
