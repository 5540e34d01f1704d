using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// The default RBAC objects a new instance starts with, following kube-apiserver's bootstrap
/// policy: cluster-admin (bound to <c>system:masters</c>), the aggregated admin/edit/view roles
/// built from <c>system:aggregate-to-*</c>, and the roles every authenticated user holds
/// (system:basic-user for access reviews, system:discovery and system:public-info-viewer for
/// discovery and health paths). The aggregate-to-* rules are a subset of the real ones covering
/// the core, apps, batch, autoscaling, policy, networking, discovery and rbac kinds; the real
/// lists also name deprecated extensions/* resources, which this emulator does not serve.
/// </summary>
public static class BootstrapPolicy
{
    private const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    private const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    private const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];

    public static IReadOnlyList<JsonObject> Objects() =>
    [
        ClusterRole("cluster-admin", [], Rule(["*"], ["*"], ["*"]), UrlRule(["*"], ["*"])),
        Aggregated("admin", AggregateToAdmin),
        Aggregated("edit", AggregateToEdit, (AggregateToAdmin, "true")),
        Aggregated("view", AggregateToView, (AggregateToAdmin, "true"), (AggregateToEdit, "true")),
        ClusterRole("system:aggregate-to-admin", [(AggregateToAdmin, "true")],
            Rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
            Rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], [.. Write, .. Read])),
        ClusterRole("system:aggregate-to-edit", [(AggregateToAdmin, "true"), (AggregateToEdit, "true")],
            Rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], Read),
            Rule([""], ["serviceaccounts"], ["impersonate"]),
            Rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], Write),
            Rule([""], ["pods/eviction"], ["create"]),
            Rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                "secrets", "serviceaccounts", "services", "services/proxy"], Write),
            Rule([""], ["serviceaccounts/token"], ["create"]),
            Rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                "replicasets/scale", "statefulsets", "statefulsets/scale"], Write),
            Rule(["autoscaling"], ["horizontalpodautoscalers"], Write),
            Rule(["batch"], ["cronjobs", "jobs"], Write),
            Rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], Write),
            Rule(["policy"], ["poddisruptionbudgets"], Write),
            Rule(["discovery.k8s.io"], ["endpointslices"], Write)),
        ClusterRole("system:aggregate-to-view", [(AggregateToAdmin, "true"), (AggregateToEdit, "true"), (AggregateToView, "true")],
            Rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], Read),
            Rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], Read),
            Rule([""], ["namespaces"], Read),
            Rule(["discovery.k8s.io"], ["endpointslices"], Read),
            Rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                "statefulsets/scale", "statefulsets/status"], Read),
            Rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], Read),
            Rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], Read),
            Rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], Read),
            Rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], Read)),
        ClusterRole("system:basic-user", [],
            Rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            Rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])),
        ClusterRole("system:discovery", [],
            UrlRule(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], ["get"])),
        ClusterRole("system:public-info-viewer", [],
            UrlRule(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])),
        Bootstrapped(ClusterRoleBinding("cluster-admin", "cluster-admin", Group(AuthUser.Masters))),
        Bootstrapped(ClusterRoleBinding("system:basic-user", "system:basic-user", Group(AuthUser.Authenticated))),
        Bootstrapped(ClusterRoleBinding("system:discovery", "system:discovery", Group(AuthUser.Authenticated))),
        Bootstrapped(ClusterRoleBinding("system:public-info-viewer", "system:public-info-viewer",
            Group(AuthUser.Authenticated), Group("system:unauthenticated"))),
    ];

    /// <summary>A ClusterRoleBinding manifest (also used to grant the convenience tokens).</summary>
    public static JsonObject ClusterRoleBinding(string name, string clusterRole, params JsonObject[] subjects) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["roleRef"] = RoleRef("ClusterRole", clusterRole),
        ["subjects"] = new JsonArray(subjects.Select(s => (JsonNode)s).ToArray()),
    };

    /// <summary>A RoleBinding manifest in <paramref name="namespace"/> to a ClusterRole.</summary>
    public static JsonObject RoleBinding(string @namespace, string name, string clusterRole, params JsonObject[] subjects)
        => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "RoleBinding",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace },
        ["roleRef"] = RoleRef("ClusterRole", clusterRole),
        ["subjects"] = new JsonArray(subjects.Select(s => (JsonNode)s).ToArray()),
    };

    public static JsonObject User(string name) => new()
    {
        ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = name,
    };

    public static JsonObject Group(string name) => new()
    {
        ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = name,
    };

    public static JsonObject ServiceAccount(string @namespace, string name) => new()
    {
        ["kind"] = "ServiceAccount", ["name"] = name, ["namespace"] = @namespace,
    };

    public static JsonObject Rule(string[] apiGroups, string[] resources, string[] verbs) => new()
    {
        ["apiGroups"] = Array(apiGroups), ["resources"] = Array(resources), ["verbs"] = Array(verbs),
    };

    public static JsonObject UrlRule(string[] urls, string[] verbs) => new()
    {
        ["nonResourceURLs"] = Array(urls), ["verbs"] = Array(verbs),
    };

    private static JsonObject ClusterRole(string name, (string Key, string Value)[] extraLabels, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRole",
        ["metadata"] = Metadata(name, extraLabels),
        ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r).ToArray()),
    };

    /// <summary>
    /// An aggregated role. Its rules start empty: the clusterrole-aggregation controller fills
    /// them, and the authorizer resolves them from the selected roles on every check, so
    /// ClusterRoles a test labels aggregate-to-view etc. extend it at once.
    /// </summary>
    private static JsonObject Aggregated(string name, string selectorLabel, params (string Key, string Value)[] extraLabels)
    {
        var role = ClusterRole(name, extraLabels);
        role["aggregationRule"] = new JsonObject
        {
            ["clusterRoleSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { [selectorLabel] = "true" } }),
        };
        return role;
    }

    private static JsonObject Bootstrapped(JsonObject binding)
    {
        binding["metadata"] = Metadata((string)binding["metadata"]!["name"]!, []);
        return binding;
    }

    private static JsonObject Metadata(string name, (string Key, string Value)[] extraLabels)
    {
        var labels = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        foreach (var (key, value) in extraLabels)
            labels[key] = value;
        return new JsonObject
        {
            ["name"] = name,
            ["labels"] = labels,
            ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
        };
    }

    private static JsonObject RoleRef(string kind, string name) => new()
    {
        ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = kind, ["name"] = name,
    };

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
