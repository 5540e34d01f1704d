using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// Service account tokens as the API server issues them: JWT-shaped, carrying the claims of the
/// real ones (so tools that decode them read the same subject and expiry), registered with the
/// instance's <see cref="TokenRegistry"/>. The signature is random bytes: the emulator accepts its
/// tokens by lookup, and nothing outside it can verify them.
/// </summary>
public static class ServiceAccountTokens
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    public const long DefaultExpirationSeconds = 3600;
    public const long MinExpirationSeconds = 600;
    public const string LegacySecretType = "kubernetes.io/service-account-token";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";
    public const string ServiceAccountUidAnnotation = "kubernetes.io/service-account.uid";

    /// <summary>Validation errors of a TokenRequest, in the real server's wording.</summary>
    public static IReadOnlyList<FieldError> Validate(JsonObject tokenRequest)
    {
        if (tokenRequest["spec"]?["expirationSeconds"] is not JsonValue value || !value.TryGetValue<long>(out var seconds))
            return [];
        if (seconds < MinExpirationSeconds)
            return [new FieldError("FieldValueInvalid", "spec.expirationSeconds",
                $"Invalid value: {seconds}: may not specify a duration less than 10 minutes")];
        if (seconds > 1L << 32)
            return [new FieldError("FieldValueInvalid", "spec.expirationSeconds",
                $"Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds")];
        return [];
    }

    /// <summary>
    /// Issues the token a TokenRequest asks for and returns the TokenRequest answer (spec with its
    /// defaults, status.token and status.expirationTimestamp).
    /// </summary>
    /// <param name="stillBound">Asked on each use of the token: false once the service account is gone.</param>
    public static JsonObject Issue(JsonObject serviceAccount, JsonObject? tokenRequest, DateTimeOffset now,
        TokenRegistry registry, Func<bool> stillBound)
    {
        var (ns, name, uid) = Identity(serviceAccount);
        var spec = tokenRequest?["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        var seconds = spec["expirationSeconds"] is JsonValue v && v.TryGetValue<long>(out var requested) ? requested : DefaultExpirationSeconds;
        spec["expirationSeconds"] = seconds;
        if (spec["audiences"] is not JsonArray { Count: > 0 })
            spec["audiences"] = new JsonArray(Issuer);
        spec["boundObjectRef"] ??= null;
        var expires = TruncateToSeconds(now + TimeSpan.FromSeconds(seconds));
        var kubernetesClaims = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = uid },
        };
        if (spec["boundObjectRef"] is JsonObject bound && (string?)bound["kind"] is { Length: > 0 } boundKind)
            kubernetesClaims[boundKind.ToLowerInvariant()] = new JsonObject { ["name"] = bound["name"]?.DeepClone(), ["uid"] = bound["uid"]?.DeepClone() };
        var claims = new JsonObject
        {
            ["aud"] = spec["audiences"]!.DeepClone(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = kubernetesClaims,
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["sub"] = AuthUser.ServiceAccountUserName(ns, name),
        };
        var token = registry.Register(Jwt(claims), AuthUser.ForServiceAccount(ns, name, uid), expires, stillBound);
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["creationTimestamp"] = TruncateToSeconds(now).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["token"] = token,
                ["expirationTimestamp"] = expires.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            },
        };
    }

    /// <summary>
    /// Issues the never-expiring token of a legacy <c>kubernetes.io/service-account-token</c>
    /// Secret, with the claims the legacy token controller writes.
    /// </summary>
    public static string IssueLegacy(JsonObject serviceAccount, string secretName, TokenRegistry registry, Func<bool> stillBound)
    {
        var (ns, name, uid) = Identity(serviceAccount);
        var claims = new JsonObject
        {
            ["iss"] = "kubernetes/serviceaccount",
            ["kubernetes.io/serviceaccount/namespace"] = ns,
            ["kubernetes.io/serviceaccount/secret.name"] = secretName,
            ["kubernetes.io/serviceaccount/service-account.name"] = name,
            ["kubernetes.io/serviceaccount/service-account.uid"] = uid,
            ["sub"] = AuthUser.ServiceAccountUserName(ns, name),
        };
        return registry.Register(Jwt(claims), AuthUser.ForServiceAccount(ns, name, uid), null, stillBound);
    }

    private static (string Namespace, string Name, string Uid) Identity(JsonObject serviceAccount) =>
        ((string?)serviceAccount["metadata"]?["namespace"] ?? "",
         (string?)serviceAccount["metadata"]?["name"] ?? "",
         (string?)serviceAccount["metadata"]?["uid"] ?? "");

    private static string Jwt(JsonObject claims)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = "emulator" };
        return string.Join('.',
            TokenRegistry.Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())),
            TokenRegistry.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString())),
            TokenRegistry.Base64Url(RandomNumberGenerator.GetBytes(256)));
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
