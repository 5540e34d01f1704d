using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>An authenticated caller.</summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    public static readonly UserInfo Admin = new("admin", ["system:masters", "system:authenticated"]);
}

/// <summary>Turns a bearer token into a user; null when the token is not this authenticator's.</summary>
public interface IAuthenticator
{
    UserInfo? Authenticate(string bearerToken);
}

/// <summary>What a request wants to do, as kube-apiserver's authorizer attributes.</summary>
/// <param name="Verb">get, list, watch, create, update, patch, delete, deletecollection (or a non-resource verb).</param>
/// <param name="ApiGroup">"" for the core group.</param>
/// <param name="Resource">Plural resource name; empty for non-resource requests.</param>
/// <param name="Subresource">status, scale, token ... or empty.</param>
/// <param name="Namespace">Empty for cluster-scoped requests.</param>
/// <param name="Name">Empty for list/create/collection requests.</param>
/// <param name="Path">The request path (for non-resource requests such as /version).</param>
public sealed record AuthorizationAttributes(
    UserInfo User, string Verb, string ApiGroup, string Resource, string Subresource, string Namespace, string Name,
    string Path)
{
    public bool IsResourceRequest => Resource.Length > 0;
}

/// <summary>An authorizer's answer; Reason is appended to the 403 message.</summary>
public sealed record AuthorizationDecision(bool Allowed, string Reason = "")
{
    public static readonly AuthorizationDecision Allow = new(true);
}

public interface IAuthorizer
{
    AuthorizationDecision Authorize(AuthorizationAttributes attributes);
}

/// <summary>The default authorizer: members of system:masters may do anything; nobody else may do anything.</summary>
public sealed class MastersOnlyAuthorizer : IAuthorizer
{
    public AuthorizationDecision Authorize(AuthorizationAttributes attributes) =>
        attributes.User.Groups.Contains("system:masters") ? AuthorizationDecision.Allow : new AuthorizationDecision(false);
}

/// <summary>
/// Implemented by a hook that also reads bodies in the Kubernetes protobuf encoding (kubectl
/// sends built-in kinds such as SelfSubjectAccessReview and TokenRequest that way).
/// </summary>
public interface IProtobufBodyReader
{
    /// <summary>The body as JSON, or null when the hook cannot read it (the server then answers 415).</summary>
    JsonObject? ReadProtobuf(byte[] body);
}

/// <summary>
/// Turns the authenticated caller into the user the request runs as (the Impersonate-* headers);
/// throws <see cref="ApiStatusException"/> to refuse. <c>header(name)</c> gives a header's values.
/// </summary>
public interface IImpersonator
{
    UserInfo Impersonate(UserInfo caller, Func<string, IReadOnlyList<string>> header);
}

/// <summary>A simulated in-cluster controller, started with its instance and stopped before it stops.</summary>
public interface IController
{
    string Name { get; }
    void Start(ClusterContext cluster);
    void Stop();
}

/// <summary>What a hook gets for one request to the resource or subresource it serves.</summary>
/// <param name="Verb">create, get, update ...</param>
/// <param name="Body">The decoded request body (JSON or YAML), or null.</param>
/// <param name="DryRun">True for dryRun=All: answer as if written, change nothing.</param>
public sealed record HookRequest(
    ClusterContext Cluster, UserInfo User, string Verb, string ApiVersion, string? Namespace, string? Name, JsonObject? Body,
    IReadOnlyDictionary<string, string> Query, bool DryRun);

/// <summary>
/// Serves a resource or subresource the core does not implement itself: the TokenRequest
/// subresource (<c>"" serviceaccounts token</c>), <c>authorization.k8s.io selfsubjectaccessreviews</c>,
/// <c>subjectaccessreviews</c> ... The hook's answer is returned with 201 for create, 200 otherwise;
/// throw <see cref="ApiStatusException"/> for errors. Authorization already happened.
/// </summary>
public interface IRequestHook
{
    string Group { get; }
    string Resource { get; }
    /// <summary>null for a whole resource (e.g. selfsubjectaccessreviews).</summary>
    string? Subresource { get; }
    Task<JsonObject> HandleAsync(HookRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A check the core runs on every create and update of a resource (PUT, patch, apply; dry runs too), after defaulting and
/// before validation, as kube-apiserver's policy-based storages and admission do; throw <see cref="ApiStatusException"/> to
/// refuse. <see cref="WriteAdmissionRequest.Live"/> is null on create.
/// </summary>
public interface IWriteAdmission
{
    void Admit(WriteAdmissionRequest request);
}

/// <summary>One write as <see cref="IWriteAdmission"/> sees it: who, what kind, where, the stored object and the one to store.</summary>
public sealed record WriteAdmissionRequest(
    ClusterContext Cluster, UserInfo User, ResourceType Type, string? Namespace, string Name, JsonObject? Live, JsonObject Object);

/// <summary>
/// Time as the simulated controllers see it: real time plus an offset a test advances. Store
/// timestamps follow it too, so a test that advances an hour sees objects created an hour later.
/// </summary>
public sealed class TestClock
{
    private long offsetTicks;

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    /// <summary>Raised after every advance with the new time; controllers re-check their timers on it.</summary>
    public event Action<DateTimeOffset>? Advanced;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "the clock only moves forward");
        Interlocked.Add(ref offsetTicks, by.Ticks);
        Advanced?.Invoke(UtcNow);
    }
}

/// <summary>What a controller or hook can reach of its instance.</summary>
public sealed class ClusterContext
{
    internal ClusterContext(EmulatedCluster cluster) => Cluster = cluster;

    public EmulatedCluster Cluster { get; }
    public string Name => Cluster.Name;
    public ObjectStore Store => Cluster.Store;
    public ResourceRegistry Registry => Cluster.Registry;
    public TestClock Clock => Cluster.Clock;
    public IAuthorizer Authorizer => Cluster.Authorizer;
}
