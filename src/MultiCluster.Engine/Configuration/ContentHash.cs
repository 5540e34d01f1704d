using System.Security.Cryptography;
using System.Text;

namespace MultiCluster.Engine.Configuration;

/// <summary>
/// The content hash a synced copy carries (<c>multicluster.io/content-hash: sha256:&lt;hex&gt;</c>):
/// SHA-256 over a canonical form of kind, type and the keys in ordinal order with their bytes,
/// each part length-prefixed so no two contents share a form. Each value is read, hashed and zeroed
/// one at a time.
/// </summary>
public static class ContentHash
{
    public const string Prefix = "sha256:";

    public static string Compute(string kind, string type, IEnumerable<SecretValue> values)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendText(hash, kind);
        AppendText(hash, type);
        foreach (var value in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            AppendText(hash, value.Key);
            var bytes = value.Read();
            try
            {
                AppendLength(hash, bytes.Length);
                hash.AppendData(bytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
        return Prefix + Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        AppendLength(hash, bytes.Length);
        hash.AppendData(bytes);
    }

    private static void AppendLength(IncrementalHash hash, int length)
    {
        Span<byte> prefix = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        hash.AppendData(prefix);
    }
}
