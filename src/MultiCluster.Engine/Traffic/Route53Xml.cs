using System.Globalization;
using System.Xml.Linq;

namespace MultiCluster.Engine.Traffic;

/// <summary>The Route 53 XML shapes the client writes and reads, element order as the API model gives it.</summary>
internal static class Route53Xml
{
    private static XNamespace Ns => Route53Client.Ns;

    public static XDocument ChangeBatch(IReadOnlyList<Route53Change> changes, string? comment)
    {
        var batch = new XElement(Ns + "ChangeBatch");
        if (comment is not null) batch.Add(new XElement(Ns + "Comment", comment));
        batch.Add(new XElement(Ns + "Changes", changes.Select(c =>
            new XElement(Ns + "Change", new XElement(Ns + "Action", c.Action), RecordSet(c.RecordSet)))));
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), new XElement(Ns + "ChangeResourceRecordSetsRequest", batch));
    }

    /// <summary>A ResourceRecordSet element, children in the order the API requires.</summary>
    public static XElement RecordSet(Route53RecordSet record)
    {
        var element = new XElement(Ns + "ResourceRecordSet", new XElement(Ns + "Name", record.Name), new XElement(Ns + "Type", record.Type));
        if (record.SetIdentifier is not null) element.Add(new XElement(Ns + "SetIdentifier", record.SetIdentifier));
        if (record.Weight is { } weight) element.Add(new XElement(Ns + "Weight", weight));
        if (record.Region is not null) element.Add(new XElement(Ns + "Region", record.Region));
        if (record.GeoLocation is { } geo)
        {
            var location = new XElement(Ns + "GeoLocation");
            if (geo.ContinentCode is not null) location.Add(new XElement(Ns + "ContinentCode", geo.ContinentCode));
            if (geo.CountryCode is not null) location.Add(new XElement(Ns + "CountryCode", geo.CountryCode));
            if (geo.SubdivisionCode is not null) location.Add(new XElement(Ns + "SubdivisionCode", geo.SubdivisionCode));
            element.Add(location);
        }
        if (record.Failover is not null) element.Add(new XElement(Ns + "Failover", record.Failover));
        if (record.Ttl is { } ttl) element.Add(new XElement(Ns + "TTL", ttl));
        if (record.Values.Count > 0)
            element.Add(new XElement(Ns + "ResourceRecords", record.Values.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v)))));
        if (record.AliasTarget is { } alias)
        {
            element.Add(new XElement(Ns + "AliasTarget",
                new XElement(Ns + "HostedZoneId", alias.HostedZoneId),
                new XElement(Ns + "DNSName", alias.DnsName),
                new XElement(Ns + "EvaluateTargetHealth", alias.EvaluateTargetHealth ? "true" : "false")));
        }
        if (record.HealthCheckId is not null) element.Add(new XElement(Ns + "HealthCheckId", record.HealthCheckId));
        return element;
    }

    public static Route53RecordSet ReadRecordSet(XElement element)
    {
        string? Text(XElement? parent, string name) => parent?.Element(Ns + name)?.Value;
        var geo = element.Element(Ns + "GeoLocation");
        var alias = element.Element(Ns + "AliasTarget");
        return new Route53RecordSet
        {
            Name = Text(element, "Name")!,
            Type = Text(element, "Type")!,
            SetIdentifier = Text(element, "SetIdentifier"),
            Weight = Text(element, "Weight") is { } weight ? long.Parse(weight, CultureInfo.InvariantCulture) : null,
            Region = Text(element, "Region"),
            GeoLocation = geo is null ? null : new Route53GeoLocation(Text(geo, "ContinentCode"), Text(geo, "CountryCode"), Text(geo, "SubdivisionCode")),
            Failover = Text(element, "Failover"),
            Ttl = Text(element, "TTL") is { } ttl ? long.Parse(ttl, CultureInfo.InvariantCulture) : null,
            Values = element.Element(Ns + "ResourceRecords")?.Elements(Ns + "ResourceRecord").Select(r => Text(r, "Value")!).ToList() ?? [],
            AliasTarget = alias is null ? null : new Route53AliasTarget(Text(alias, "HostedZoneId")!, Text(alias, "DNSName")!, Text(alias, "EvaluateTargetHealth") == "true"),
            HealthCheckId = Text(element, "HealthCheckId"),
        };
    }

    public static Route53ChangeInfo ReadChangeInfo(XElement info) => new(
        Route53Names.BareId(info.Element(Ns + "Id")!.Value),
        info.Element(Ns + "Status")!.Value,
        DateTimeOffset.Parse(info.Element(Ns + "SubmittedAt")!.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        info.Element(Ns + "Comment")?.Value);
}
