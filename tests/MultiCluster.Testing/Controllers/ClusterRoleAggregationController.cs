using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// kube-controller-manager's clusterrole-aggregation controller: a ClusterRole with an
/// aggregationRule gets, as its rules, the union (without duplicates, in role-name order) of the
/// rules of every other ClusterRole its selectors match, rewritten whenever any ClusterRole
/// changes. <see cref="ClusterAuth"/> starts it with RBAC, as every real cluster runs it.
/// </summary>
public sealed class ClusterRoleAggregationController(RbacAuthorizer rbac) : StoreController
{
    public const string ControllerName = "clusterrole-aggregation";

    public override string Name => ControllerName;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } = [("rbac.authorization.k8s.io", "clusterroles")];

    // Any ClusterRole's labels or rules can change what an aggregated role holds: look at them all.
    protected override void OnWatchedChange(StoreEvent change)
    {
        foreach (var role in Cluster.Store.List(ClusterRoles, null).Items)
            if (role["aggregationRule"] is JsonObject)
                Enqueue(ObjectKey.For(ClusterRoles, null, (string)role["metadata"]!["name"]!));
    }

    protected override void Reconcile(ObjectKey key)
    {
        var role = Cluster.Store.Get(ClusterRoles, null, key.Name);
        if (role?["aggregationRule"] is not JsonObject)
            return;
        var rules = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rbac.EffectiveRules(role))
            if (seen.Add(rule.ToJsonString()))
                rules.Add(rule.DeepClone());
        if (JsonNode.DeepEquals(role["rules"] ?? new JsonArray(), rules))
            return;
        role["rules"] = rules;
        Cluster.Store.Update(ClusterRoles, role);
    }

    private ResourceType ClusterRoles => Cluster.Registry.Find("rbac.authorization.k8s.io", "clusterroles")!;
}
