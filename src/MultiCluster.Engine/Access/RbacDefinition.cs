using System.Collections;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>One RBAC rule; empty lists are fields the rule does not use.</summary>
public sealed record RbacRule(
    IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ResourceNames, IReadOnlyList<string> NonResourceUrls)
{
    /// <summary>Order-insensitive text, so rules compare as sets regardless of how the server orders lists.</summary>
    public string Canonical => SetsText(ApiGroups, Resources, Verbs, ResourceNames, NonResourceUrls);

    /// <summary>What the rule is about (groups, resources, names, URLs) without its verbs: two rules with one target differ only in verbs.</summary>
    public string Target => SetsText(ApiGroups, Resources, ResourceNames, NonResourceUrls);

    private static string SetsText(params IReadOnlyList<string>[] lists) =>
        string.Join(" ", lists.Select(list => "[" + string.Join(",", list.Order(StringComparer.Ordinal)) + "]"));

    public FleetRbacRule ToModel() => new()
    {
        ApiGroups = ApiGroups, Resources = Resources, Verbs = Verbs, ResourceNames = ResourceNames, NonResourceUrls = NonResourceUrls,
    };

    internal JsonObject ToJson()
    {
        var json = new JsonObject();
        void Add(string field, IReadOnlyList<string> values)
        {
            if (values.Count > 0) json[field] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
        // apiGroups may legitimately be [""] (the core group), so write it whenever resources are used.
        if (Resources.Count > 0) json["apiGroups"] = new JsonArray(ApiGroups.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        Add("resources", Resources);
        Add("verbs", Verbs);
        Add("resourceNames", ResourceNames);
        Add("nonResourceURLs", NonResourceUrls);
        return json;
    }

    internal static RbacRule FromJson(JsonObject json) => new(
        Strings(json["apiGroups"]), Strings(json["resources"]), Strings(json["verbs"]),
        Strings(json["resourceNames"]), Strings(json["nonResourceURLs"]));

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n?.GetValue<string>() ?? "").ToList() : [];
}

/// <summary>Who a binding grants the role to: Group, User or ServiceAccount (with its namespace).</summary>
public sealed record RbacSubject(string Kind, string Name, string? Namespace = null)
{
    private const string ServiceAccountUserPrefix = "system:serviceaccount:";

    /// <summary>
    /// A service account written as <c>namespace/name</c>, as its user name
    /// <c>system:serviceaccount:namespace:name</c>, or as a bare name (whose namespace the
    /// definition's namespace supplies).
    /// </summary>
    public static RbacSubject ServiceAccount(string text)
    {
        var parts = text.StartsWith(ServiceAccountUserPrefix, StringComparison.Ordinal)
            ? text[ServiceAccountUserPrefix.Length..].Split(':')
            : text.Split('/');
        return parts.Length == 2 ? new RbacSubject("ServiceAccount", parts[1], parts[0]) : new RbacSubject("ServiceAccount", text);
    }

    public override string ToString() => Kind == "ServiceAccount" ? $"{Kind}:{Namespace}/{Name}" : $"{Kind}:{Name}";
}

/// <summary>
/// A role (a ClusterRole, or a Role when <see cref="Namespace"/> is set) named <see cref="Name"/>
/// and its binding to subjects, named <see cref="BindingName"/>; or, from <see cref="Bind"/>, only a binding to a
/// ClusterRole the cluster already has (view, edit, cluster-admin). Built only through the
/// factories, which validate.
/// </summary>
public sealed class RbacDefinition
{
    public const string RbacLabel = "multicluster.io/rbac";

    /// <summary>Marks the objects of a definition set <see cref="InScope"/>; absent for Set-FleetRbac's own.</summary>
    public const string ScopeLabel = "multicluster.io/rbac-scope";
    public const string RbacApiVersion = "rbac.authorization.k8s.io/v1";
    private static readonly string[] SubjectKinds = ["Group", "User", "ServiceAccount"];

    private RbacDefinition(string name, string? ns, IReadOnlyList<RbacRule> rules, IReadOnlyList<RbacSubject> subjects, string? existingClusterRole,
        ClusterPlacement? placement, string? bindingName = null)
    {
        Name = name;
        BindingName = bindingName ?? name;
        Namespace = ns;
        Rules = rules;
        Subjects = subjects;
        ExistingClusterRole = existingClusterRole;
        Placement = placement;
    }

    public string Name { get; }

    /// <summary>
    /// The binding's name: the definition's name, except for a KubeFed binding document, which
    /// keeps its own (a FederatedClusterRoleBinding <c>developers</c> of role <c>developer</c>).
    /// </summary>
    public string BindingName { get; }

    /// <summary>Null for a ClusterRole and ClusterRoleBinding.</summary>
    public string? Namespace { get; }

    /// <summary>The role's rules; empty when the definition binds an existing ClusterRole.</summary>
    public IReadOnlyList<RbacRule> Rules { get; }

    public IReadOnlyList<RbacSubject> Subjects { get; }

    /// <summary>The ClusterRole the binding refers to when the module does not own the role; null when it does.</summary>
    public string? ExistingClusterRole { get; }

    /// <summary>Whether the module creates (and prunes) the role, or only binds one the cluster has.</summary>
    public bool ManagesRole => ExistingClusterRole is null;

    public string RoleKind => ManagesRole && Namespace is not null ? "Role" : "ClusterRole";
    public string BindingKind => Namespace is null ? "ClusterRoleBinding" : "RoleBinding";

    /// <summary>The name of the role the binding refers to.</summary>
    public string RoleName => ExistingClusterRole ?? Name;

    /// <summary>The clusters a KubeFed document places the role on (spec.placement); null when it does not say.</summary>
    public ClusterPlacement? Placement { get; }

    /// <summary>The prune scope (see <see cref="InScope"/>); null for the default one.</summary>
    public string? Scope { get; private init; }

    /// <summary>
    /// This definition in a prune scope of its own: its objects carry <see cref="ScopeLabel"/>, and
    /// only a prune of that scope removes them. Set-FleetOidc keeps its group bindings in scope
    /// "oidc", so a Set-FleetRbac -Prune that does not list them leaves them alone.
    /// </summary>
    public RbacDefinition InScope(string scope) =>
        new(Name, Namespace, Rules, Subjects, ExistingClusterRole, Placement, BindingName) { Scope = RequireName(scope, Name, "scope") };

    /// <summary>
    /// The one placement the definitions carry, or null when none carries one. Definitions placed
    /// differently cannot be set in one call (a PlacementConflict input error).
    /// </summary>
    public static ClusterPlacement? SharedPlacement(IReadOnlyList<RbacDefinition> definitions)
    {
        var placed = definitions.FirstOrDefault(d => d.Placement is not null);
        var other = definitions.FirstOrDefault(d => d.Placement?.ToString() != placed?.Placement?.ToString());
        if (other is null) return placed?.Placement;
        throw new FleetInputException(PlacementErrorIds.PlacementConflict, FleetErrorCategory.InvalidArgument, other.Name,
            $"RBAC definitions '{placed!.Name}' ({placed.Placement}) and '{other.Name}' ({other.Placement?.ToString() ?? "no placement"}) are placed differently.",
            recommendedAction: "Set documents with different spec.placement in separate calls.");
    }

    /// <summary>
    /// From parameters: rules as dictionaries (hashtables) of apiGroups, resources, verbs,
    /// resourceNames, nonResourceURLs, each a string or a list of strings.
    /// </summary>
    public static RbacDefinition Create(string? name, string? ns, IEnumerable<IDictionary> rules, IEnumerable<RbacSubject> subjects,
        string source = "(parameters)")
    {
        var checkedName = RequireObjectName(name, ns, source);
        var ruleList = rules.Select((rule, index) => ReadRule(rule, source, $"rules[{index}]")).ToList();
        return Validate(checkedName, string.IsNullOrWhiteSpace(ns) ? null : ns, ruleList, subjects.ToList(), source);
    }

    /// <summary>
    /// A binding named <paramref name="name"/> of an existing ClusterRole to subjects: a
    /// ClusterRoleBinding, or with <paramref name="ns"/> a RoleBinding that grants the ClusterRole's
    /// rules in that namespace only. The module manages the binding, never the role.
    /// </summary>
    public static RbacDefinition Bind(string? name, string? ns, string? clusterRole, IEnumerable<RbacSubject> subjects,
        string source = "(parameters)")
    {
        var checkedName = RequireObjectName(name, ns, source);
        var role = RequireName(clusterRole, source, "clusterRole");
        return Validate(checkedName, string.IsNullOrWhiteSpace(ns) ? null : ns, [], subjects.ToList(), source, existingClusterRole: role);
    }

    private static readonly string[] KubeFedRbacKinds = ["FederatedClusterRole", "FederatedClusterRoleBinding", "FederatedRole", "FederatedRoleBinding"];

    /// <summary>
    /// From KubeFed documents: each FederatedClusterRole (or namespaced FederatedRole) with the
    /// FederatedClusterRoleBinding (FederatedRoleBinding) whose roleRef names it; a binding whose
    /// role is not among the documents binds that existing ClusterRole. Every object keeps its
    /// document's own name and namespace, as KubeFed gives it, whatever role a binding refers to.
    /// Other kinds are input errors.
    /// </summary>
    public static IReadOnlyList<RbacDefinition> FromKubeFed(IReadOnlyList<KubeObject> documents)
    {
        var roles = new List<KubeObject>();
        var bindings = new Dictionary<(string? Namespace, string Kind, string Name), KubeObject>();
        foreach (var doc in documents)
        {
            var where = Describe(doc);
            if (!KubeFedRbacKinds.Contains(doc.Kind, StringComparer.Ordinal))
                throw Invalid(where, "kind", $"'{doc.Kind}' is not {string.Join(", ", KubeFedRbacKinds[..^1])} or {KubeFedRbacKinds[^1]}");
            var namespaced = doc.Kind is "FederatedRole" or "FederatedRoleBinding";
            if (namespaced && string.IsNullOrWhiteSpace(doc.Namespace)) throw Invalid(where, "metadata.namespace", "is missing (a " + doc.Kind + " is namespaced)");
            if (!doc.Kind.EndsWith("Binding", StringComparison.Ordinal))
            {
                roles.Add(doc);
                continue;
            }
            var roleRef = doc.Json["spec"]?["template"]?["roleRef"] as JsonObject;
            var roleName = RequireName(roleRef?["name"]?.GetValue<string>(), where, "spec.template.roleRef.name");
            var refKind = roleRef?["kind"]?.GetValue<string>() ?? (namespaced ? "Role" : "ClusterRole");
            if (refKind != "ClusterRole" && !(namespaced && refKind == "Role"))
                throw Invalid(where, "spec.template.roleRef.kind", $"must be {(namespaced ? "Role or ClusterRole" : "ClusterRole")}, not '{refKind}'");
            if (!bindings.TryAdd((namespaced ? doc.Namespace : null, refKind, roleName), doc))
                throw Invalid(where, "spec.template.roleRef.name", $"{refKind} '{roleName}' is bound twice");
        }

        var definitions = new List<RbacDefinition>();
        foreach (var role in roles)
        {
            var where = Describe(role);
            var name = RequireName(role.Metadata?["name"]?.GetValue<string>(), where, "metadata.name");
            var ns = role.Kind == "FederatedRole" ? role.Namespace : null;
            var ruleNodes = role.Json["spec"]?["template"]?["rules"] as JsonArray ?? [];
            var rules = ruleNodes.Select((node, index) => node is JsonObject json
                ? RbacRule.FromJson(json)
                : throw Invalid(where, $"spec.template.rules[{index}]", "is not a rule object")).ToList();
            var placement = ReadPlacement(role, where);
            var subjects = new List<RbacSubject>();
            var bindingName = name;
            if (bindings.Remove((ns, ns is null ? "ClusterRole" : "Role", name), out var binding))
            {
                if (ReadPlacement(binding, Describe(binding)) is { } bindingPlacement && bindingPlacement.ToString() != placement?.ToString())
                {
                    throw Invalid(Describe(binding), "spec.placement", $"places the binding ({bindingPlacement}) elsewhere than its role ({placement?.ToString() ?? "no placement"})");
                }
                subjects.AddRange(ReadSubjects(binding));
                bindingName = RequireName(binding.Metadata?["name"]?.GetValue<string>(), Describe(binding), "metadata.name");
                where = $"{where} and {Describe(binding)}";
            }
            definitions.Add(Validate(name, ns, rules, subjects, where, "spec.template.rules", "spec.template.subjects", placement: placement, bindingName: bindingName));
        }

        // Bindings left refer to a role the documents do not define: a ClusterRole the clusters
        // already have (view, edit) is bound as it is; a Role cannot be, since the module only
        // binds existing ClusterRoles.
        foreach (var ((ns, refKind, roleName), binding) in bindings)
        {
            var where = Describe(binding);
            if (refKind == "Role")
                throw Invalid(where, "spec.template.roleRef.name", $"names Role '{roleName}', which is not among the FederatedRole documents in namespace '{ns}'");
            var name = RequireName(binding.Metadata?["name"]?.GetValue<string>(), where, "metadata.name");
            definitions.Add(Validate(name, ns, [], ReadSubjects(binding).ToList(), where, subjectsPath: "spec.template.subjects",
                existingClusterRole: roleName, placement: ReadPlacement(binding, where)));
        }
        return definitions;
    }

    private static IEnumerable<RbacSubject> ReadSubjects(KubeObject binding) =>
        (binding.Json["spec"]?["template"]?["subjects"] as JsonArray ?? []).Select(node => new RbacSubject(
            node?["kind"]?.GetValue<string>() ?? "", node?["name"]?.GetValue<string>() ?? "", node?["namespace"]?.GetValue<string>()));

    /// <summary>The role (when the module manages it) and binding as rbac.authorization.k8s.io/v1 objects, labelled as this module's.</summary>
    public IReadOnlyList<KubeObject> Render() => ManagesRole ? [RenderRole(), RenderBinding()] : [RenderBinding()];

    internal KubeObject RenderRole()
    {
        var role = NewObject(RoleKind, Name);
        role.Json["rules"] = new JsonArray(Rules.Select(r => (JsonNode?)r.ToJson()).ToArray());
        return role;
    }

    internal KubeObject RenderBinding()
    {
        var binding = NewObject(BindingKind, BindingName);
        binding.Json["subjects"] = new JsonArray(Subjects.Select(s =>
        {
            var json = new JsonObject { ["kind"] = s.Kind, ["name"] = s.Name };
            if (s.Kind == "ServiceAccount") json["namespace"] = s.Namespace;
            else json["apiGroup"] = "rbac.authorization.k8s.io";
            return (JsonNode?)json;
        }).ToArray());
        binding.Json["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = RoleKind, ["name"] = RoleName };
        return binding;
    }

    private KubeObject NewObject(string kind, string name)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (Namespace is not null) metadata["namespace"] = Namespace;
        var obj = new KubeObject(new JsonObject { ["apiVersion"] = RbacApiVersion, ["kind"] = kind, ["metadata"] = metadata });
        obj.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        obj.SetLabel(RbacLabel, Name);
        if (Scope is not null) obj.SetLabel(ScopeLabel, Scope);
        return obj;
    }

    private static RbacDefinition Validate(string name, string? ns, List<RbacRule> rules, List<RbacSubject> subjects, string source,
        string rulesPath = "rules", string subjectsPath = "subjects", string? existingClusterRole = null, ClusterPlacement? placement = null,
        string? bindingName = null)
    {
        if (rules.Count == 0 && existingClusterRole is null) throw Invalid(source, rulesPath, "holds no rules");
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var field = $"{rulesPath}[{i}]";
            if (rule.Verbs.Count == 0 || rule.Verbs.Any(string.IsNullOrWhiteSpace)) throw Invalid(source, field + ".verbs", "is empty");
            if (rule.Resources.Count == 0 && rule.NonResourceUrls.Count == 0)
            {
                throw Invalid(source, field, "names neither resources nor nonResourceURLs");
            }
            if (rule.Resources.Count > 0 && rule.ApiGroups.Count == 0) throw Invalid(source, field + ".apiGroups", "is empty (use \"\" for the core group)");
            if (rule.NonResourceUrls.Count > 0 && ns is not null) throw Invalid(source, field + ".nonResourceURLs", "is only valid in a cluster-wide role");
        }

        var normalized = new List<RbacSubject>();
        for (var i = 0; i < subjects.Count; i++)
        {
            var subject = subjects[i];
            var field = $"{subjectsPath}[{i}]";
            var kind = SubjectKinds.FirstOrDefault(k => string.Equals(k, subject.Kind, StringComparison.OrdinalIgnoreCase))
                       ?? throw Invalid(source, field + ".kind", $"'{subject.Kind}' is not Group, User or ServiceAccount");
            RequireName(subject.Name, source, field + ".name");
            if (kind == "ServiceAccount" && subject.Name.IndexOfAny(['/', ':']) >= 0)
            {
                throw Invalid(source, field + ".name", $"'{subject.Name}' is not a service account name (write namespace/name)");
            }
            var subjectNamespace = kind == "ServiceAccount" ? subject.Namespace ?? ns : null;
            if (kind == "ServiceAccount" && string.IsNullOrWhiteSpace(subjectNamespace))
            {
                throw Invalid(source, field + ".namespace", "is required for a ServiceAccount bound cluster-wide");
            }
            normalized.Add(new RbacSubject(kind, subject.Name, subjectNamespace));
        }
        if (normalized.Count == 0) throw Invalid(source, subjectsPath, "holds no subjects to bind the role to");
        return new RbacDefinition(name, ns, rules, normalized.Distinct().ToList(), existingClusterRole, placement, bindingName);
    }

    private static readonly string[] RuleFields = ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"];

    private static RbacRule ReadRule(IDictionary rule, string source, string path)
    {
        if (rule.Count == 0) throw Invalid(source, path, "is empty (give apiGroups, resources and verbs)");
        var fields = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in rule)
        {
            var key = entry.Key?.ToString() ?? "";
            var field = RuleFields.FirstOrDefault(f => f.Equals(key, StringComparison.OrdinalIgnoreCase))
                        ?? throw Invalid(source, $"{path}.{key}", "is not apiGroups, resources, verbs, resourceNames or nonResourceURLs");
            fields[field] = entry.Value switch
            {
                null => [],
                string text => [text],
                IEnumerable values => values.Cast<object?>().Select(v => v?.ToString() ?? "").ToList(),
                var other => [other.ToString() ?? ""],
            };
        }
        IReadOnlyList<string> Field(string key) => fields.TryGetValue(key, out var value) ? value : [];
        return new RbacRule(Field("apiGroups"), Field("resources"), Field("verbs"), Field("resourceNames"), Field("nonResourceURLs"));
    }

    // KubeFed's spec.placement, read as workloads read it; a placement that names nothing is refused
    // rather than taken as "everywhere", since a role is a grant.
    private static ClusterPlacement? ReadPlacement(KubeObject doc, string where)
    {
        if (doc.Json["spec"] is not JsonObject spec || spec["placement"] is null) return null;
        var placement = KubeFedPlacementReader.Read(spec, where);
        return placement.IsEmpty ? throw Invalid(where, "spec.placement", "names no cluster") : placement;
    }

    // The name names the role and binding (RBAC takes any path segment) and is the value of RbacLabel, which
    // is the stricter rule; the namespace must be a namespace name. Checked here so no refused request is sent.
    private static string RequireObjectName(string? name, string? ns, string source)
    {
        var checkedName = RequireName(name, source, "name");
        if (Inventory.LabelRules.ValueProblem(checkedName) is { } problem)
            throw Invalid(source, "name", $"'{checkedName}' is not usable: it becomes the {RbacLabel} label's value, and {problem}");
        if (!string.IsNullOrWhiteSpace(ns) && Resources.KubernetesNames.DnsLabelProblem(ns) is { } nsProblem)
            throw Invalid(source, "namespace", $"'{ns}' {nsProblem}");
        return checkedName;
    }

    private static string RequireName(string? name, string source, string field) =>
        string.IsNullOrWhiteSpace(name) ? throw Invalid(source, field, "is missing") : name;

    private static FleetInputException Invalid(string source, string field, string problem) =>
        new(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, source, $"RBAC input {source}: {field} {problem}.");

    private static string Describe(KubeObject doc) =>
        $"{doc.Kind} '{doc.Metadata?["name"]?.GetValue<string>() ?? "(no name)"}'" + (doc.Origin is { } origin ? $" ({origin})" : "");
}
