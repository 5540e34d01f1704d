using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// Whether one RBAC PolicyRule (a JSON object from a Role or ClusterRole) covers a request, with
/// the matching rules of the real RBAC authorizer: <c>*</c> in verbs, apiGroups and resources;
/// <c>resource/subresource</c> and <c>*/subresource</c>; resourceNames restricting by name (an
/// unnamed request such as list or create never matches a rule with resourceNames);
/// nonResourceURLs with a trailing <c>*</c> as a prefix match.
/// </summary>
public static class PolicyRules
{
    private const string All = "*";

    public static bool Allows(JsonObject rule, AccessRequest request)
    {
        if (!VerbMatches(rule, request.Verb))
            return false;
        if (!request.IsResourceRequest)
            return NonResourceUrlMatches(rule, request.Path);
        var combined = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        return ApiGroupMatches(rule, request.ApiGroup)
            && ResourceMatches(rule, combined, request.Subresource)
            && ResourceNameMatches(rule, request.Name);
    }

    public static bool VerbMatches(JsonObject rule, string verb) =>
        Strings(rule, "verbs").Any(v => v == All || v == verb);

    public static bool ApiGroupMatches(JsonObject rule, string group) =>
        Strings(rule, "apiGroups").Any(g => g == All || g == group);

    public static bool ResourceMatches(JsonObject rule, string combinedResource, string subresource)
    {
        foreach (var resource in Strings(rule, "resources"))
        {
            if (resource == All || resource == combinedResource)
                return true;
            // "*/scale" covers the scale subresource of every resource.
            if (subresource.Length > 0 && resource.Length == subresource.Length + 2
                && resource.StartsWith("*/", StringComparison.Ordinal) && resource.EndsWith(subresource, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    public static bool ResourceNameMatches(JsonObject rule, string name)
    {
        var names = Strings(rule, "resourceNames").ToList();
        return names.Count == 0 || names.Contains(name, StringComparer.Ordinal);
    }

    public static bool NonResourceUrlMatches(JsonObject rule, string path)
    {
        foreach (var url in Strings(rule, "nonResourceURLs"))
        {
            if (url == All || url == path)
                return true;
            if (url.EndsWith(All, StringComparison.Ordinal) && path.StartsWith(url[..^1], StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>The string items of a JSON array property; empty when absent.</summary>
    public static IEnumerable<string> Strings(JsonObject obj, string property) =>
        obj[property] is JsonArray array
            ? array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>()
            : [];
}
