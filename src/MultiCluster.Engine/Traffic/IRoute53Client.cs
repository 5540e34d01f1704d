namespace MultiCluster.Engine.Traffic;

/// <summary>
/// The four Route 53 operations the module uses (API version 2013-04-01). A small seam so that the
/// AWSSDK.Route53 package can replace <see cref="Route53Client"/> without touching its callers.
/// Paged operations return every page.
/// </summary>
public interface IRoute53Client
{
    /// <summary>The hosted zones from <paramref name="dnsName"/> on, in Route 53's order (labels reversed).</summary>
    Task<IReadOnlyList<Route53HostedZone>> ListHostedZonesByNameAsync(string? dnsName, CancellationToken cancellationToken);

    /// <summary>The record sets of a zone, from <paramref name="startName"/>/<paramref name="startType"/> on when given.</summary>
    Task<IReadOnlyList<Route53RecordSet>> ListResourceRecordSetsAsync(string hostedZoneId, string? startName, string? startType,
        CancellationToken cancellationToken);

    /// <summary>Submits one transactional change batch; all or nothing.</summary>
    Task<Route53ChangeInfo> ChangeResourceRecordSetsAsync(string hostedZoneId, IReadOnlyList<Route53Change> changes, string? comment,
        CancellationToken cancellationToken);

    Task<Route53ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken);
}
