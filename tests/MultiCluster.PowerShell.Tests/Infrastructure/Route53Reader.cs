using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// Reads a hosted zone's record sets from the emulated Route 53 (ListResourceRecordSets with a
/// SigV4-signed GET), written here apart from the module's own client so that a check does not
/// trust the code it checks.
/// </summary>
public static class Route53Reader
{
    private static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

    public sealed record RecordSet(string Name, string Type, string? SetIdentifier, string? Failover, string? HealthCheckId, long? Ttl, IReadOnlyList<string> Values);

    public static async Task<IReadOnlyList<RecordSet>> RecordSetsAsync(EmulatedRoute53 route53)
    {
        var (accessKey, secretKey) = Keys(route53.CredentialsFile);
        var path = $"/2013-04-01/hostedzone/{route53.ZoneId}/rrset";
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/us-east-1/route53/aws4_request";
        var host = $"{route53.Endpoint.Host}:{route53.Endpoint.Port}";
        var canonicalRequest = string.Join("\n", "GET", path, "", $"host:{host}\nx-amz-date:{amzDate}\n", "host;x-amz-date", Hex(SHA256.HashData([])));
        var stringToSign = string.Join("\n", "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), amzDate[..8]), "us-east-1"), "route53"), "aws4_request");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(route53.Endpoint, path));
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders=host;x-amz-date, Signature={Hex(Hmac(signingKey, stringToSign))}");
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ListResourceRecordSets answered {(int)response.StatusCode}: {body}");
        return XDocument.Parse(body).Descendants(Ns + "ResourceRecordSet").Select(set => new RecordSet(
            set.Element(Ns + "Name")!.Value, set.Element(Ns + "Type")!.Value, set.Element(Ns + "SetIdentifier")?.Value, set.Element(Ns + "Failover")?.Value,
            set.Element(Ns + "HealthCheckId")?.Value, long.TryParse(set.Element(Ns + "TTL")?.Value, CultureInfo.InvariantCulture, out var ttl) ? ttl : null,
            set.Descendants(Ns + "Value").Select(v => v.Value).ToList())).ToList();
    }

    private static (string AccessKey, string SecretKey) Keys(string credentialsFile)
    {
        var values = File.ReadAllLines(credentialsFile).Select(l => l.Split('=', 2, StringSplitOptions.TrimEntries)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        return (values["aws_access_key_id"], values["aws_secret_access_key"]);
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
