using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// The request hooks <see cref="ClusterAuth"/> registers: the authorization.k8s.io reviews
/// (replacing the core's simpler ones), authentication.k8s.io SelfSubjectReview, and the
/// serviceaccounts/token subresource (TokenRequest).
/// </summary>
internal static class AuthHooks
{
    public static IEnumerable<IRequestHook> All(ClusterAuth auth) =>
    [
        new Hook(AccessReviews.AuthorizationGroup, "selfsubjectaccessreviews", null, r => SelfAccessReview(auth, r)),
        new Hook(AccessReviews.AuthorizationGroup, "subjectaccessreviews", null, r => SubjectAccessReview(auth, r, "SubjectAccessReview")),
        new Hook(AccessReviews.AuthorizationGroup, "localsubjectaccessreviews", null, r => LocalSubjectAccessReview(auth, r)),
        new Hook(AccessReviews.AuthorizationGroup, "selfsubjectrulesreviews", null,
            r => AccessReviews.AnswerRules(Body(r), ClusterAuth.ToAuthUser(r.User), auth.Rbac)),
        new Hook(AccessReviews.AuthenticationGroup, "selfsubjectreviews", null,
            r => AccessReviews.AnswerWhoAmI(Body(r), ClusterAuth.ToAuthUser(r.User))),
        new Hook("", "serviceaccounts", "token", r => TokenRequest(auth, r)),
    ];

    private static JsonObject SelfAccessReview(ClusterAuth auth, HookRequest request)
    {
        var review = Body(request);
        ThrowIfInvalid("SelfSubjectAccessReview", AccessReviews.ValidateSelfSubjectAccessReview(review));
        var decision = auth.Authorize(AccessReviews.RequestOf(review, ClusterAuth.ToAuthUser(request.User)));
        return AccessReviews.Answer(review, "SelfSubjectAccessReview", decision);
    }

    private static JsonObject SubjectAccessReview(ClusterAuth auth, HookRequest request, string kind)
    {
        var review = Body(request);
        ThrowIfInvalid(kind, AccessReviews.ValidateSubjectAccessReview(review));
        var decision = auth.Authorize(AccessReviews.RequestOf(review, AccessReviews.SubjectOf(review)));
        return AccessReviews.Answer(review, kind, decision);
    }

    private static JsonObject LocalSubjectAccessReview(ClusterAuth auth, HookRequest request)
    {
        var review = Body(request);
        var ns = request.Namespace ?? "";
        if ((string?)review["spec"]?["resourceAttributes"]?["namespace"] != ns)
            throw ApiStatusException.BadRequest($"spec.resourceAttributes.namespace must match namespace: {ns}");
        return SubjectAccessReview(auth, request, "LocalSubjectAccessReview");
    }

    private static JsonObject TokenRequest(ClusterAuth auth, HookRequest request)
    {
        if (request.Verb != "create")
            throw ApiStatusException.MethodNotSupported(request.Cluster.Registry.Find("", "serviceaccounts")!, request.Verb);
        var type = request.Cluster.Registry.Find("", "serviceaccounts")!;
        var ns = request.Namespace ?? "";
        var name = request.Name ?? "";
        var serviceAccount = request.Cluster.Store.Get(type, ns, name) ?? throw ApiStatusException.NotFound(type, name);
        var body = request.Body ?? new JsonObject();
        var errors = ServiceAccountTokens.Validate(body);
        if (errors.Count > 0)
            throw ApiStatusException.Invalid(AccessReviews.AuthenticationGroup, "TokenRequest", name, errors);
        var uid = (string?)serviceAccount["metadata"]?["uid"];
        var store = request.Cluster.Store;
        // A dry run answers like a real one but its token is never accepted.
        var registry = request.DryRun ? new TokenRegistry(() => request.Cluster.Clock.UtcNow) : auth.Registry;
        return ServiceAccountTokens.Issue(serviceAccount, body, request.Cluster.Clock.UtcNow, registry,
            () => (string?)store.Get(type, ns, name)?["metadata"]?["uid"] == uid);
    }

    private static JsonObject Body(HookRequest request) =>
        request.Body ?? throw ApiStatusException.BadRequest("the body of the request is required");

    private static void ThrowIfInvalid(string kind, IReadOnlyList<Schema.FieldError> errors)
    {
        if (errors.Count > 0)
            throw ApiStatusException.Invalid(AccessReviews.AuthorizationGroup, kind, "", errors);
    }

    private sealed class Hook(string group, string resource, string? subresource, Func<HookRequest, JsonObject> handle)
        : IRequestHook, IProtobufBodyReader
    {
        public JsonObject? ReadProtobuf(byte[] body) => AuthProtobufBodies.Decode(body);

        public string Group => group;
        public string Resource => resource;
        public string? Subresource => subresource;

        public Task<JsonObject> HandleAsync(HookRequest request, CancellationToken cancellationToken)
        {
            if (subresource is null && request.Verb != "create")
                throw ApiStatusException.MethodNotSupported(request.Cluster.Registry.Find(group, resource)!, request.Verb);
            return Task.FromResult(handle(request));
        }
    }
}
