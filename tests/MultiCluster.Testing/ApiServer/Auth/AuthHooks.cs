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
        var boundStillThere = BoundObject(request, name, body["spec"]?["boundObjectRef"] as JsonObject);
        // A dry run answers like a real one but its token is never accepted.
        var registry = request.DryRun ? new TokenRegistry(() => request.Cluster.Clock.UtcNow) : auth.Registry;
        return ServiceAccountTokens.Issue(serviceAccount, body, request.Cluster.Clock.UtcNow, registry,
            () => (string?)store.Get(type, ns, name)?["metadata"]?["uid"] == uid && boundStillThere());
    }

    /// <summary>
    /// Checks spec.boundObjectRef as the TokenRequest storage does (a Secret, a Pod running as the
    /// account, or a Node; the uid must match when given) and returns whether the object still
    /// exists, asked on every use of the token.
    /// </summary>
    private static Func<bool> BoundObject(HookRequest request, string serviceAccountName, JsonObject? reference)
    {
        if (reference is null)
            return () => true;
        var kind = (string?)reference["kind"] ?? "";
        var apiVersion = (string?)reference["apiVersion"] ?? "";
        var objectName = (string?)reference["name"] ?? "";
        var (plural, ns) = (apiVersion is "v1" or "", kind) switch
        {
            (true, "Secret") => ("secrets", request.Namespace),
            (true, "Pod") => ("pods", request.Namespace),
            (true, "Node") => ("nodes", null),
            _ => ((string?)null, (string?)null),
        };
        var type = plural is null ? null : request.Cluster.Registry.Find("", plural);
        if (type is null)
        {
            var group = apiVersion.Contains('/') ? apiVersion[..apiVersion.IndexOf('/')] : "";
            var version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
            throw ApiStatusException.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }
        var store = request.Cluster.Store;
        var bound = store.Get(type, ns, objectName) ?? throw ApiStatusException.NotFound(type, objectName);
        if (kind == "Pod" && (string?)bound["spec"]?["serviceAccountName"] != serviceAccountName)
            throw ApiStatusException.BadRequest(
                $"cannot bind token for serviceaccount \"{serviceAccountName}\" to pod running with different serviceaccount name.");
        var boundUid = (string?)bound["metadata"]?["uid"];
        if ((string?)reference["uid"] is { Length: > 0 } wantedUid && wantedUid != boundUid)
            throw new ApiStatusException(409, "Conflict",
                $"Operation cannot be fulfilled on {kind} \"{objectName}\": the UID in the bound object reference ({wantedUid}) does not match the UID in record ({boundUid}). The object might have been deleted and then recreated",
                new JsonObject { ["name"] = objectName, ["kind"] = kind });
        reference["uid"] = boundUid;
        return () => (string?)store.Get(type, ns, objectName)?["metadata"]?["uid"] == boundUid;
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
