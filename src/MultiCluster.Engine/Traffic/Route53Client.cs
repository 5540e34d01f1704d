using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Traffic;

/// <summary>
/// The Route 53 REST API (2013-04-01, rest-xml) over HttpClient, signed with SigV4 through
/// AWSSDK.Core. Credentials come from AWSSDK.Core's chain (or a named profile); they are resolved
/// on the first call, so a client can be built before any are needed. Errors become
/// <see cref="FleetException"/>s with the AWS error code and message and never a key or signature.
/// </summary>
public sealed class Route53Client : IRoute53Client, IDisposable
{
    public static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
    public static readonly Uri GlobalEndpoint = new("https://route53.amazonaws.com");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _endpoint;
    private readonly string _region;
    private readonly Func<ImmutableCredentials> _credentials;
    private readonly TimeProvider _time;
    private ImmutableCredentials? _resolved;

    /// <summary>A client of the global endpoint with the default credential chain (or <paramref name="profile"/>).</summary>
    public Route53Client(string? profile = null, Uri? endpoint = null)
        : this(endpoint ?? GlobalEndpoint, () => AwsCredentialChain.Resolve(profile, (why, _) => CredentialsMissing(why)), null, TimeProvider.System)
    {
    }

    internal Route53Client(Uri endpoint, Func<ImmutableCredentials> credentials, HttpClient? http, TimeProvider time)
    {
        _endpoint = endpoint;
        _region = Route53Signer.SigningRegion(endpoint);
        _credentials = credentials;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
        _time = time;
    }

    public async Task<IReadOnlyList<Route53HostedZone>> ListHostedZonesByNameAsync(string? dnsName, CancellationToken cancellationToken)
    {
        var zones = new List<Route53HostedZone>();
        string? nextName = dnsName, nextId = null;
        do
        {
            var query = new List<string>();
            if (nextName is not null) query.Add("dnsname=" + Uri.EscapeDataString(nextName));
            if (nextId is not null) query.Add("hostedzoneid=" + Uri.EscapeDataString(nextId));
            var response = await SendAsync(HttpMethod.Get, "/2013-04-01/hostedzonesbyname" + Query(query), null, dnsName ?? "hosted zones", cancellationToken).ConfigureAwait(false);
            foreach (var zone in response.Descendants(Ns + "HostedZone"))
            {
                zones.Add(new Route53HostedZone(
                    Route53Names.BareId(Text(zone, "Id")!),
                    Text(zone, "Name")!,
                    string.Equals(zone.Element(Ns + "Config")?.Element(Ns + "PrivateZone")?.Value, "true", StringComparison.OrdinalIgnoreCase),
                    long.TryParse(Text(zone, "ResourceRecordSetCount"), CultureInfo.InvariantCulture, out var count) ? count : 0));
            }
            var truncated = Text(response.Root!, "IsTruncated") == "true";
            nextName = truncated ? Text(response.Root!, "NextDNSName") : null;
            nextId = truncated ? Text(response.Root!, "NextHostedZoneId") : null;
        }
        while (nextName is not null);
        return zones;
    }

    public async Task<IReadOnlyList<Route53RecordSet>> ListResourceRecordSetsAsync(string hostedZoneId, string? startName, string? startType,
        CancellationToken cancellationToken)
    {
        var records = new List<Route53RecordSet>();
        string? name = startName, type = startName is null ? null : startType, identifier = null;
        var first = true;
        while (first || name is not null)
        {
            first = false;
            var query = new List<string>();
            if (name is not null) query.Add("name=" + Uri.EscapeDataString(name));
            if (type is not null) query.Add("type=" + Uri.EscapeDataString(type));
            if (identifier is not null) query.Add("identifier=" + Uri.EscapeDataString(identifier));
            var path = $"/2013-04-01/hostedzone/{Uri.EscapeDataString(Route53Names.BareId(hostedZoneId))}/rrset" + Query(query);
            var response = await SendAsync(HttpMethod.Get, path, null, hostedZoneId, cancellationToken).ConfigureAwait(false);
            records.AddRange(response.Descendants(Ns + "ResourceRecordSet").Select(Route53Xml.ReadRecordSet));
            var root = response.Root!;
            var truncated = Text(root, "IsTruncated") == "true";
            name = truncated ? Text(root, "NextRecordName") : null;
            type = truncated ? Text(root, "NextRecordType") : null;
            identifier = truncated ? Text(root, "NextRecordIdentifier") : null;
        }
        return records;
    }

