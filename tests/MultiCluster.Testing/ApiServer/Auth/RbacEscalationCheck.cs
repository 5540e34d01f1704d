using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// RBAC's escalation prevention, as kube-apiserver's policy-based storages of roles and bindings
/// run it (pkg/registry/rbac/*/policybased, validation.ConfirmNoEscalation): a role may grant, and
/// a binding may bind, only rights the requester already holds in that namespace (cluster-wide
/// grants only, for the cluster kinds). system:masters may always; otherwise the <c>escalate</c>
/// verb on the role, or <c>bind</c> on the bound role, lets the write through. A ClusterRole with
/// an aggregationRule needs every right (it can gather anything). Refusals are the real 403 with
/// the missing rules in the real compact form, sorted.
/// </summary>
internal sealed class RbacEscalationCheck(RbacAuthorizer rbac) : IWriteAdmission
{
    private const string Group = "rbac.authorization.k8s.io";

    private static readonly JsonObject[] FullAuthority =
    [
        new() { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") },
        new() { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") },
    ];

    public void Admit(WriteAdmissionRequest request)
    {
        if (request.Type.Group != Group || request.Type.IsCustom) return;
        var user = ClusterAuth.ToAuthUser(request.User);
        if (user.IsInGroup(AuthUser.Masters)) return;
        if (request.Live is not null && OnlyGarbageCollectionFieldsChange(request.Live, request.Object)) return;
        var ns = request.Namespace ?? "";
        switch (request.Type.Kind)
        {
            case "Role" or "ClusterRole":
                AdmitRole(request, user, ns);
                break;
            case "RoleBinding" or "ClusterRoleBinding":
                AdmitBinding(request, user, ns);
                break;
        }
    }

    private void AdmitRole(WriteAdmissionRequest request, AuthUser user, string ns)
    {
        // RoleEscalationAuthorized asks with the request's own name: empty on a create (POST to the collection).
        var name = request.Live is null ? "" : request.Name;
        if (rbac.Authorize(AccessRequest.ForResource(user, "escalate", Group, request.Type.Plural, ns, name)).Allowed) return;
        ConfirmNoEscalation(request, user, ns, RuleList(request.Object));
        if (request.Type.Kind == "ClusterRole" && (HasAggregationRule(request.Object) || HasAggregationRule(request.Live))
            && Missing(rbac.RulesFor(user, ns, []), FullAuthority).Count > 0)
            throw Forbidden(request, "must have cluster-admin privileges to use the aggregationRule");
    }

    private void AdmitBinding(WriteAdmissionRequest request, AuthUser user, string ns)
    {
        var roleRef = request.Object["roleRef"] as JsonObject;
        var kind = (string?)roleRef?["kind"] ?? "";
        var roleName = (string?)roleRef?["name"] ?? "";
        var roleResource = kind switch { "ClusterRole" => "clusterroles", "Role" => "roles", _ => "" };
        if (roleResource.Length > 0
            && rbac.Authorize(AccessRequest.ForResource(user, "bind", (string?)roleRef?["apiGroup"] ?? "", roleResource, ns, roleName)).Allowed)
            return;
        var rules = kind switch
        {
            "ClusterRole" => rbac.GetClusterRole(roleName) is { } clusterRole ? rbac.EffectiveRules(clusterRole)
                : throw Forbidden(request, $"clusterrole.rbac.authorization.k8s.io \"{roleName}\" not found"),
            "Role" => rbac.GetRole(ns, roleName) is { } role ? RuleList(role)
                : throw Forbidden(request, $"role.rbac.authorization.k8s.io \"{roleName}\" not found"),
            _ => throw Forbidden(request, $"unsupported role reference kind: \"{kind}\""),
        };
        ConfirmNoEscalation(request, user, ns, rules);
    }

    private void ConfirmNoEscalation(WriteAdmissionRequest request, AuthUser user, string ns, IReadOnlyList<JsonObject> rules)
    {
        var resolutionErrors = new List<string>();
        var missing = Missing(rbac.RulesFor(user, ns, resolutionErrors), rules);
        if (missing.Count == 0) return;
        var descriptions = Compact(missing).Select(CompactString).Distinct().Order(StringComparer.Ordinal);
        var message = $"user {GoQuote(user.Name)} (groups={GoQuote(user.Groups)}) is attempting to grant RBAC permissions not currently held:\n"
            + string.Join("\n", descriptions);
        if (resolutionErrors.Count > 0)
            // One []error holding the resolver's aggregate, printed with %v.
            message += "; resolution errors: [" + (resolutionErrors.Count == 1 ? resolutionErrors[0] : "[" + string.Join(", ", resolutionErrors) + "]") + "]";
        throw Forbidden(request, message);
    }

    /// <summary>The rules of <paramref name="wanted"/>, broken down to one verb on one thing, that no rule of <paramref name="held"/> covers.</summary>
    internal static List<JsonObject> Missing(IReadOnlyList<JsonObject> held, IReadOnlyList<JsonObject> wanted) =>
        wanted.SelectMany(Breakdown).Where(atom => !held.Any(owner => Covers(owner, atom))).ToList();

    private static IEnumerable<JsonObject> Breakdown(JsonObject rule)
    {
        var verbs = PolicyRules.Strings(rule, "verbs").ToList();
        var names = PolicyRules.Strings(rule, "resourceNames").ToList();
        foreach (var group in PolicyRules.Strings(rule, "apiGroups"))
            foreach (var resource in PolicyRules.Strings(rule, "resources"))
                foreach (var verb in verbs)
                {
                    if (names.Count == 0)
                        yield return Atom(group, resource, verb, null);
                    else
                        foreach (var name in names)
                            yield return Atom(group, resource, verb, name);
                }
        foreach (var url in PolicyRules.Strings(rule, "nonResourceURLs"))
            foreach (var verb in verbs)
                yield return new JsonObject { ["verbs"] = new JsonArray(verb), ["nonResourceURLs"] = new JsonArray(url) };
    }

    private static JsonObject Atom(string group, string resource, string verb, string? name)
    {
        var atom = new JsonObject { ["apiGroups"] = new JsonArray(group), ["resources"] = new JsonArray(resource), ["verbs"] = new JsonArray(verb) };
        if (name is not null) atom["resourceNames"] = new JsonArray(name);
        return atom;
    }

    private static bool Covers(JsonObject owner, JsonObject atom)
    {
        var ownerVerbs = PolicyRules.Strings(owner, "verbs").ToList();
        var ownerGroups = PolicyRules.Strings(owner, "apiGroups").ToList();
        var ownerNames = PolicyRules.Strings(owner, "resourceNames").ToList();
        var atomNames = PolicyRules.Strings(atom, "resourceNames").ToList();
        var verbsMatch = ownerVerbs.Contains("*") || PolicyRules.Strings(atom, "verbs").All(ownerVerbs.Contains);
        var groupsMatch = ownerGroups.Contains("*") || PolicyRules.Strings(atom, "apiGroups").All(ownerGroups.Contains);
        var namesMatch = atomNames.Count == 0 ? ownerNames.Count == 0 : ownerNames.Count == 0 || atomNames.All(ownerNames.Contains);
        return verbsMatch && groupsMatch && namesMatch
            && ResourcesCover(PolicyRules.Strings(owner, "resources").ToList(), PolicyRules.Strings(atom, "resources").ToList())
            && PolicyRules.Strings(atom, "nonResourceURLs").All(path => PolicyRules.Strings(owner, "nonResourceURLs").Any(
                url => url == path || (url.EndsWith('*') && path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal))));
    }

    private static bool ResourcesCover(List<string> owner, List<string> wanted)
    {
        if (owner.Contains("*") || wanted.All(owner.Contains)) return true;
        foreach (var path in wanted)
        {
            if (owner.Contains(path)) continue;
            var slash = path.IndexOf('/');
            if (slash < 0 || !owner.Contains("*/" + path[(slash + 1)..])) return false;
        }
        return true;
    }

    /// <summary>CompactRules: rules on one group and resource (and at most one name) gather their verbs in order.</summary>
    private static List<JsonObject> Compact(List<JsonObject> rules)
    {
        var compacted = new List<JsonObject>();
        var simple = new Dictionary<(string, string, string?), JsonObject>();
        foreach (var rule in rules)
        {
            var groups = PolicyRules.Strings(rule, "apiGroups").ToList();
            var resources = PolicyRules.Strings(rule, "resources").ToList();
            var names = PolicyRules.Strings(rule, "resourceNames").ToList();
            if (groups.Count != 1 || resources.Count != 1 || names.Count > 1 || rule["nonResourceURLs"] is not null)
            {
                compacted.Add(rule);
                continue;
            }
            var key = (groups[0], resources[0], names.Count == 1 ? names[0] : null);
            if (simple.TryGetValue(key, out var existing))
            {
                var verbs = (JsonArray)existing["verbs"]!;
                foreach (var verb in PolicyRules.Strings(rule, "verbs"))
                    if (!verbs.Any(v => (string?)v == verb)) verbs.Add(verb);
            }
            else
            {
                simple[key] = rule.DeepClone().AsObject();
            }
        }
        compacted.AddRange(simple.Values);
        return compacted;
    }

    /// <summary>rbacv1helpers.CompactString: <c>{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}</c>.</summary>
    private static string CompactString(JsonObject rule)
    {
        var parts = new List<string>();
        foreach (var (field, label) in new[] { ("apiGroups", "APIGroups"), ("resources", "Resources"), ("nonResourceURLs", "NonResourceURLs"), ("resourceNames", "ResourceNames"), ("verbs", "Verbs") })
        {
            var values = PolicyRules.Strings(rule, field).ToList();
            if (values.Count > 0) parts.Add($"{label}:{GoQuote(values)}");
        }
        return "{" + string.Join(", ", parts) + "}";
    }

    private static string GoQuote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string GoQuote(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(GoQuote)) + "]";

    private static bool HasAggregationRule(JsonObject? role) =>
        role?["aggregationRule"]?["clusterRoleSelectors"] is JsonArray { Count: > 0 };

    private static IReadOnlyList<JsonObject> RuleList(JsonObject role) =>
        role["rules"] is JsonArray rules ? rules.OfType<JsonObject>().ToList() : [];

    /// <summary>IsOnlyMutatingGCFields: owner references and finalizers may change without the check (the garbage collector's writes).</summary>
    private static bool OnlyGarbageCollectionFieldsChange(JsonObject live, JsonObject updated)
    {
        var before = live.DeepClone().AsObject();
        var after = updated.DeepClone().AsObject();
        foreach (var obj in new[] { before, after })
            if (obj["metadata"] is JsonObject meta)
                foreach (var field in new[] { "ownerReferences", "finalizers", "selfLink", "resourceVersion", "managedFields", "generation" })
                    meta.Remove(field);
        return JsonNode.DeepEquals(before, after);
    }

    private static ApiStatusException Forbidden(WriteAdmissionRequest request, string why)
    {
        var qualified = $"{request.Type.Plural}.{Group}";
        var subject = request.Name.Length > 0 ? $"{qualified} \"{request.Name}\"" : qualified;
        return ApiStatusException.Forbidden($"{subject} is forbidden: {why}", request.Name, Group, request.Type.Plural);
    }
}
