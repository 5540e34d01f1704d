using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// The kube-apiserver authorization chain as a kind/kubeadm cluster runs it: members of
/// <c>system:masters</c> are allowed everything (the privileged-groups authorizer, no reason), then
/// RBAC over the instance's own ClusterRoleBindings and, for namespaced requests, the RoleBindings
/// of that namespace. Reasons use the RBAC authorizer's wording, e.g.
/// <c>RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "view" to User "jane"</c>; a binding
/// whose role is missing adds <c>RBAC: clusterrole.rbac.authorization.k8s.io "y" not found</c> to a
/// denial's reason, as the real server does.
/// </summary>
public sealed class RbacAuthorizer(IRbacObjects objects)
{
    public AccessDecision Authorize(AccessRequest request)
    {
        if (request.User.IsInGroup(AuthUser.Masters))
            return AccessDecision.Allow("");
        var errors = new List<string>();
        foreach (var binding in objects.ClusterRoleBindings())
        {
            var subject = MatchingSubject(binding, request.User, "");
            if (subject is null)
                continue;
            var (kind, roleName) = RoleRefOf(binding);
            if (kind != "ClusterRole")
                continue;
            var rules = ClusterRoleRules(roleName, errors);
            if (rules.Any(r => PolicyRules.Allows(r, request)))
                return AccessDecision.Allow(
                    $"RBAC: allowed by ClusterRoleBinding \"{RbacObjectSet.NameOf(binding)}\" of ClusterRole \"{roleName}\" to {Describe(subject, "")}");
        }
        if (request.Namespace.Length > 0)
        {
            foreach (var binding in objects.RoleBindings(request.Namespace))
            {
                var subject = MatchingSubject(binding, request.User, request.Namespace);
                if (subject is null)
                    continue;
                var (kind, roleName) = RoleRefOf(binding);
                var rules = kind switch
                {
                    "ClusterRole" => ClusterRoleRules(roleName, errors),
                    "Role" => RoleRules(request.Namespace, roleName, errors),
                    _ => [],
                };
                if (rules.Any(r => PolicyRules.Allows(r, request)))
                    return AccessDecision.Allow(
                        $"RBAC: allowed by RoleBinding \"{RbacObjectSet.NameOf(binding)}/{request.Namespace}\" of {kind} \"{roleName}\" to {Describe(subject, request.Namespace)}");
            }
        }
        var reason = errors.Count switch
        {
            0 => "",
            1 => $"RBAC: {errors[0]}",
            _ => $"RBAC: [{string.Join(", ", errors)}]",
        };
        return AccessDecision.NoOpinion(reason);
    }

    /// <summary>
    /// Every rule granted to <paramref name="user"/> in <paramref name="namespace"/> (cluster-wide
    /// grants included), as SelfSubjectRulesReview lists them.
    /// </summary>
    public IReadOnlyList<JsonObject> RulesFor(AuthUser user, string @namespace) => RulesFor(user, @namespace, []);

    /// <summary>As <see cref="RulesFor(AuthUser, string)"/>, adding each binding's missing role to <paramref name="errors"/>.</summary>
    public IReadOnlyList<JsonObject> RulesFor(AuthUser user, string @namespace, List<string> errors)
    {
        var rules = new List<JsonObject>();
        foreach (var binding in objects.ClusterRoleBindings())
            if (MatchingSubject(binding, user, "") is not null && RoleRefOf(binding) is ("ClusterRole", var name))
                rules.AddRange(ClusterRoleRules(name, errors));
        if (@namespace.Length > 0)
            foreach (var binding in objects.RoleBindings(@namespace))
                if (MatchingSubject(binding, user, @namespace) is not null)
                    rules.AddRange(RoleRefOf(binding) switch
                    {
                        ("ClusterRole", var name) => ClusterRoleRules(name, errors),
                        ("Role", var name) => RoleRules(@namespace, name, errors),
                        _ => [],
                    });
        return rules;
    }

