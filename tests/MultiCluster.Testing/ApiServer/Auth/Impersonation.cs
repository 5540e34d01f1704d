using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>The outcome of the impersonation filter: the user to run as, or the error to answer.</summary>
public sealed record ImpersonationResult(AuthUser? User, int StatusCode, JsonObject? ErrorStatus)
{
    public bool Succeeded => User is not null;
}

/// <summary>
/// The API server's impersonation filter for <c>Impersonate-User</c>, <c>Impersonate-Group</c>
/// and <c>Impersonate-Uid</c> (what <c>kubectl --as/--as-group/--as-uid</c> send). The caller
/// needs the <c>impersonate</c> verb on <c>users</c> (or on the <c>serviceaccounts</c> object when
/// the name is <c>system:serviceaccount:ns:name</c>), on <c>groups</c> and on
/// <c>authentication.k8s.io</c> <c>uids</c>. Impersonate-Extra-* headers are not supported.
/// </summary>
public static class Impersonation
{
    public const string UserHeader = "Impersonate-User";
    public const string GroupHeader = "Impersonate-Group";
    public const string UidHeader = "Impersonate-Uid";

    /// <summary>True when the request carries any impersonation header.</summary>
    public static bool Requested(string? user, IReadOnlyList<string> groups, string? uid) =>
        !string.IsNullOrEmpty(user) || groups.Count > 0 || !string.IsNullOrEmpty(uid);

    public static ImpersonationResult Apply(AuthUser caller, string? userName, IReadOnlyList<string> groups, string? uid,
        Func<AccessRequest, AccessDecision> authorize)
    {
        var checks = new List<AccessRequest>();
        var isServiceAccount = false;
        if (!string.IsNullOrEmpty(userName))
        {
            isServiceAccount = AuthUser.TrySplitServiceAccount(userName, out var saNamespace, out var saName);
            checks.Add(isServiceAccount
                ? AccessRequest.ForResource(caller, "impersonate", "", "serviceaccounts", saNamespace, saName)
                : AccessRequest.ForResource(caller, "impersonate", "", "users", name: userName));
        }
        checks.AddRange(groups.Select(g => AccessRequest.ForResource(caller, "impersonate", "", "groups", name: g)));
        if (!string.IsNullOrEmpty(uid))
            checks.Add(AccessRequest.ForResource(caller, "impersonate", "authentication.k8s.io", "uids", name: uid));

        if (string.IsNullOrEmpty(userName))
        {
            // The real filter answers this with an internal error, not a 400.
            var described = string.Join(" ", checks.Select(c => $"{c.Resource}={c.Name}"));
            return new ImpersonationResult(null, 500, ErrorStatus(500, "InternalError",
                $"Internal error occurred: requested [{described}] without impersonating a user"));
        }

        foreach (var check in checks)
        {
            var decision = authorize(check);
            if (!decision.Allowed)
                return new ImpersonationResult(null, 403, AuthStatuses.Forbidden(check, decision.Reason));
        }

        var impersonatedGroups = groups.ToList();
        if (isServiceAccount && groups.Count == 0 && AuthUser.TrySplitServiceAccount(userName, out var ns, out _))
            impersonatedGroups.AddRange(AuthUser.ServiceAccountGroups(ns));
        if (userName != "system:anonymous"
            && !impersonatedGroups.Contains(AuthUser.Authenticated) && !impersonatedGroups.Contains("system:unauthenticated"))
            impersonatedGroups.Add(AuthUser.Authenticated);
        return new ImpersonationResult(new AuthUser(userName, impersonatedGroups, string.IsNullOrEmpty(uid) ? null : uid), 200, null);
    }

    private static JsonObject ErrorStatus(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };
}