    public async Task<Route53ChangeInfo> ChangeResourceRecordSetsAsync(string hostedZoneId, IReadOnlyList<Route53Change> changes, string? comment,
        CancellationToken cancellationToken)
    {
        if (changes.Count == 0) throw new ArgumentException("a change batch needs at least one change", nameof(changes));
        var body = Route53Xml.ChangeBatch(changes, comment).ToString(SaveOptions.DisableFormatting);
        var path = $"/2013-04-01/hostedzone/{Uri.EscapeDataString(Route53Names.BareId(hostedZoneId))}/rrset/";
        var response = await SendAsync(HttpMethod.Post, path, body, hostedZoneId, cancellationToken).ConfigureAwait(false);
        return Route53Xml.ReadChangeInfo(response.Descendants(Ns + "ChangeInfo").Single());
    }

    public async Task<Route53ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, $"/2013-04-01/change/{Uri.EscapeDataString(Route53Names.BareId(changeId))}", null, changeId, cancellationToken).ConfigureAwait(false);
        return Route53Xml.ReadChangeInfo(response.Descendants(Ns + "ChangeInfo").Single());
    }

    private async Task<XDocument> SendAsync(HttpMethod method, string pathAndQuery, string? body, string target, CancellationToken cancellationToken)
    {
        var credentials = _resolved ??= _credentials();
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(method, new Uri(_endpoint, pathAndQuery));
        if (body is not null) request.Content = new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/xml" } } };
        Route53Signer.Sign(request, bytes, credentials, _region, _time.GetUtcNow().UtcDateTime);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new FleetException(Route53ErrorIds.Route53RequestFailed, FleetErrorCategory.ConnectionError, target,
                $"Route 53 ({_endpoint.Host}) could not be reached: {e.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw Error(response.StatusCode, text, target);
            return XDocument.Parse(text);
        }
    }

    private static FleetException Error(HttpStatusCode status, string body, string target)
    {
        string? code = null, message = null;
        try
        {
            var error = XDocument.Parse(body).Descendants(Ns + "Error").FirstOrDefault();
            code = error?.Element(Ns + "Code")?.Value;
            message = error?.Element(Ns + "Message")?.Value;
        }
        catch (System.Xml.XmlException)
        {
            // Not the XML error shape (a proxy's page): report the status alone.
        }
        var what = $"Route 53 refused the request for '{target}': {code ?? ((int)status).ToString(CultureInfo.InvariantCulture)}{(message is null ? "" : ": " + message)}";
        return (status, code) switch
        {
            (HttpStatusCode.NotFound, _) or (_, "NoSuchHostedZone") => new FleetException(Route53ErrorIds.Route53ZoneNotFound, FleetErrorCategory.ObjectNotFound, target,
                what, recommendedAction: "Check the hosted zone's id or name (Get the zones with 'aws route53 list-hosted-zones')."),
            (HttpStatusCode.Forbidden, _) => new FleetException(Route53ErrorIds.Route53AccessDenied, FleetErrorCategory.PermissionDenied, target,
                what, recommendedAction: "Check the AWS credentials in use and that they allow route53:ChangeResourceRecordSets, ListResourceRecordSets, ListHostedZonesByName and GetChange."),
            (HttpStatusCode.BadRequest, _) => new FleetException(Route53ErrorIds.Route53ChangeRejected, FleetErrorCategory.InvalidData, target, what),
            _ => new FleetException(Route53ErrorIds.Route53RequestFailed, FleetErrorCategory.ResourceUnavailable, target, what),
        };
    }

    private static FleetException CredentialsMissing(string why) =>
        new(Route53ErrorIds.Route53CredentialsMissing, FleetErrorCategory.AuthenticationError, "route53",
            $"No AWS credentials for Route 53: {why}.",
            recommendedAction: "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run 'aws sso login', or give a profile that exists.");

    private static string Query(List<string> parts) => parts.Count == 0 ? "" : "?" + string.Join("&", parts);

    private static string? Text(XElement parent, string name) => parent.Element(Ns + name)?.Value;

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
