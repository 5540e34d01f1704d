using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Traffic;

/// <summary>
/// A failover's DNS switch in Route 53: UPSERT of one record set (simple, or the given set
/// identifier of a weighted/failover/geolocation group, keeping its routing fields) to the
/// standby's target, waited until INSYNC.
/// </summary>
public sealed class Route53TrafficSwitch(IRoute53Client client, string zoneName, string recordName, string recordType, string target,
    string? setIdentifier = null, long ttl = 60, TimeSpan? pollInterval = null, TimeSpan? timeout = null) : ITrafficSwitch
{
    private string? _zoneId;

    public string Description => $"Route 53 {Route53Names.Absolute(recordName)} {recordType}{(setIdentifier is null ? "" : $" ({setIdentifier})")} -> {target}";

    public async Task CheckAsync(CancellationToken cancellationToken) => await ZoneIdAsync(cancellationToken).ConfigureAwait(false);

    public async Task<bool> IsSwitchedAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken).ConfigureAwait(false)) is { } current && current.Values.Count == 1 && current.Values[0] == target;

    public async Task<string> SwitchAsync(CancellationToken cancellationToken)
    {
        var zoneId = await ZoneIdAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        var record = (current ?? new Route53RecordSet { Name = recordName, Type = recordType, SetIdentifier = setIdentifier }) with
        {
            Ttl = current?.Ttl ?? ttl,
            Values = [target],
            AliasTarget = null,
        };
        var change = await client.ChangeResourceRecordSetsAsync(zoneId, [new Route53Change("UPSERT", record)],
            $"multicluster failover to {target}", cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(30));
        while (!change.InSync)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new FleetException(Route53ErrorIds.Route53ChangeTimeout, FleetErrorCategory.OperationTimeout, change.Id,
                    $"Route 53 change {change.Id} for {Description} is still {change.Status}.");
            }
            await Task.Delay(pollInterval ?? TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            change = await client.GetChangeAsync(change.Id, cancellationToken).ConfigureAwait(false);
        }
        return $"{Description}: change {change.Id} INSYNC";
    }

    private async Task<Route53RecordSet?> CurrentAsync(CancellationToken cancellationToken)
    {
        var zoneId = await ZoneIdAsync(cancellationToken).ConfigureAwait(false);
        var records = await client.ListResourceRecordSetsAsync(zoneId, recordName, recordType, cancellationToken).ConfigureAwait(false);
        var wanted = new Route53RecordSet { Name = recordName, Type = recordType, SetIdentifier = setIdentifier };
        return records.FirstOrDefault(r => r.SameSetAs(wanted));
    }

    private async Task<string> ZoneIdAsync(CancellationToken cancellationToken)
    {
        if (_zoneId is not null) return _zoneId;
        var zones = await client.ListHostedZonesByNameAsync(zoneName, cancellationToken).ConfigureAwait(false);
        var zone = zones.FirstOrDefault(z => z.Name == Route53Names.Absolute(zoneName))
            ?? throw new FleetException(Route53ErrorIds.Route53ZoneNotFound, FleetErrorCategory.ObjectNotFound, zoneName,
                $"Route 53 has no hosted zone named '{Route53Names.Absolute(zoneName)}'.",
                recommendedAction: "Give the zone's name as Route 53 lists it (aws route53 list-hosted-zones-by-name).");
        if (!Route53Names.Absolute(recordName).EndsWith(zone.Name, StringComparison.Ordinal))
        {
            throw new FleetException(Route53ErrorIds.Route53ChangeRejected, FleetErrorCategory.InvalidArgument, recordName,
                $"The record '{recordName}' is not in the zone '{zone.Name}'.");
        }
        return _zoneId = zone.Id;
    }
}
