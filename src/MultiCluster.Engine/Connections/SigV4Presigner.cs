using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// Builds SigV4 query-string presigned URLs. The canonical request is assembled here (AWSSDK.Core's
/// presigner needs a service client configuration and reads the clock itself); the string to sign,
/// the signing key and the signature come from AWSSDK.Core's <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>.
/// </summary>
internal static class SigV4Presigner
{
    internal const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    internal const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <param name="headers">Headers to sign besides <c>host</c>, lowercase names.</param>
    public static string Presign(string method, string host, string path, IEnumerable<KeyValuePair<string, string>> query,
        IReadOnlyDictionary<string, string> headers, string payloadHash, string service, string region,
        ImmutableCredentials credentials, DateTime signedAtUtc, int expiresSeconds)
    {
        var amzDate = signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{signedAtUtc:yyyyMMdd}/{region}/{service}/aws4_request";

        var signedHeaders = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = host };
        foreach (var (name, value) in headers) signedHeaders[name.ToLowerInvariant()] = value.Trim();
        var signedHeaderNames = string.Join(";", signedHeaders.Keys);

        var parameters = query.ToList();
        parameters.Add(new("X-Amz-Algorithm", "AWS4-HMAC-SHA256"));
        parameters.Add(new("X-Amz-Credential", $"{credentials.AccessKey}/{scope}"));
        parameters.Add(new("X-Amz-Date", amzDate));
        parameters.Add(new("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture)));
        if (credentials.UseToken) parameters.Add(new("X-Amz-Security-Token", credentials.Token));
        parameters.Add(new("X-Amz-SignedHeaders", signedHeaderNames));
        var canonicalQuery = string.Join("&", parameters
            .Select(p => (Key: Uri.EscapeDataString(p.Key), Value: Uri.EscapeDataString(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));

        var canonicalPath = string.Join("/", path.Split('/').Select(Uri.EscapeDataString));
        var canonicalRequest = new StringBuilder()
            .Append(method).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n')
            .Append(string.Concat(signedHeaders.Select(h => $"{h.Key}:{h.Value}\n"))).Append('\n')
            .Append(signedHeaderNames).Append('\n')
            .Append(payloadHash)
            .ToString();

        var signature = AWS4Signer.ComputeSignature(credentials.AccessKey, credentials.SecretKey, region,
            DateTime.SpecifyKind(signedAtUtc, DateTimeKind.Utc), service, signedHeaderNames, canonicalRequest).Signature;
        return $"https://{host}{canonicalPath}?{canonicalQuery}&X-Amz-Signature={signature}";
    }
}
