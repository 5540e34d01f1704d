using System.Security.Cryptography;

namespace MultiCluster.Testing;

/// <summary>
/// Every credential the test bed issues (admin bearer tokens, opaque tokens from TokenRequest and
/// the token registry) starts with <see cref="Marker"/>, so that a test can look for the marker
/// in everything a command produced (streams, serialized errors, files) and fail when a secret
/// escaped, without knowing which token it would have been.
/// </summary>
public static class SecretCanary
{
    /// <summary>Text no output, error or non-private file may ever contain.</summary>
    public const string Marker = "mcCanaryQ7";

    /// <summary>A new random token carrying the marker.</summary>
    public static string NewToken(int randomBytes = 24) => Marker + Convert.ToHexString(RandomNumberGenerator.GetBytes(randomBytes)).ToLowerInvariant();
}
