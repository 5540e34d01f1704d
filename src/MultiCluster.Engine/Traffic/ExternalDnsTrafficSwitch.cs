using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Traffic;

/// <summary>
/// A failover's traffic switch through ExternalDNS: the Service or Ingress carrying the host name
/// is annotated in the standby (<see cref="ExternalDnsAnnotations.Hostname"/> gains the name), and
/// the primary's loses it when the primary answers. With <c>failoverPolicy</c> both already carry
/// the name as a Route 53 failover pair, and the switch flips <see cref="ExternalDnsAnnotations.AwsFailover"/>:
/// the standby's to PRIMARY, the primary's to SECONDARY when it answers. ExternalDNS in each
/// cluster then writes the records; this switch only moves the annotations.
/// </summary>
public sealed class ExternalDnsTrafficSwitch : ITrafficSwitch
{
    public const string ExternalDnsObjectNotFound = nameof(ExternalDnsObjectNotFound);

    private const string MergePatch = "application/merge-patch+json";

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly FleetCluster _from;
    private readonly FleetCluster _to;
    private readonly ResourceType _type;
    private readonly string _namespace;
    private readonly string _name;
    private readonly string _hostname;
    private readonly bool _failoverPolicy;

    public ExternalDnsTrafficSwitch(IClusterConnector connector, FleetCluster from, FleetCluster to, string kind, string ns, string name, string hostname,
        bool failoverPolicy)
        : this(connector, null, from, to, kind, ns, name, hostname, failoverPolicy) { }

