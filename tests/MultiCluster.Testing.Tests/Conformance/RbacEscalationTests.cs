using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// RBAC's escalation prevention (pkg/registry/rbac: role and binding storage): a role may grant, and a
/// binding may bind, only rights the requester holds, unless it holds escalate (roles) or bind (the
/// bound role). The requester is a ServiceAccount of the test namespace, reached by impersonation.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class RbacEscalationTests
{
    private const string Rbac = "rbac.authorization.k8s.io";

    private sealed record Requester(ConformanceTarget Target, string User, string Groups);

    /// <summary>A ServiceAccount "manager" that may create and read roles and bindings and read config maps in the namespace.</summary>
    private static async Task<Requester> ManagerAsync(ConformanceTarget t)
    {
        (await t.SendAsync(HttpMethod.Post, t.PathOf("", "v1", "serviceaccounts"),
            """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"manager"}}""")).ShouldHaveCode(201);
        await CreateRoleAsync(t, "role-manager", Rule("rbac.authorization.k8s.io", "roles", "rolebindings", ["get", "list", "create", "update", "patch"]),
            Rule("", "configmaps", null, ["get", "list"]));
        await BindAsync(t, "manager-manages", "Role", "role-manager");
        // Impersonating a service account's user name gives its groups (the impersonation filter), then system:authenticated.
        return new Requester(t, $"system:serviceaccount:{t.Namespace}:manager",
            $"[\"system:serviceaccounts\" \"system:serviceaccounts:{t.Namespace}\" \"system:authenticated\"]");
    }

    private static JsonObject Rule(string group, string resource, string? resource2, string[] verbs, string? resourceName = null)
    {
        var rule = new JsonObject
        {
            ["apiGroups"] = new JsonArray(group),
            ["resources"] = resource2 is null ? new JsonArray(resource) : new JsonArray(resource, resource2),
            ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray()),
        };
        if (resourceName is not null) rule["resourceNames"] = new JsonArray(resourceName);
        return rule;
    }

    private static string RoleBody(string name, params JsonObject[] rules) => new JsonObject
    {
        ["apiVersion"] = $"{Rbac}/v1", ["kind"] = "Role", ["metadata"] = new JsonObject { ["name"] = name },
        ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r.DeepClone()).ToArray()),
    }.ToJsonString();

    private static string BindingBody(string name, string roleKind, string roleName, string serviceAccount, string ns) => new JsonObject
    {
        ["apiVersion"] = $"{Rbac}/v1", ["kind"] = "RoleBinding", ["metadata"] = new JsonObject { ["name"] = name },
        ["roleRef"] = new JsonObject { ["apiGroup"] = Rbac, ["kind"] = roleKind, ["name"] = roleName },
        ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = serviceAccount, ["namespace"] = ns }),
    }.ToJsonString();

    private static async Task CreateRoleAsync(ConformanceTarget t, string name, params JsonObject[] rules) =>
        (await t.SendAsync(HttpMethod.Post, t.PathOf(Rbac, "v1", "roles"), RoleBody(name, rules))).ShouldHaveCode(201);

    private static async Task BindAsync(ConformanceTarget t, string name, string roleKind, string roleName) =>
        (await t.SendAsync(HttpMethod.Post, t.PathOf(Rbac, "v1", "rolebindings"), BindingBody(name, roleKind, roleName, "manager", t.Namespace))).ShouldHaveCode(201);

    private static Task<ApiResponse> CreateRoleAsAsync(Requester r, string name, params JsonObject[] rules) =>
        r.Target.SendAsync(HttpMethod.Post, r.Target.PathOf(Rbac, "v1", "roles"), RoleBody(name, rules), impersonate: r.User);

    private static Task<ApiResponse> BindAsAsync(Requester r, string name, string roleKind, string roleName) =>
        r.Target.SendAsync(HttpMethod.Post, r.Target.PathOf(Rbac, "v1", "rolebindings"), BindingBody(name, roleKind, roleName, "helper", r.Target.Namespace),
            impersonate: r.User);

    // pkg/registry/rbac/validation/rule.go ConfirmNoEscalation: "user %q (groups=%q) is attempting to grant
    // RBAC permissions not currently held:\n" then each missing rule compacted (rbacv1helpers.CompactString),
    // inside NewForbidden's "RESOURCE.GROUP \"NAME\" is forbidden: ".
    private static string NotHeld(Requester r, string resource, string name) =>
        $"{resource}.{Rbac} \"{name}\" is forbidden: user \"{r.User}\" (groups={r.Groups}) is attempting to grant RBAC permissions not currently held:\n";

    [ConformanceTheory]
    public async Task Creating_a_role_with_rights_the_requester_lacks_is_403_naming_the_missing_rules(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var manager = await ManagerAsync(t);

        (await CreateRoleAsAsync(manager, "cm-reader", Rule("", "configmaps", null, ["get"]))).ShouldHaveCode(201);
        var message = (await CreateRoleAsAsync(manager, "cm-deleter", Rule("", "configmaps", null, ["get", "delete"]))).ShouldBeStatus(403, "Forbidden");

        message.Should().StartWith(NotHeld(manager, "roles", "cm-deleter"))
            .And.Contain("{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"delete\"]}");
        (await t.SendAsync(HttpMethod.Get, t.PathOf(Rbac, "v1", "roles", "cm-deleter"))).ShouldBeStatus(404, "NotFound");
    }

    [ConformanceTheory]
    public async Task Adding_a_right_the_requester_lacks_to_an_existing_role_is_403_and_leaves_it_unchanged(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var manager = await ManagerAsync(t);
        (await CreateRoleAsAsync(manager, "cm-reader", Rule("", "configmaps", null, ["get"]))).ShouldHaveCode(201);

        var message = (await t.SendAsync(HttpMethod.Patch, t.PathOf(Rbac, "v1", "roles", "cm-reader"),
            """{"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","delete"]}]}""", "application/merge-patch+json",
            impersonate: manager.User)).ShouldBeStatus(403, "Forbidden");

        message.Should().StartWith(NotHeld(manager, "roles", "cm-reader")).And.Contain("Verbs:[\"delete\"]");
        var verbs = (await t.SendAsync(HttpMethod.Get, t.PathOf(Rbac, "v1", "roles", "cm-reader"))).Object["rules"]![0]!["verbs"]!.AsArray();
        verbs.Select(v => v!.GetValue<string>()).Should().Equal("get");
    }

    [ConformanceTheory]
    public async Task The_escalate_verb_on_roles_lets_the_requester_grant_rights_it_lacks(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var manager = await ManagerAsync(t);
        await CreateRoleAsync(t, "escalator", Rule(Rbac, "roles", null, ["escalate"]));
        await BindAsync(t, "manager-escalates", "Role", "escalator");

        var created = (await CreateRoleAsAsync(manager, "cm-deleter", Rule("", "configmaps", null, ["delete"]))).ShouldHaveCode(201);

        created.Object["rules"]![0]!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("delete");
    }

    [ConformanceTheory]
    public async Task Binding_a_role_with_rights_the_requester_lacks_is_403_until_it_holds_bind_on_that_role(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var manager = await ManagerAsync(t);

        // "edit" is a bootstrap ClusterRole of every cluster (plugin/pkg/auth/authorizer/rbac/bootstrappolicy).
        var message = (await BindAsAsync(manager, "helper-edits", "ClusterRole", "edit")).ShouldBeStatus(403, "Forbidden");
        message.Should().StartWith(NotHeld(manager, "rolebindings", "helper-edits"));

        await CreateRoleAsync(t, "edit-binder", Rule(Rbac, "clusterroles", null, ["bind"], resourceName: "edit"));
        await BindAsync(t, "manager-binds-edit", "Role", "edit-binder");

        (await BindAsAsync(manager, "helper-edits", "ClusterRole", "edit")).ShouldHaveCode(201).StringAt("roleRef", "name").Should().Be("edit");
    }

    [ConformanceTheory]
    public async Task Binding_a_role_within_the_requesters_rights_is_allowed(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var manager = await ManagerAsync(t);
        await CreateRoleAsync(t, "cm-reader", Rule("", "configmaps", null, ["get"]));

        (await BindAsAsync(manager, "helper-reads", "Role", "cm-reader")).ShouldHaveCode(201);
    }
}
