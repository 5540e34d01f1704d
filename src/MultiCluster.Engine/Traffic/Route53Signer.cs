using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace MultiCluster.Engine.Traffic;

/// <summary>
/// Signs a Route 53 request with SigV4 in the Authorization header (service <c>route53</c>). The
/// canonical request is assembled here; the string to sign, signing key and signature come from
/// AWSSDK.Core's <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>.
/// </summary>
internal static class Route53Signer
{
    public const string Service = "route53";

    /// <summary>The region Route 53 requests are signed for, from the endpoint: global us-east-1, China cn-northwest-1, GovCloud us-gov-west-1.</summary>
    public static string SigningRegion(Uri endpoint) =>
        endpoint.Host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase) ? "cn-northwest-1"
        : endpoint.Host.Contains("us-gov", StringComparison.OrdinalIgnoreCase) ? "us-gov-west-1"
        : "us-east-1";

    public static void Sign(HttpRequestMessage request, byte[] body, ImmutableCredentials credentials, string region, DateTime signedAtUtc)
    {
        var uri = request.RequestUri!;
        var amzDate = signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var payloadHash = Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        if (credentials.UseToken) headers["x-amz-security-token"] = credentials.Token;
        var signedHeaders = string.Join(";", headers.Keys);
        var canonicalRequest = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(CanonicalPath(uri.AbsolutePath)).Append('\n')
            .Append(CanonicalQuery(uri.Query)).Append('\n')
            .Append(string.Concat(headers.Select(h => $"{h.Key}:{h.Value.Trim()}\n"))).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(payloadHash)
            .ToString();
        var signature = AWS4Signer.ComputeSignature(credentials.AccessKey, credentials.SecretKey, region,
            DateTime.SpecifyKind(signedAtUtc, DateTimeKind.Utc), Service, signedHeaders, canonicalRequest).Signature;

        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", payloadHash);
        if (credentials.UseToken) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={credentials.AccessKey}/{signedAtUtc:yyyyMMdd}/{region}/{Service}/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    // Each segment URI-encoded once (Route 53 paths hold only ids and fixed words).
    private static string CanonicalPath(string path) =>
        string.Join("/", path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));

    private static string CanonicalQuery(string query) =>
        string.Join("&", query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: Uri.EscapeDataString(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
}