    internal ExternalDnsTrafficSwitch(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory, FleetCluster from, FleetCluster to,
        string kind, string ns, string name, string hostname, bool failoverPolicy)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _from = from;
        _to = to;
        _type = kind.Equals("Ingress", StringComparison.OrdinalIgnoreCase)
            ? new ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses", true)
            : new ResourceType("", "v1", "Service", "services", true);
        _namespace = ns;
        _name = name;
        _hostname = hostname.TrimEnd('.');
        _failoverPolicy = failoverPolicy;
    }

    public string Description => _failoverPolicy
        ? $"ExternalDNS {_hostname}: {_type.Kind} {_namespace}/{_name} aws-failover PRIMARY -> {_to.Name}"
        : $"ExternalDNS {_hostname}: {_type.Kind} {_namespace}/{_name} {_from.Name} -> {_to.Name}";

    /// <summary>
    /// A failover pair must be in place on the standby beforehand; an object to move the name to is
    /// usually created by the restore, so it is only required when the switch runs.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (!_failoverPolicy) return;
        var standby = await StandbyObjectAsync(cancellationToken).ConfigureAwait(false);
        if (!(Hostnames(standby).Contains(_hostname) && standby.Annotations.ContainsKey(ExternalDnsAnnotations.SetIdentifier)))
        {
            throw new FleetException(ExternalDnsObjectNotFound, FleetErrorCategory.InvalidData, $"{_to.Name}: {_type.Kind} {_namespace}/{_name}",
                $"{_type.Kind} {_namespace}/{_name} in '{_to.Name}' is not half of a Route 53 failover pair for {_hostname}: it needs the annotations {ExternalDnsAnnotations.Hostname} with {_hostname}, {ExternalDnsAnnotations.SetIdentifier} and {ExternalDnsAnnotations.AwsFailover}.",
                recommendedAction: "Annotate both clusters' objects as the pair (Set-FleetExternalDns), or move the name instead (without -ExternalDnsFailoverPolicy).");
        }
    }

    /// <summary>
    /// Switched when the standby's object carries the name (or PRIMARY) and the primary's, when it
    /// answers, no longer does: an object the restore created carries the primary's annotations, the
    /// name included, so the standby's half alone is not the switch.
    /// </summary>
    public async Task<bool> IsSwitchedAsync(CancellationToken cancellationToken)
    {
        var standby = await StandbyObjectAsync(cancellationToken).ConfigureAwait(false);
        return Carries(standby) && !await PrimaryCarriesAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool Carries(KubeObject obj) => _failoverPolicy
        ? obj.Annotations.GetValueOrDefault(ExternalDnsAnnotations.AwsFailover) == ExternalDnsAnnotations.FailoverPrimary
        : Hostnames(obj).Contains(_hostname);

    // A primary that does not answer cannot be demoted either (SwitchAsync would only say so), so it counts as
    // done; one that hangs is given a short while, not the request timeout, as the failover is moving traffic.
    private static readonly TimeSpan PrimaryReadTimeout = TimeSpan.FromSeconds(10);

    private async Task<bool> PrimaryCarriesAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(PrimaryReadTimeout);
        try
        {
            return await Client(_from).GetAsync(_type, _namespace, _name, bounded.Token).ConfigureAwait(false) is { } primary && Carries(primary);
        }
        catch (Exception e) when (e is FleetException or HttpRequestException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public async Task<string> SwitchAsync(CancellationToken cancellationToken)
    {
        var standby = await StandbyObjectAsync(cancellationToken).ConfigureAwait(false);
        if (_failoverPolicy)
        {
            await PatchAsync(_to, ExternalDnsAnnotations.AwsFailover, ExternalDnsAnnotations.FailoverPrimary, cancellationToken).ConfigureAwait(false);
        }
        else if (!Hostnames(standby).Contains(_hostname))
        {
            await PatchAsync(_to, ExternalDnsAnnotations.Hostname, string.Join(",", Hostnames(standby).Append(_hostname)), cancellationToken).ConfigureAwait(false);
        }
        var primaryNote = await DemotePrimaryAsync(cancellationToken).ConfigureAwait(false);
        return $"{Description}: {_to.Name} annotated; {primaryNote}";
    }

    /// <summary>The primary's half, best effort: a primary that is down keeps its annotation (and its ExternalDNS is down with it).</summary>
    private async Task<string> DemotePrimaryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var primary = await Client(_from).GetAsync(_type, _namespace, _name, cancellationToken).ConfigureAwait(false);
            if (primary is null) return $"{_from.Name} has no {_type.Kind} {_namespace}/{_name}";
            if (_failoverPolicy)
            {
                await PatchAsync(_from, ExternalDnsAnnotations.AwsFailover, ExternalDnsAnnotations.FailoverSecondary, cancellationToken).ConfigureAwait(false);
                return $"{_from.Name} set to SECONDARY";
            }
            var remaining = Hostnames(primary).Where(h => h != _hostname).ToList();
            if (remaining.Count == Hostnames(primary).Count) return $"{_from.Name} did not carry it";
            await PatchAsync(_from, ExternalDnsAnnotations.Hostname, remaining.Count == 0 ? null : string.Join(",", remaining), cancellationToken).ConfigureAwait(false);
            return $"removed from {_from.Name}";
        }
        catch (Exception e) when (e is FleetException or HttpRequestException)
        {
            return $"{_from.Name} not changed (it does not answer: {e.Message})";
        }
    }

    private async Task<KubeObject> StandbyObjectAsync(CancellationToken cancellationToken) =>
        await Client(_to).GetAsync(_type, _namespace, _name, cancellationToken).ConfigureAwait(false)
        ?? throw new FleetException(ExternalDnsObjectNotFound, FleetErrorCategory.ObjectNotFound, $"{_to.Name}: {_type.Kind} {_namespace}/{_name}",
            $"'{_to.Name}' has no {_type.Kind} {_namespace}/{_name} to carry {_hostname}.",
            recommendedAction: "Name the Service or Ingress the restore creates in the standby (-ExternalDnsObject kind/namespace/name).");

    /// <summary>A JSON merge patch of one annotation (null removes it): it changes the key whoever set it, unlike an apply.</summary>
    private async Task PatchAsync(FleetCluster cluster, string key, string? value, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [key] = value } } };
        var resources = ClusterResources.For(_connector.Connect(cluster), _apiFactory);
        var response = await resources.Api.SendAsync(HttpMethod.Patch, _type.ObjectPath(_namespace, _name), body.ToJsonString(), MergePatch, cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster.Name, $"{_type.ApiVersion} {_type.Kind} {_namespace}/{_name}");
    }

    private ResourceClient Client(FleetCluster cluster) => ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;

    private static IReadOnlyList<string> Hostnames(KubeObject obj) =>
        ExternalDnsAnnotations.SplitHostnames(obj.Annotations.GetValueOrDefault(ExternalDnsAnnotations.Hostname)).Select(h => h.TrimEnd('.')).ToList();
}
