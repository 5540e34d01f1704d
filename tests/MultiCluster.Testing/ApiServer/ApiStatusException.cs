using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// A failure the API server reports as a <c>kind: Status</c> body. The factories reproduce
/// kube-apiserver's reasons, codes and message wording.
/// </summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }
    public string Reason { get; }
    public JsonObject? Details { get; }
    /// <summary>Seconds for a Retry-After header (429 and some 500s).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The continue token a 410 for an expired one offers (metadata.continue of the Status).</summary>
    public string? ListContinue { get; init; }

    public JsonObject ToStatus()
    {
        var status = StatusBody(Code, Reason, Message, Details?.DeepClone().AsObject());
        if (ListContinue is not null) status["metadata"] = new JsonObject { ["continue"] = ListContinue };
        return status;
    }

    public static JsonObject StatusBody(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
        };
        if (reason.Length > 0) status["reason"] = reason;
        if (details is not null) status["details"] = details;
        status["code"] = code;
        return status;
    }

    private static JsonObject ResourceDetails(string? name, string group, string kind)
    {
        var details = new JsonObject();
        if (!string.IsNullOrEmpty(name)) details["name"] = name;
        if (group.Length > 0) details["group"] = group;
        details["kind"] = kind;
        return details;
    }

    private static string Qualified(string resource, string group) => group.Length == 0 ? resource : $"{resource}.{group}";

    public static ApiStatusException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(resource, group)} \"{name}\" not found", ResourceDetails(name, group, resource));

    public static ApiStatusException NotFound(ResourceType type, string name) => NotFound(type.Group, type.Plural, name);

    /// <summary>The 404 the server gives for a path it does not serve.</summary>
    public static ApiStatusException PathNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiStatusException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedResource} \"{name}\" already exists", ResourceDetails(name, type.Group, type.Plural));

    public static ApiStatusException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedResource} \"{name}\": {why}", ResourceDetails(name, type.Group, type.Plural));

    public static ApiStatusException StaleResourceVersion(ResourceType type, string name) =>
        Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiStatusException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors) =>
        Invalid(type.Group, type.Kind, name, errors);

    public static ApiStatusException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var error in errors)
            causes.Add(new JsonObject { ["reason"] = error.Type, ["message"] = CauseMessage(error), ["field"] = error.Field });
        var details = ResourceDetails(name, group, kind);
        details["causes"] = causes;
        var rendered = errors.Select(e => $"{e.Field}: {CauseMessage(e)}").ToList();
        var list = rendered.Count == 1 ? rendered[0] : $"[{string.Join(", ", rendered)}]";
        return new ApiStatusException(422, "Invalid", $"{Qualified(kind, group)} \"{name}\" is invalid: {list}", details);
    }

    // A FieldError's message may already carry the "Invalid value: ..." prefix; the cause's message is that text.
    private static string CauseMessage(FieldError error) => error.Message;

    public static ApiStatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiStatusException MethodNotSupported(ResourceType type, string verb) =>
        new(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{type.QualifiedResource}\"",
            ResourceDetails(null, type.Group, type.Plural));

    public static ApiStatusException UnsupportedMediaType() =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");

    public static ApiStatusException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiStatusException Forbidden(string message, string? name, string group, string resource) =>
        new(403, "Forbidden", message, ResourceDetails(name, group, resource));

    public static ApiStatusException Gone(string message) => new(410, "Expired", message);

    /// <summary>kube-apiserver's answer to a continue token whose snapshot etcd has compacted away.</summary>
    public static ApiStatusException ContinueExpired(string inconsistentContinue) =>
        new(410, "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, "
            + "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an "
            + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
        { ListContinue = inconsistentContinue };

    public static ApiStatusException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}", new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["message"] = message }),
        });

    public static ApiStatusException TooManyRequests(int retryAfterSeconds) =>
        new(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds })
        { RetryAfterSeconds = retryAfterSeconds };
}
