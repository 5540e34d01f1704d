using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// The <c>kind: Status</c> bodies the API server sends for 401 and 403, worded as
/// apiserver's responsewriters.Forbidden and apierrors.NewForbidden write them.
/// </summary>
public static class AuthStatuses
{
    public static JsonObject Unauthorized() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = "Unauthorized",
        ["reason"] = "Unauthorized",
        ["code"] = 401,
    };

    /// <summary>
    /// <c>deployments.apps "x" is forbidden: User "jane" cannot get resource "deployments" in API
    /// group "apps" in the namespace "default"</c>, with <c>: reason</c> appended when the
    /// authorizer gave one.
    /// </summary>
    public static string ForbiddenMessage(AccessRequest request, string reason)
    {
        var detail = Detail(request);
        if (reason.Length > 0)
            detail = $"{detail}: {reason}";
        if (!request.IsResourceRequest || request.Resource.Length == 0)
            return $"forbidden: {detail}";
        var qualified = request.ApiGroup.Length > 0 ? $"{request.Resource}.{request.ApiGroup}" : request.Resource;
        return request.Name.Length > 0
            ? $"{qualified} \"{request.Name}\" is forbidden: {detail}"
            : $"{qualified} is forbidden: {detail}";
    }

    public static JsonObject Forbidden(AccessRequest request, string reason)
    {
        var details = new JsonObject();
        if (request.IsResourceRequest)
        {
            if (request.Name.Length > 0)
                details["name"] = request.Name;
            if (request.ApiGroup.Length > 0)
                details["group"] = request.ApiGroup;
            if (request.Resource.Length > 0)
                details["kind"] = request.Resource;
        }
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = ForbiddenMessage(request, reason),
            ["reason"] = "Forbidden",
            ["details"] = details,
            ["code"] = 403,
        };
    }

    private static string Detail(AccessRequest request)
    {
        var user = request.User.Name;
        if (!request.IsResourceRequest)
            return $"User \"{user}\" cannot {request.Verb} path \"{request.Path}\"";
        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        return request.Namespace.Length > 0
            ? $"User \"{user}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.ApiGroup}\" in the namespace \"{request.Namespace}\""
            : $"User \"{user}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.ApiGroup}\" at the cluster scope";
    }
}
