using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// The bearer tokens one instance accepts. Tokens are random and kept only as SHA-256 digests, so
/// the registry never holds a usable secret after handing it out. Every authenticated user gets
/// <c>system:authenticated</c>, as the real server's authenticated-group adder does.
/// </summary>
public sealed class TokenRegistry(Func<DateTimeOffset> now)
{
    private sealed record Entry(AuthUser User, DateTimeOffset? ExpiresAt, Func<bool>? StillValid);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Mints a token for <paramref name="user"/> in <paramref name="groups"/>.</summary>
    /// <param name="lifetime">How long the token stays valid on the instance's clock; null for ever.</param>
    public string Mint(string user, IEnumerable<string>? groups = null, TimeSpan? lifetime = null) =>
        Register(NewOpaqueToken(), new AuthUser(user, (groups ?? []).ToArray()), lifetime is { } l ? now() + l : null);

    /// <summary>
    /// Registers a token that was built elsewhere (a service account JWT). <paramref name="stillValid"/>
    /// is asked on each use, so a token dies with the object it is bound to.
    /// </summary>
    public string Register(string token, AuthUser user, DateTimeOffset? expiresAt, Func<bool>? stillValid = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _entries[Digest(token)] = new Entry(user, expiresAt, stillValid);
        return token;
    }

    public bool Revoke(string token) => _entries.TryRemove(Digest(token), out _);

    /// <summary>The user a token stands for, or null when it is unknown, expired or no longer bound.</summary>
    public AuthUser? Authenticate(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_entries.TryGetValue(Digest(token), out var entry))
            return null;
        if (entry.ExpiresAt is { } expiry && now() >= expiry)
            return null;
        if (entry.StillValid is { } check && !check())
            return null;
        var user = entry.User;
        return user.IsInGroup(AuthUser.Authenticated) ? user : user with { Groups = [.. user.Groups, AuthUser.Authenticated] };
    }

    internal static string NewOpaqueToken() => SecretCanary.Marker + Base64Url(RandomNumberGenerator.GetBytes(32));

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Digest(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
