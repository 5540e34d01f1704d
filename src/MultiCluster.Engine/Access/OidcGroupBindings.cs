using System.Collections;
using System.Text;

namespace MultiCluster.Engine.Access;

/// <summary>
/// Turns <c>-GroupBinding @{ 'oidc:platform-admins' = 'cluster-admin'; 'oidc:dev' = @{ apiGroups = ...; ... } }</c>
/// into RBAC definitions for <see cref="RbacService"/>: per OIDC group (as the API server sees it,
/// prefix included), a ClusterRole of this module's own with the given rules and its binding to
/// the group. <c>'cluster-admin'</c> stands for the built-in role's rules (everything); the
/// built-in roles themselves are never written, so the module's role is named after the group
/// (<c>oidc-platform-admins</c>).
/// </summary>
public static class OidcGroupBindings
{
    public const string ClusterAdmin = "cluster-admin";

    /// <summary>The <see cref="RbacDefinition.ScopeLabel"/> value of the group bindings.</summary>
    public const string PruneScope = "oidc";

    public static IReadOnlyList<RbacDefinition> Create(IDictionary? bindings)
    {
        var definitions = new List<RbacDefinition>();
        if (bindings is null) return definitions;
        foreach (DictionaryEntry entry in bindings)
        {
            var group = entry.Key?.ToString();
            if (string.IsNullOrWhiteSpace(group)) throw OidcSettings.Invalid("-GroupBinding", "-GroupBinding has an empty group name.");
            var source = $"-GroupBinding '{group}'";
            var rules = entry.Value switch
            {
                string preset when preset.Equals(ClusterAdmin, StringComparison.OrdinalIgnoreCase) => ClusterAdminRules(),
                string other => throw OidcSettings.Invalid(source,
                    $"{source} names '{other}'; give 'cluster-admin' or the role's rules as hashtables of apiGroups, resources and verbs."),
                IDictionary rule => [rule],
                IEnumerable list => list.Cast<object?>().Select(r => r as IDictionary
                    ?? throw OidcSettings.Invalid(source, $"{source} holds a rule that is not a hashtable.")).ToList(),
                _ => throw OidcSettings.Invalid(source, $"{source} has no role; give 'cluster-admin' or rules as hashtables."),
            };
            // A scope of their own, so a Set-FleetRbac -Prune of other definitions never removes them.
            definitions.Add(RbacDefinition.Create(RoleName(group), null, rules, [new RbacSubject("Group", group)], source).InScope(PruneScope));
        }
        var clash = definitions.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw OidcSettings.Invalid("-GroupBinding", $"-GroupBinding has groups that share the role name '{clash.Key}' ({string.Join(", ", clash.Select(d => d.Subjects[0].Name))}).");
        return definitions;
    }

    /// <summary>A DNS-subdomain role name from the group: lower case, other characters as '-', prefixed with <c>oidc-</c> unless the group starts with it.</summary>
    public static string RoleName(string group)
    {
        var name = new StringBuilder();
        foreach (var c in group.ToLowerInvariant()) name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-');
        var trimmed = name.ToString().Trim('-', '.');
        var role = trimmed.StartsWith("oidc-", StringComparison.Ordinal) ? trimmed : "oidc-" + trimmed;
        return role.Length > 253 ? role[..253].TrimEnd('-', '.') : role;
    }

    private static List<IDictionary> ClusterAdminRules() =>
    [
        new Hashtable { ["apiGroups"] = "*", ["resources"] = "*", ["verbs"] = "*" },
        new Hashtable { ["nonResourceURLs"] = "*", ["verbs"] = "*" },
    ];
}
