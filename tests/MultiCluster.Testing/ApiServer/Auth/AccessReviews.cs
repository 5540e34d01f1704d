using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// authorization.k8s.io/v1 reviews: SelfSubjectAccessReview and SubjectAccessReview (what
/// <c>kubectl auth can-i</c> and admission webhooks send), SelfSubjectRulesReview
/// (<c>kubectl auth can-i --list</c>), and authentication.k8s.io/v1 SelfSubjectReview
/// (<c>kubectl auth whoami</c>). Answers echo the request with a status, as the real server does.
/// </summary>
public static class AccessReviews
{
    public const string AuthorizationGroup = "authorization.k8s.io";
    public const string AuthenticationGroup = "authentication.k8s.io";

    /// <summary>Validation errors of a SelfSubjectAccessReview, in the real server's wording.</summary>
    public static IReadOnlyList<FieldError> ValidateSelfSubjectAccessReview(JsonObject review) => ValidateAttributes(Spec(review));

    public static IReadOnlyList<FieldError> ValidateSubjectAccessReview(JsonObject review)
    {
        var spec = Spec(review);
        var errors = ValidateAttributes(spec).ToList();
        var user = (string?)spec["user"] ?? "";
        if (user.Length == 0 && !PolicyRules.Strings(spec, "groups").Any())
            errors.Add(new FieldError("FieldValueInvalid", "spec.user",
                "Invalid value: \"\": at least one of user or group must be specified"));
        return errors;
    }

    /// <summary>The user a SubjectAccessReview asks about.</summary>
    public static AuthUser SubjectOf(JsonObject review)
    {
        var spec = Spec(review);
        var uid = (string?)spec["uid"];
        return new AuthUser((string?)spec["user"] ?? "", PolicyRules.Strings(spec, "groups").ToArray(), string.IsNullOrEmpty(uid) ? null : uid);
    }

    /// <summary>The authorizer question a review's spec asks on behalf of <paramref name="user"/>.</summary>
    public static AccessRequest RequestOf(JsonObject review, AuthUser user)
    {
        var spec = Spec(review);
        if (spec["resourceAttributes"] is JsonObject resource)
            return AccessRequest.ForResource(user, Text(resource, "verb"), Text(resource, "group"), Text(resource, "resource"),
                Text(resource, "namespace"), Text(resource, "name"), Text(resource, "subresource"));
        var nonResource = spec["nonResourceAttributes"] as JsonObject ?? new JsonObject();
        return AccessRequest.ForPath(user, Text(nonResource, "verb"), Text(nonResource, "path"));
    }

    /// <summary>The review as sent, with status.allowed, status.reason and status.denied filled.</summary>
    public static JsonObject Answer(JsonObject review, string kind, AccessDecision decision)
    {
        var answer = Echo(review, AuthorizationGroup, kind);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Denied)
            status["denied"] = true;
        if (decision.Reason.Length > 0)
            status["reason"] = decision.Reason;
        answer["status"] = status;
        return answer;
    }

    /// <summary>
    /// A SelfSubjectRulesReview answer. Members of system:masters get the wildcard rules the
    /// privileged-groups authorizer reports; everyone else the rules RBAC grants in spec.namespace.
    /// </summary>
    public static JsonObject AnswerRules(JsonObject review, AuthUser user, RbacAuthorizer authorizer)
    {
        var answer = Echo(review, AuthorizationGroup, "SelfSubjectRulesReview");
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        var rules = user.IsInGroup(AuthUser.Masters)
            ? [BootstrapPolicy.Rule(["*"], ["*"], ["*"]), BootstrapPolicy.UrlRule(["*"], ["*"])]
            : authorizer.RulesFor(user, Text(Spec(review), "namespace"));
        foreach (var rule in rules)
        {
            if (rule["nonResourceURLs"] is JsonArray urls)
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = rule["verbs"]?.DeepClone(), ["nonResourceURLs"] = urls.DeepClone() });
                continue;
            }
            var entry = new JsonObject { ["verbs"] = rule["verbs"]?.DeepClone() };
            foreach (var key in new[] { "apiGroups", "resources", "resourceNames" })
                if (rule[key] is JsonArray values)
                    entry[key] = values.DeepClone();
            resourceRules.Add(entry);
        }
        answer["status"] = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            ["incomplete"] = false,
        };
        return answer;
    }

    /// <summary>A SelfSubjectReview answer: who the caller is.</summary>
    public static JsonObject AnswerWhoAmI(JsonObject review, AuthUser user)
    {
        var answer = Echo(review, AuthenticationGroup, "SelfSubjectReview");
        var userInfo = new JsonObject
        {
            ["username"] = user.Name,
            ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()),
        };
        if (user.Uid is not null)
            userInfo["uid"] = user.Uid;
        answer["status"] = new JsonObject { ["userInfo"] = userInfo };
        return answer;
    }

    private static IReadOnlyList<FieldError> ValidateAttributes(JsonObject spec)
    {
        var hasResource = spec["resourceAttributes"] is JsonObject;
        var hasNonResource = spec["nonResourceAttributes"] is JsonObject;
        if (hasResource && hasNonResource)
            return [new FieldError("FieldValueInvalid", "spec.nonResourceAttributes",
                $"Invalid value: {spec["nonResourceAttributes"]!.ToJsonString()}: cannot be specified in combination with resourceAttributes")];
        if (!hasResource && !hasNonResource)
            return [new FieldError("FieldValueInvalid", "spec.resourceAttributes",
                "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified")];
        return [];
    }

    private static JsonObject Echo(JsonObject review, string group, string kind)
    {
        var answer = review.DeepClone().AsObject();
        answer["apiVersion"] = $"{group}/v1";
        answer["kind"] = kind;
        answer["metadata"] ??= new JsonObject();
        answer["spec"] ??= new JsonObject();
        return answer;
    }

    private static JsonObject Spec(JsonObject review) => review["spec"] as JsonObject ?? new JsonObject();

    private static string Text(JsonObject obj, string property) => (string?)obj[property] ?? "";
}
