namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>The identity a request runs as, after authentication and impersonation.</summary>
public sealed record AuthUser(string Name, IReadOnlyList<string> Groups, string? Uid = null)
{
    public const string Masters = "system:masters";
    public const string Authenticated = "system:authenticated";
    public const string ServiceAccounts = "system:serviceaccounts";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    public bool IsInGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);

    /// <summary>The user name the API server gives a service account's tokens.</summary>
    public static string ServiceAccountUserName(string @namespace, string name) => $"{ServiceAccountPrefix}{@namespace}:{name}";

    /// <summary>A service account user with the groups its tokens carry on a real server.</summary>
    public static AuthUser ForServiceAccount(string @namespace, string name, string? uid = null) =>
        new(ServiceAccountUserName(@namespace, name), ServiceAccountGroups(@namespace).Append(Authenticated).ToArray(), uid);

    public static IReadOnlyList<string> ServiceAccountGroups(string @namespace) =>
        [ServiceAccounts, $"{ServiceAccounts}:{@namespace}"];

    /// <summary>Splits <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>; false for any other user name.</summary>
    public static bool TrySplitServiceAccount(string userName, out string @namespace, out string name)
    {
        @namespace = name = "";
        if (!userName.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
            return false;
        var parts = userName[ServiceAccountPrefix.Length..].Split(':');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            return false;
        (@namespace, name) = (parts[0], parts[1]);
        return true;
    }
}

/// <summary>
/// What is being asked, in the API server's authorizer.Attributes terms. A resource request names
/// a resource; any other request names a <see cref="Path"/> (a non-resource URL such as /version).
/// </summary>
public sealed record AccessRequest
{
    public required AuthUser User { get; init; }
    public required string Verb { get; init; }
    public bool IsResourceRequest { get; init; } = true;
    public string ApiGroup { get; init; } = "";
    public string Resource { get; init; } = "";
    public string Subresource { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string Name { get; init; } = "";
    public string Path { get; init; } = "";

    public static AccessRequest ForResource(AuthUser user, string verb, string apiGroup, string resource,
        string @namespace = "", string name = "", string subresource = "") => new()
    {
        User = user, Verb = verb, ApiGroup = apiGroup, Resource = resource,
        Namespace = @namespace, Name = name, Subresource = subresource,
    };

    public static AccessRequest ForPath(AuthUser user, string verb, string path) => new()
    {
        User = user, Verb = verb, IsResourceRequest = false, Path = path,
    };
}

/// <summary>
/// An authorizer's answer. <see cref="Denied"/> is an explicit denial (RBAC never gives one: it
/// only has no opinion), which SubjectAccessReview reports as status.denied.
/// </summary>
public sealed record AccessDecision(bool Allowed, string Reason, bool Denied = false)
{
    public static AccessDecision Allow(string reason) => new(true, reason);
    public static AccessDecision NoOpinion(string reason) => new(false, reason);
}
