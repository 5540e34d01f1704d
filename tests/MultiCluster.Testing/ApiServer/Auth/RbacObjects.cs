using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>The RBAC objects of one instance, as the authorizer reads them (JSON as stored).</summary>
public interface IRbacObjects
{
    JsonObject? GetClusterRole(string name);
    JsonObject? GetRole(string @namespace, string name);
    IEnumerable<JsonObject> ClusterRoles();
    IEnumerable<JsonObject> ClusterRoleBindings();
    IEnumerable<JsonObject> RoleBindings(string @namespace);
}

/// <summary>An in-memory <see cref="IRbacObjects"/> over a fixed list of manifests.</summary>
public sealed class RbacObjectSet(IEnumerable<JsonObject> objects) : IRbacObjects
{
    private readonly List<JsonObject> _objects = objects.ToList();

    public JsonObject? GetClusterRole(string name) => Of("ClusterRole").FirstOrDefault(o => NameOf(o) == name);

    public JsonObject? GetRole(string @namespace, string name) =>
        Of("Role").FirstOrDefault(o => NameOf(o) == name && NamespaceOf(o) == @namespace);

    public IEnumerable<JsonObject> ClusterRoles() => Of("ClusterRole");

    public IEnumerable<JsonObject> ClusterRoleBindings() => Of("ClusterRoleBinding");

    public IEnumerable<JsonObject> RoleBindings(string @namespace) => Of("RoleBinding").Where(o => NamespaceOf(o) == @namespace);

    private IEnumerable<JsonObject> Of(string kind) => _objects.Where(o => (string?)o["kind"] == kind);

    internal static string NameOf(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    internal static string NamespaceOf(JsonObject obj) => (string?)obj["metadata"]?["namespace"] ?? "";
}

/// <summary>
/// Matches a metav1.LabelSelector given as JSON (matchLabels and matchExpressions with In, NotIn,
/// Exists, DoesNotExist) against an object's labels. An empty selector matches everything.
/// </summary>
public static class JsonLabelSelector
{
    public static bool Matches(JsonObject? selector, JsonObject? labels)
    {
        if (selector is null)
            return false;
        string? Label(string key) => labels?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
                if (Label(key) != (string?)value)
                    return false;
        }
        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = (string?)expression["key"] ?? "";
                var values = PolicyRules.Strings(expression, "values").ToHashSet(StringComparer.Ordinal);
                var actual = Label(key);
                var ok = (string?)expression["operator"] switch
                {
                    "In" => actual is not null && values.Contains(actual),
                    "NotIn" => actual is null || !values.Contains(actual),
                    "Exists" => actual is not null,
                    "DoesNotExist" => actual is null,
                    _ => false,
                };
                if (!ok)
                    return false;
            }
        }
        return true;
    }
}