    private IReadOnlyList<JsonObject> ClusterRoleRules(string name, List<string> errors)
    {
        var role = objects.GetClusterRole(name);
        if (role is null)
        {
            errors.Add($"clusterrole.rbac.authorization.k8s.io \"{name}\" not found");
            return [];
        }
        return EffectiveClusterRoleRules(role, new HashSet<string>(StringComparer.Ordinal));
    }

    public JsonObject? GetClusterRole(string name) => objects.GetClusterRole(name);

    public JsonObject? GetRole(string @namespace, string name) => objects.GetRole(@namespace, name);

    /// <summary>The rules a ClusterRole grants, its aggregationRule resolved.</summary>
    public IReadOnlyList<JsonObject> EffectiveRules(JsonObject clusterRole) =>
        EffectiveClusterRoleRules(clusterRole, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>
    /// A ClusterRole with an aggregationRule holds the union of the rules of the ClusterRoles its
    /// selectors pick (what the clusterrole-aggregation controller writes into it); resolving it
    /// here keeps grants current without waiting for a controller.
    /// </summary>
    private IReadOnlyList<JsonObject> EffectiveClusterRoleRules(JsonObject role, HashSet<string> visiting)
    {
        var name = RbacObjectSet.NameOf(role);
        if (role["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors || !visiting.Add(name))
            return OwnRules(role);
        var rules = new List<JsonObject>();
        foreach (var other in objects.ClusterRoles().OrderBy(RbacObjectSet.NameOf, StringComparer.Ordinal))
        {
            if (RbacObjectSet.NameOf(other) == name)
                continue;
            var labels = other["metadata"]?["labels"] as JsonObject;
            if (selectors.OfType<JsonObject>().Any(s => JsonLabelSelector.Matches(s, labels)))
                rules.AddRange(EffectiveClusterRoleRules(other, visiting));
        }
        visiting.Remove(name);
        return rules;
    }

    private IReadOnlyList<JsonObject> RoleRules(string @namespace, string name, List<string> errors)
    {
        var role = objects.GetRole(@namespace, name);
        if (role is null)
        {
            errors.Add($"role.rbac.authorization.k8s.io \"{name}\" not found");
            return [];
        }
        return OwnRules(role);
    }

    private static IReadOnlyList<JsonObject> OwnRules(JsonObject role) =>
        role["rules"] is JsonArray rules ? rules.OfType<JsonObject>().ToList() : [];

    private static (string Kind, string Name) RoleRefOf(JsonObject binding) =>
        ((string?)binding["roleRef"]?["kind"] ?? "", (string?)binding["roleRef"]?["name"] ?? "");

    private static JsonObject? MatchingSubject(JsonObject binding, AuthUser user, string bindingNamespace)
    {
        if (binding["subjects"] is not JsonArray subjects)
            return null;
        foreach (var subject in subjects.OfType<JsonObject>())
            if (SubjectMatches(subject, user, bindingNamespace))
                return subject;
        return null;
    }

    private static bool SubjectMatches(JsonObject subject, AuthUser user, string bindingNamespace)
    {
        var name = (string?)subject["name"] ?? "";
        switch ((string?)subject["kind"])
        {
            case "User":
                return user.Name == name;
            case "Group":
                return user.IsInGroup(name);
            case "ServiceAccount":
                // A RoleBinding may leave the namespace out for its own namespace's service accounts.
                var saNamespace = (string?)subject["namespace"] is { Length: > 0 } ns ? ns : bindingNamespace;
                return saNamespace.Length > 0 && user.Name == AuthUser.ServiceAccountUserName(saNamespace, name);
            default:
                return false;
        }
    }

    private static string Describe(JsonObject subject, string bindingNamespace)
    {
        var kind = (string?)subject["kind"] ?? "";
        var name = (string?)subject["name"] ?? "";
        if (kind != "ServiceAccount")
            return $"{kind} \"{name}\"";
        var ns = (string?)subject["namespace"] is { Length: > 0 } explicitNamespace ? explicitNamespace : bindingNamespace;
        return $"{kind} \"{name}/{ns}\"";
    }
}
