using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>
/// Keeps RBAC definitions on the fleet: applies their roles and bindings through
/// <see cref="ApplyService"/>, prunes the module's own RBAC objects no longer wanted through
/// <see cref="DeleteService"/> (and its circuit breaker), and reports grants and drift.
/// Objects without the module's labels are never read as managed, so never pruned.
/// </summary>
public sealed class RbacService
{
    private static readonly string ManagedSelector = $"{KubeObject.ManagedByLabel}={KubeObject.ManagedByValue},{RbacDefinition.RbacLabel}";

    private static readonly ResourceType ClusterRoleType = new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false);
    private static readonly ResourceType RoleType = new("rbac.authorization.k8s.io", "v1", "Role", "roles", true);
    private static readonly ResourceType ClusterRoleBindingType = new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false);
    private static readonly ResourceType RoleBindingType = new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true);

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly ApplyService _apply;
    private readonly DeleteService _delete;

    public RbacService(IClusterConnector connector) : this(connector, null) { }

    internal RbacService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _apply = new ApplyService(connector, apiFactory);
        _delete = new DeleteService(connector, apiFactory);
    }

    /// <summary>The (cluster, object) targets of setting the definitions; contacts no cluster.</summary>
    public IReadOnlyList<FleetTarget> Plan(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<RbacDefinition> definitions)
    {
        var duplicate = definitions.GroupBy(d => (d.Name, d.Namespace)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, duplicate.Key.Name,
                $"RBAC definition '{duplicate.Key.Name}' is given more than once.");
        }
        return _apply.Plan(clusters, definitions.SelectMany(d => d.Render()).ToList());
    }

    /// <summary>
    /// Applies (or with WhatIf previews) the confirmed targets of <see cref="Plan"/>. The module
    /// owns its roles and bindings, so it takes back fields a hand edit took (that edit is drift).
    /// </summary>
    public IAsyncEnumerable<FleetResourceResult> ApplyAsync(IEnumerable<FleetTarget> targets, ApplyOptions options,
        CancellationToken cancellationToken = default) =>
        _apply.ApplyAsync(targets, options with { ForceConflicts = true }, cancellationToken);

    /// <summary>
    /// Plans and applies in one call, for callers with nothing to confirm per target (Set-FleetOidc
    /// binding its groups): every role and binding of every definition on every cluster.
    /// </summary>
    public IAsyncEnumerable<FleetResourceResult> SetAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<RbacDefinition> definitions,
        ApplyOptions options, CancellationToken cancellationToken = default) =>
        ApplyAsync(Plan(clusters, definitions), options, cancellationToken);

    /// <summary>
    /// Plans removing the module's RBAC objects of one prune <paramref name="scope"/> (null: the
    /// default one, objects without <see cref="RbacDefinition.ScopeLabel"/>) that no definition
    /// wants: bindings and roles labelled as managed by this module, whatever their name. The delete
    /// circuit breaker counts the clusters of all of them together.
    /// </summary>
    public async Task<DeletePlan> PlanPruneAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<RbacDefinition> definitions,
        DeleteOptions options, string? scope = null, CancellationToken cancellationToken = default)
    {
        var wanted = definitions.SelectMany(d => d.Render()).Select(o => (o.Kind, o.Namespace, o.Name)).ToHashSet();
        var targets = new List<FleetTarget>();
        var known = new List<FleetResourceResult>();
        // Bindings first: removing a role before its binding would leave a binding to nothing.
        foreach (var type in new[] { ClusterRoleBindingType, RoleBindingType, ClusterRoleType, RoleType })
        {
            var query = new ResourceQuery { ApiVersion = type.ApiVersion, Kind = type.Kind, AllNamespaces = type.Namespaced, LabelSelector = ManagedSelector };
            var found = await _delete.PlanAsync(clusters, query, options.Unlimited(), cancellationToken).ConfigureAwait(false);
            targets.AddRange(found.Targets.Where(t => !wanted.Contains((t.Object.Kind, t.Object.Namespace, t.Object.Name)) && IsManaged(t.Object)
                && t.Object.Labels.GetValueOrDefault(RbacDefinition.ScopeLabel) == scope));
            known.AddRange(found.KnownResults.Where(r => r.Action == FleetResourceAction.Failed));
        }
        var plan = new DeletePlan(targets, known);
        DeleteService.CheckCircuitBreaker(plan, clusters.Count, options, "unwanted managed RBAC objects");
        return plan;
    }

    /// <summary>
    /// Bindings an earlier version created under a name the definitions no longer give them: the
    /// module's bindings labelled for a definition whose binding now has another name (before
    /// KubeFed bindings kept their own names, a FederatedClusterRoleBinding <c>developers</c> of
    /// role <c>developer</c> was created as <c>developer</c>). Found by their labels, only
    /// reported: -Prune removes them like any unwanted object, nothing removes them silently.
    /// A cluster that cannot be read is left out; applying reports its error.
    /// </summary>
    public async Task<IReadOnlyList<FleetTarget>> FindMisnamedBindingsAsync(IReadOnlyList<FleetCluster> clusters,
        IReadOnlyList<RbacDefinition> definitions, DeleteOptions options, string? scope = null, CancellationToken cancellationToken = default)
    {
        var renamed = definitions.Where(d => d.BindingName != d.Name).ToList();
        if (renamed.Count == 0) return [];
        var wanted = definitions.SelectMany(d => d.Render()).Select(o => (o.Kind, o.Namespace, o.Name)).ToHashSet();
        var found = new List<FleetTarget>();
        foreach (var type in new[] { ClusterRoleBindingType, RoleBindingType })
        {
            var query = new ResourceQuery { ApiVersion = type.ApiVersion, Kind = type.Kind, AllNamespaces = type.Namespaced, LabelSelector = ManagedSelector };
            var plan = await _delete.PlanAsync(clusters, query, options.Unlimited(), cancellationToken).ConfigureAwait(false);
            found.AddRange(plan.Targets.Where(t => IsManaged(t.Object)
                && !wanted.Contains((t.Object.Kind, t.Object.Namespace, t.Object.Name))
                && t.Object.Labels.GetValueOrDefault(RbacDefinition.ScopeLabel) == scope
                && renamed.Any(d => d.BindingKind == t.Object.Kind && d.Namespace == t.Object.Namespace
                                    && t.Object.Labels[RbacDefinition.RbacLabel] == d.Name)));
        }
        return found;
    }

    /// <summary>Deletes (or with WhatIf previews deleting) the confirmed prune targets.</summary>
    public IAsyncEnumerable<FleetResourceResult> PruneAsync(IEnumerable<FleetTarget> targets, DeleteOptions options,
        CancellationToken cancellationToken = default) =>
        _delete.DeleteAsync(targets, options, cancellationToken);

    /// <summary>
    /// Per cluster, what each role this module manages grants, and to whom; and for each managed
    /// binding of a role the module does not manage (see <see cref="RbacDefinition.Bind"/>), that
    /// role's rules as the cluster holds them (none when it is absent).
    /// </summary>
    public IAsyncEnumerable<FleetOutcome<FleetRbacGrant>> GetAsync(IReadOnlyList<FleetCluster> clusters, FanOutOptions options,
        CancellationToken cancellationToken = default) =>
        FleetRunner.RunAsync<FleetOutcome<FleetRbacGrant>>(
            clusters,
            options with { Activity = "Reading managed RBAC" },
            async (cluster, sink, token) =>
            {
                var client = ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;
                var bindings = (await client.ListAsync(ClusterRoleBindingType, null, ManagedSelector, token).ConfigureAwait(false))
                    .Concat(await client.ListAsync(RoleBindingType, null, ManagedSelector, token).ConfigureAwait(false))
                    .Where(IsManaged).ToList();
                var roles = (await client.ListAsync(ClusterRoleType, null, ManagedSelector, token).ConfigureAwait(false))
                    .Concat(await client.ListAsync(RoleType, null, ManagedSelector, token).ConfigureAwait(false))
                    .Where(IsManaged).ToList();
                FleetRbacGrant Grant(string rbac, string roleKind, string? ns, string roleName, IEnumerable<RbacRule> rules, IEnumerable<KubeObject> grantingBindings) => new()
                {
                    Cluster = cluster.Name,
                    Rbac = rbac,
                    RoleKind = roleKind,
                    Namespace = ns,
                    RoleName = roleName,
                    Rules = rules.Select(r => r.ToModel()).ToList(),
                    Subjects = grantingBindings.SelectMany(Subjects).Select(s => s.ToString()).Distinct().ToList(),
                };
                foreach (var role in roles.OrderBy(r => r.Namespace).ThenBy(r => r.Name, StringComparer.Ordinal))
                {
                    var grant = Grant(role.Labels[RbacDefinition.RbacLabel], role.Kind, role.Namespace, role.Name, Rules(role), bindings.Where(b => BindsRole(b, role)));
                    sink.Emit(FleetOutcome<FleetRbacGrant>.Success(cluster.Name, grant));
                }
                foreach (var binding in bindings.Where(b => !roles.Any(r => BindsRole(b, r))).OrderBy(b => b.Namespace).ThenBy(b => b.Name, StringComparer.Ordinal))
                {
                    var (refKind, refName) = (RoleRefKind(binding), RoleRefName(binding));
                    var referenced = refKind == "ClusterRole" ? await client.GetAsync(ClusterRoleType, null, refName, token).ConfigureAwait(false) : null;
                    var grant = Grant(binding.Labels[RbacDefinition.RbacLabel], refKind, binding.Namespace, refName,
                        referenced is null ? [] : Rules(referenced), [binding]);
                    sink.Emit(FleetOutcome<FleetRbacGrant>.Success(cluster.Name, grant));
                }
            },
            (cluster, error, _) => [FleetOutcome<FleetRbacGrant>.Failure(cluster.Name, error)],
            cancellationToken);

    /// <summary>
    /// Per cluster and definition, how the cluster differs: missing role or binding, missing or
    /// extra rules (a changed rule is both), missing or extra subjects. A cluster that cannot be
    /// read yields Unknown per definition.
    /// </summary>
    public IAsyncEnumerable<FleetRbacDrift> TestAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<RbacDefinition> definitions,
        FanOutOptions options, CancellationToken cancellationToken = default) =>
        FleetRunner.RunAsync<FleetRbacDrift>(
            clusters,
            options with { Activity = "Comparing RBAC" },
            async (cluster, sink, token) =>
            {
                var client = ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;
                foreach (var definition in definitions)
                {
                    foreach (var drift in await CompareAsync(client, cluster.Name, definition, token).ConfigureAwait(false)) sink.Emit(drift);
                }
            },
            (cluster, error, emitted) => definitions
                .Where(d => !emitted.Any(e => e.Rbac == d.Name && e.Namespace == d.Namespace))
                .Select(d => new FleetRbacDrift
                {
                    Cluster = cluster.Name, Rbac = d.Name, Namespace = d.Namespace, DriftType = FleetRbacDriftType.Unknown,
                    Message = error.Message, Error = error,
                }),
            cancellationToken);

    private static async Task<IReadOnlyList<FleetRbacDrift>> CompareAsync(ResourceClient client, string cluster, RbacDefinition definition,
        CancellationToken cancellationToken)
    {
        var drifts = new List<FleetRbacDrift>();
        void Add(FleetRbacDriftType type, string kind, string? detail, string? expected, string? actual, string message) => drifts.Add(new FleetRbacDrift
        {
            Cluster = cluster, Rbac = definition.Name, Namespace = definition.Namespace, DriftType = type, Kind = kind,
            Detail = detail, Expected = expected, Actual = actual, Message = message,
        });

        var roleKind = definition.RoleKind;
        var bindingKind = definition.BindingKind;
        var role = roleKind == "Role"
            ? await client.GetAsync(RoleType, definition.Namespace, definition.RoleName, cancellationToken).ConfigureAwait(false)
            : await client.GetAsync(ClusterRoleType, null, definition.RoleName, cancellationToken).ConfigureAwait(false);
        var binding = await client.GetAsync(definition.Namespace is null ? ClusterRoleBindingType : RoleBindingType, definition.Namespace,
            definition.BindingName, cancellationToken).ConfigureAwait(false);

        if (role is null)
        {
            Add(FleetRbacDriftType.MissingRole, roleKind, null, definition.RoleName, null, $"{roleKind} {definition.RoleName} is not on the cluster.");
        }
        else if (definition.ManagesRole)
        {
            var held = Rules(role).DistinctBy(r => r.Canonical).ToList();
            var missing = definition.Rules.Where(w => !held.Any(h => h.Canonical == w.Canonical)).ToList();
            var extra = held.Where(h => !definition.Rules.Any(w => w.Canonical == h.Canonical)).ToList();
            // A wanted and a held rule on the same target (and the only ones there) are one changed rule, not two drifts.
            foreach (var wanted in missing.ToList())
            {
                var sameTarget = extra.Where(h => h.Target == wanted.Target).ToList();
                if (sameTarget.Count != 1 || missing.Count(m => m.Target == wanted.Target) != 1) continue;
                var actual = sameTarget[0];
                missing.Remove(wanted);
                extra.Remove(actual);
                var (expectedText, actualText) = (wanted.ToModel().ToString(), actual.ToModel().ToString());
                Add(FleetRbacDriftType.ChangedRule, roleKind, expectedText, expectedText, actualText,
                    $"{roleKind} {definition.Name} holds rule {actualText} where the definition says {expectedText}.");
            }
            foreach (var rule in missing)
            {
                var text = rule.ToModel().ToString();
                Add(FleetRbacDriftType.MissingRule, roleKind, text, text, null, $"{roleKind} {definition.Name} lacks rule {text}.");
            }
            foreach (var rule in extra)
            {
                var text = rule.ToModel().ToString();
                Add(FleetRbacDriftType.ExtraRule, roleKind, text, null, text, $"{roleKind} {definition.Name} holds rule {text}, which the definition does not.");
            }
        }

        if (binding is null)
        {
            Add(FleetRbacDriftType.MissingBinding, bindingKind, null, definition.BindingName, null, $"{bindingKind} {definition.BindingName} is not on the cluster.");
            return drifts;
        }
        var heldRef = $"{RoleRefKind(binding)}/{RoleRefName(binding)}";
        var wantedRef = $"{roleKind}/{definition.RoleName}";
        if (heldRef != wantedRef)
        {
            Add(FleetRbacDriftType.ChangedRoleRef, bindingKind, wantedRef, wantedRef, heldRef, $"{bindingKind} {definition.BindingName} refers to {heldRef}, not {wantedRef}.");
        }
        var heldSubjects = Subjects(binding).Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);
        var wantedSubjects = definition.Subjects.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var subject in wantedSubjects.Where(s => !heldSubjects.Contains(s)))
        {
            Add(FleetRbacDriftType.MissingSubject, bindingKind, subject, subject, null, $"{bindingKind} {definition.BindingName} does not bind {subject}.");
        }
        foreach (var subject in heldSubjects.Where(s => !wantedSubjects.Contains(s)))
        {
            Add(FleetRbacDriftType.ExtraSubject, bindingKind, subject, null, subject, $"{bindingKind} {definition.BindingName} also binds {subject}.");
        }
        return drifts;
    }

    // The label selector already asks for both labels; checking again guards against a server that ignores selectors.
    private static bool IsManaged(KubeObject obj) =>
        obj.Labels.TryGetValue(KubeObject.ManagedByLabel, out var manager) && manager == KubeObject.ManagedByValue
        && obj.Labels.ContainsKey(RbacDefinition.RbacLabel);

    private static bool BindsRole(KubeObject binding, KubeObject role) =>
        RoleRefKind(binding) == role.Kind && RoleRefName(binding) == role.Name && binding.Namespace == role.Namespace;

    private static string RoleRefKind(KubeObject binding) => binding.Json["roleRef"]?["kind"]?.GetValue<string>() ?? "";

    private static string RoleRefName(KubeObject binding) => binding.Json["roleRef"]?["name"]?.GetValue<string>() ?? "";

    private static IEnumerable<RbacRule> Rules(KubeObject role) =>
        (role.Json["rules"] as JsonArray ?? []).OfType<JsonObject>().Select(RbacRule.FromJson);

    private static IEnumerable<RbacSubject> Subjects(KubeObject binding) =>
        (binding.Json["subjects"] as JsonArray ?? []).OfType<JsonObject>().Select(s => new RbacSubject(
            s["kind"]?.GetValue<string>() ?? "",
            s["name"]?.GetValue<string>() ?? "",
            s["kind"]?.GetValue<string>() == "ServiceAccount" ? s["namespace"]?.GetValue<string>() ?? binding.Namespace : null));
}
