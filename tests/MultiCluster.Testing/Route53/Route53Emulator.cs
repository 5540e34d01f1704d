using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Route53;

/// <summary>
/// Amazon Route 53 (API 2013-04-01) over HTTP on 127.0.0.1, for the operations the module uses:
/// ListHostedZonesByName, ListResourceRecordSets, ChangeResourceRecordSets and GetChange, with the
/// documented request and response XML. Every request must carry a valid SigV4 signature
/// (service route53, region us-east-1) by a known access key: verified here independently of
/// AWSSDK.Core. A change stays PENDING for <see cref="PendingFor"/> on <see cref="Clock"/>, then
/// INSYNC. Change batches are all or nothing: CREATE of an existing set, DELETE of a missing or
/// different one, a non-simple record without SetIdentifier, or mixed policies for one name and
/// type reject the whole batch (InvalidChangeBatch). Left out: health checks, traffic policies,
/// paging limits below the documented maxima, and the DNS answers themselves.
/// </summary>
public sealed class Route53Emulator : IAsyncDisposable
{
    public static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

    private readonly object _gate = new();
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Zone> _zones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset SubmittedAt, string? Comment)> _changes = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private WebApplication? _app;

    private sealed record Zone(string Id, string Name, string CallerReference, bool PrivateZone, List<XElement> Records);

    public TestClock Clock { get; } = new();

    /// <summary>How long a change stays PENDING (on <see cref="Clock"/>).</summary>
    public TimeSpan PendingFor { get; set; } = TimeSpan.FromSeconds(2);

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request as "METHOD path?query", in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate) return _requests.ToList();
        }
    }

    public static async Task<Route53Emulator> StartAsync()
    {
        var emulator = new Route53Emulator();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(emulator.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        emulator._app = app;
        return emulator;
    }

    /// <summary>Lets this access key in, signing with this secret.</summary>
    public void AddCredentials(string accessKey, string secretKey)
    {
        lock (_gate) _keys[accessKey] = secretKey;
    }

    /// <summary>Creates a hosted zone (with its SOA and NS sets) and returns its id (no prefix).</summary>
    public string AddHostedZone(string name, bool privateZone = false)
    {
        var absolute = Absolute(name);
        var id = "Z" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10));
        var records = new List<XElement>
        {
            Record(absolute, "NS", 172800, "ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk."),
            Record(absolute, "SOA", 900, "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"),
        };
        lock (_gate) _zones[id] = new Zone(id, absolute, Guid.NewGuid().ToString(), privateZone, records);
        return id;
    }

    /// <summary>The record sets of a zone as Route 53 holds them (ResourceRecordSet elements).</summary>
    public IReadOnlyList<XElement> RecordSets(string zoneId)
    {
        lock (_gate) return _zones[zoneId].Records.Select(r => new XElement(r)).ToList();
    }

    public static XElement Record(string name, string type, long ttl, params string[] values) =>
        new(Ns + "ResourceRecordSet", new XElement(Ns + "Name", Absolute(name)), new XElement(Ns + "Type", type), new XElement(Ns + "TTL", ttl),
            new XElement(Ns + "ResourceRecords", values.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v)))));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync().ConfigureAwait(false);
        lock (_gate) _requests.Add($"{request.Method} {request.Path}{request.QueryString}");
        XDocument answer;
        try
        {
            Authenticate(request, body);
            answer = Route(request, body);
        }
        catch (Route53Fault fault)
        {
            context.Response.StatusCode = fault.Status;
            answer = new XDocument(new XElement(Ns + "ErrorResponse",
                new XElement(Ns + "Error", new XElement(Ns + "Type", "Sender"), new XElement(Ns + "Code", fault.Code), new XElement(Ns + "Message", fault.Message)),
                new XElement(Ns + "RequestId", Guid.NewGuid())));
        }
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(new XDeclaration("1.0", "UTF-8", null) + answer.ToString(SaveOptions.DisableFormatting)).ConfigureAwait(false);
    }

    private XDocument Route(HttpRequest request, string body)
    {
        var path = request.Path.Value ?? "";
        var segments = path.Trim('/').Split('/');
        if (segments.Length < 2 || segments[0] != "2013-04-01") throw new Route53Fault(404, "UnknownOperationException", $"Unknown operation {request.Method} {path}");
        return (request.Method, segments[1], segments.Length) switch
        {
            ("GET", "hostedzonesbyname", 2) => ListHostedZonesByName(request.Query["dnsname"], request.Query["hostedzoneid"], request.Query["maxitems"]),
            ("GET", "hostedzone", 4) when segments[3] == "rrset" => ListResourceRecordSets(segments[2], request.Query["name"], request.Query["type"], request.Query["identifier"], request.Query["maxitems"]),
            ("POST", "hostedzone", 4) when segments[3] == "rrset" => ChangeResourceRecordSets(segments[2], body),
            ("GET", "change", 3) => GetChange(segments[2]),
            _ => throw new Route53Fault(404, "UnknownOperationException", $"Unknown operation {request.Method} {path}"),
        };
    }

    private XDocument ListHostedZonesByName(string? dnsName, string? fromId, string? maxItems)
    {
        var max = int.TryParse(maxItems, out var m) ? Math.Clamp(m, 1, 100) : 100;
        if (fromId is { Length: > 0 } && string.IsNullOrEmpty(dnsName)) throw new Route53Fault(400, "InvalidInput", "The DNSName must be specified when HostedZoneId is specified.");
        List<Zone> zones;
        lock (_gate) zones = _zones.Values.OrderBy(z => Reversed(z.Name), StringComparer.Ordinal).ThenBy(z => z.Id, StringComparer.Ordinal).ToList();
        if (!string.IsNullOrEmpty(dnsName))
        {
            var start = Reversed(Absolute(dnsName));
            zones = zones.Where(z => string.CompareOrdinal(Reversed(z.Name), start) > 0
                || (Reversed(z.Name) == start && (string.IsNullOrEmpty(fromId) || string.CompareOrdinal(z.Id, fromId) >= 0))).ToList();
        }
        var page = zones.Take(max).ToList();
        var root = new XElement(Ns + "ListHostedZonesByNameResponse",
            new XElement(Ns + "HostedZones", page.Select(z => new XElement(Ns + "HostedZone",
                new XElement(Ns + "Id", "/hostedzone/" + z.Id), new XElement(Ns + "Name", z.Name), new XElement(Ns + "CallerReference", z.CallerReference),
                new XElement(Ns + "Config", new XElement(Ns + "PrivateZone", z.PrivateZone ? "true" : "false")),
                new XElement(Ns + "ResourceRecordSetCount", z.Records.Count)))));
        if (!string.IsNullOrEmpty(dnsName)) root.Add(new XElement(Ns + "DNSName", dnsName));
        if (!string.IsNullOrEmpty(fromId)) root.Add(new XElement(Ns + "HostedZoneId", fromId));
        root.Add(new XElement(Ns + "IsTruncated", zones.Count > max ? "true" : "false"));
        if (zones.Count > max)
        {
            root.Add(new XElement(Ns + "NextDNSName", zones[max].Name));
            root.Add(new XElement(Ns + "NextHostedZoneId", zones[max].Id));
        }
        root.Add(new XElement(Ns + "MaxItems", max));
        return new XDocument(root);
    }

    private XDocument ListResourceRecordSets(string zoneId, string? name, string? type, string? identifier, string? maxItems)
    {
        if (!string.IsNullOrEmpty(type) && string.IsNullOrEmpty(name)) throw new Route53Fault(400, "InvalidInput", "The input is not valid: Type cannot be specified without Name.");
        var max = int.TryParse(maxItems, out var m) ? Math.Clamp(m, 1, 300) : 300;
        List<XElement> records;
        lock (_gate) records = Find(zoneId).Records.Select(r => new XElement(r)).ToList();
        var ordered = records.OrderBy(r => Reversed(Text(r, "Name")), StringComparer.Ordinal).ThenBy(r => Text(r, "Type"), StringComparer.Ordinal)
            .ThenBy(r => Text(r, "SetIdentifier") ?? "", StringComparer.Ordinal).ToList();
        if (!string.IsNullOrEmpty(name))
        {
            var start = (Reversed(Absolute(name)), type ?? "", identifier ?? "");
            ordered = ordered.Where(r => Compare((Reversed(Text(r, "Name")), Text(r, "Type")!, Text(r, "SetIdentifier") ?? ""), start) >= 0).ToList();
        }
        var root = new XElement(Ns + "ListResourceRecordSetsResponse", new XElement(Ns + "ResourceRecordSets", ordered.Take(max)),
            new XElement(Ns + "IsTruncated", ordered.Count > max ? "true" : "false"));
        if (ordered.Count > max)
        {
            root.Add(new XElement(Ns + "NextRecordName", Text(ordered[max], "Name")), new XElement(Ns + "NextRecordType", Text(ordered[max], "Type")));
            if (Text(ordered[max], "SetIdentifier") is { } next) root.Add(new XElement(Ns + "NextRecordIdentifier", next));
        }
        root.Add(new XElement(Ns + "MaxItems", max));
        return new XDocument(root);
    }

    private XDocument ChangeResourceRecordSets(string zoneId, string body)
    {
        XDocument request;
        try { request = XDocument.Parse(body); }
        catch (System.Xml.XmlException e) { throw new Route53Fault(400, "InvalidInput", "Could not parse the request body: " + e.Message); }
        var batch = request.Root?.Name == Ns + "ChangeResourceRecordSetsRequest" ? request.Root.Element(Ns + "ChangeBatch") : null;
        var changes = batch?.Element(Ns + "Changes")?.Elements(Ns + "Change").ToList() ?? [];
        if (changes.Count == 0) throw new Route53Fault(400, "InvalidInput", "The request must contain a ChangeBatch with at least one Change.");
        var comment = batch!.Element(Ns + "Comment")?.Value;
        var id = "C" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10));
        var now = Clock.UtcNow;
        lock (_gate)
        {
            var zone = Find(zoneId);
            var records = zone.Records.Select(r => new XElement(r)).ToList();
            var problems = new List<string>();
            foreach (var change in changes)
            {
                var action = Text(change, "Action");
                var set = change.Element(Ns + "ResourceRecordSet");
                if (set is null || action is not ("CREATE" or "DELETE" or "UPSERT"))
                {
                    problems.Add("Invalid change: every Change needs an Action of CREATE, DELETE or UPSERT and a ResourceRecordSet");
                    continue;
                }
                var normalized = Normalize(set);
                var label = $"[name='{Text(normalized, "Name")}', type='{Text(normalized, "Type")}'{(Text(normalized, "SetIdentifier") is { } sid ? $", set-identifier='{sid}'" : "")}]";
                if (!Text(normalized, "Name")!.EndsWith(zone.Name, StringComparison.Ordinal))
                {
                    problems.Add($"RRSet with DNS name {Text(normalized, "Name")} is not permitted in zone {zone.Name}");
                    continue;
                }
                if (Policy(normalized) != "simple" && Text(normalized, "SetIdentifier") is null)
                {
                    problems.Add($"Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, ...] and a SetIdentifier for {label}");
                    continue;
                }
                var existing = records.FindIndex(r => SameSet(r, normalized));
                switch (action)
                {
                    case "CREATE" when existing >= 0:
                        problems.Add($"Tried to create resource record set {label} but it already exists");
                        break;
                    case "DELETE" when existing < 0:
                        problems.Add($"Tried to delete resource record set {label} but it was not found");
                        break;
                    case "DELETE" when !XNode.DeepEquals(records[existing], normalized):
                        problems.Add($"Tried to delete resource record set {label} but the values provided do not match the current values");
                        break;
                    case "DELETE":
                        records.RemoveAt(existing);
                        break;
                    default:
                        if (records.Any(r => SameNameAndType(r, normalized) && !SameSet(r, normalized) && Policy(r) != Policy(normalized)))
                        {
                            problems.Add($"RRSet {label} cannot be created because a record set with the same name and type uses another routing policy");
                            break;
                        }
                        if (existing >= 0) records[existing] = normalized;
                        else records.Add(normalized);
                        break;
                }
            }
            if (problems.Count > 0) throw new Route53Fault(400, "InvalidChangeBatch", string.Join("; ", problems));
            zone.Records.Clear();
            zone.Records.AddRange(records);
            _changes[id] = (now, comment);
        }
        return new XDocument(new XElement(Ns + "ChangeResourceRecordSetsResponse", ChangeInfo(id, now, comment)));
    }

    private XDocument GetChange(string id)
    {
        (DateTimeOffset SubmittedAt, string? Comment) change;
        lock (_gate)
        {
            if (!_changes.TryGetValue(id, out change)) throw new Route53Fault(404, "NoSuchChange", $"A change with the specified change ID does not exist: {id}");
        }
        return new XDocument(new XElement(Ns + "GetChangeResponse", ChangeInfo(id, change.SubmittedAt, change.Comment)));
    }

    private XElement ChangeInfo(string id, DateTimeOffset submittedAt, string? comment)
    {
        var info = new XElement(Ns + "ChangeInfo",
            new XElement(Ns + "Id", "/change/" + id),
            new XElement(Ns + "Status", Clock.UtcNow >= submittedAt + PendingFor ? "INSYNC" : "PENDING"),
            new XElement(Ns + "SubmittedAt", submittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        if (comment is not null) info.Add(new XElement(Ns + "Comment", comment));
        return info;
    }

    // ---- SigV4 ----

    private void Authenticate(HttpRequest request, string body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
            throw new Route53Fault(403, "MissingAuthenticationToken", "Missing Authentication Token");
        var match = System.Text.RegularExpressions.Regex.Match(authorization,
            @"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$");
        if (!match.Success) throw new Route53Fault(403, "IncompleteSignature", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.");
        var (accessKey, date, region, service, signedHeaders, signature) =
            (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value, match.Groups[5].Value, match.Groups[6].Value);
        string? secret;
        lock (_gate) secret = _keys.GetValueOrDefault(accessKey);
        if (secret is null) throw new Route53Fault(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        if (service != "route53" || region != "us-east-1")
            throw new Route53Fault(403, "SignatureDoesNotMatch", $"Credential should be scoped to a valid region and service: expected us-east-1/route53, got {region}/{service}.");
        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!amzDate.StartsWith(date, StringComparison.Ordinal)) throw new Route53Fault(403, "SignatureDoesNotMatch", "Date in Credential scope does not match X-Amz-Date.");
        var names = signedHeaders.Split(';');
        if (!names.Contains("host") || !names.Contains("x-amz-date")) throw new Route53Fault(403, "SignatureDoesNotMatch", "The host and x-amz-date headers must be signed.");
        var canonicalHeaders = string.Concat(names.Select(n => $"{n}:{(n == "host" ? request.Host.Value ?? "" : request.Headers[n].ToString()).Trim()}\n"));
        var payloadHash = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var canonicalRequest = string.Join("\n", request.Method, CanonicalPath(request.Path.Value ?? "/"), CanonicalQuery(request), canonicalHeaders, signedHeaders, payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join("\n", "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), region), service), "aws4_request");
        var expected = Hex(Hmac(key, stringToSign));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            throw new Route53Fault(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
    }

    private static string CanonicalPath(string path) => string.Join("/", path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));

    private static string CanonicalQuery(HttpRequest request) =>
        string.Join("&", request.Query.SelectMany(q => q.Value.Select(v => (Key: Uri.EscapeDataString(q.Key), Value: Uri.EscapeDataString(v ?? ""))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    // ---- records ----

    private Zone Find(string zoneId) =>
        _zones.GetValueOrDefault(zoneId) ?? throw new Route53Fault(404, "NoSuchHostedZone", $"No hosted zone found with ID: {zoneId}");

    private static XElement Normalize(XElement set)
    {
        var copy = new XElement(set);
        copy.Element(Ns + "Name")!.Value = Absolute(copy.Element(Ns + "Name")!.Value);
        return copy;
    }

    private static string Policy(XElement set) =>
        set.Element(Ns + "Weight") is not null ? "weighted" : set.Element(Ns + "Failover") is not null ? "failover"
        : set.Element(Ns + "GeoLocation") is not null ? "geolocation" : set.Element(Ns + "Region") is not null ? "latency" : "simple";

    private static bool SameNameAndType(XElement a, XElement b) => Text(a, "Name") == Text(b, "Name") && Text(a, "Type") == Text(b, "Type");

    private static bool SameSet(XElement a, XElement b) => SameNameAndType(a, b) && Text(a, "SetIdentifier") == Text(b, "SetIdentifier");

    private static string? Text(XElement element, string name) => element.Element(Ns + name)?.Value;

    private static string Absolute(string name) => (name.EndsWith('.') ? name : name + ".").ToLowerInvariant();

    private static string Reversed(string? name) => string.Join(".", (name ?? "").TrimEnd('.').Split('.').Reverse()) + ".";

    private static int Compare((string, string, string) a, (string, string, string) b)
    {
        var c = string.CompareOrdinal(a.Item1, b.Item1);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.Item2, b.Item2);
        return c != 0 ? c : string.CompareOrdinal(a.Item3, b.Item3);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Route53Fault(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }
}
