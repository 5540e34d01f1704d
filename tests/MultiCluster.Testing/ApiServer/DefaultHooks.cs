using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// The access-review resources answered from the instance's <see cref="IAuthorizer"/>; a hook
/// registered later for the same resource replaces them.
/// </summary>
internal static class DefaultHooks
{
    public static IEnumerable<IRequestHook> All() =>
    [
        new AccessReviewHook("selfsubjectaccessreviews"),
        new AccessReviewHook("subjectaccessreviews"),
        new AccessReviewHook("localsubjectaccessreviews"),
    ];

    private sealed class AccessReviewHook(string resource) : IRequestHook
    {
        public string Group => "authorization.k8s.io";
        public string Resource => resource;
        public string? Subresource => null;

        public Task<JsonObject> HandleAsync(HookRequest request, CancellationToken cancellationToken)
        {
            if (request.Verb != "create")
                throw ApiStatusException.MethodNotSupported(request.Cluster.Registry.Find(Group, Resource)!, request.Verb);
            var body = request.Body ?? throw ApiStatusException.BadRequest("the body of an access review is required");
            var spec = body["spec"] as JsonObject ?? new JsonObject();
            var user = request.User;
            if (resource != "selfsubjectaccessreviews")
            {
                var groups = spec["groups"] is JsonArray g ? g.Select(x => x?.ToString() ?? "").ToList() : new List<string>();
                user = new UserInfo(spec["user"]?.ToString() ?? "", groups);
            }
            AuthorizationAttributes attributes;
            if (spec["resourceAttributes"] is JsonObject ra)
            {
                var ns = ra["namespace"]?.ToString() ?? "";
                if (resource == "localsubjectaccessreviews") ns = request.Namespace ?? ns;
                attributes = new AuthorizationAttributes(user, ra["verb"]?.ToString() ?? "", ra["group"]?.ToString() ?? "",
                    ra["resource"]?.ToString() ?? "", ra["subresource"]?.ToString() ?? "", ns, ra["name"]?.ToString() ?? "", "");
            }
            else if (spec["nonResourceAttributes"] is JsonObject nra)
            {
                attributes = new AuthorizationAttributes(user, nra["verb"]?.ToString() ?? "", "", "", "", "", "", nra["path"]?.ToString() ?? "");
            }
            else throw ApiStatusException.Invalid(Group, request.Cluster.Registry.Find(Group, Resource)!.Kind, "",
                [new Schema.FieldError("FieldValueRequired", "spec.resourceAttributes", "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified")]);

            var decision = request.Cluster.Authorizer.Authorize(attributes);
            var answer = body.DeepClone().AsObject();
            answer["apiVersion"] = request.ApiVersion;
            answer["kind"] = request.Cluster.Registry.Find(Group, Resource)!.Kind;
            answer["metadata"] = new JsonObject { ["creationTimestamp"] = null };
            var status = new JsonObject { ["allowed"] = decision.Allowed };
            if (decision.Reason.Length > 0) status["reason"] = decision.Reason;
            answer["status"] = status;
            return Task.FromResult(answer);
        }
    }
}
