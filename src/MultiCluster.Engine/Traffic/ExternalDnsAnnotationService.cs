using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Traffic;

/// <summary>What Set-FleetExternalDns was asked for.</summary>
public sealed record ExternalDnsRequest : IDnsRoutingRequest
{
    /// <summary>Service or Ingress.</summary>
    public required string Kind { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required string Hostname { get; init; }
    public required DnsRoutingPolicy Policy { get; init; }
    public required IReadOnlyList<FleetCluster> Clusters { get; init; }

    /// <summary>-Weight: cluster to weight (0-255); clusters not named get 1.</summary>
    public IReadOnlyDictionary<string, long> Weights { get; init; } = new Dictionary<string, long>();

    /// <summary>-Primary: the failover primary; the other cluster is the secondary.</summary>
    public string? Primary { get; init; }

    /// <summary>-HealthCheckId: cluster to Route 53 health check id.</summary>
    public IReadOnlyDictionary<string, string> HealthChecks { get; init; } = new Dictionary<string, string>();

    /// <summary>-Location: cluster to a continent (EU), country (DE), country-subdivision (US-CA) or * (the rest).</summary>
    public IReadOnlyDictionary<string, string> Locations { get; init; } = new Dictionary<string, string>();

    /// <summary>-Ttl in seconds; null leaves the ttl annotation as it is.</summary>
    public long? Ttl { get; init; }

    public bool SkipExternalDnsCheck { get; init; }
    public bool WhatIf { get; init; }

    /// <summary>How the clusters' objects and ExternalDNS are read: at once up to the throttle, each within the timeout.</summary>
    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// Annotates one Service or Ingress on each selected cluster so that cluster's ExternalDNS
/// publishes its share of a Route 53 routing policy (set identifier = cluster name). Everything —
/// input, objects, and each cluster's ExternalDNS (running, its domain filter covering the host,
/// a txt-owner-id no other cluster uses) — is checked before any object changes; then only the
/// ExternalDNS annotations are merge-patched, the other policies' annotations removed.
/// </summary>
public sealed class ExternalDnsAnnotationService(IClusterConnector connector)
{
    private static readonly ResourceType ServiceType = new("", "v1", "Service", "services", true);
    private static readonly ResourceType IngressType = new("networking.k8s.io", "v1", "Ingress", "ingresses", true);
    private static readonly ResourceType DeploymentType = new("apps", "v1", "Deployment", "deployments", true);
    private const string MergePatch = "application/merge-patch+json";
    private const string ExternalDnsNameLabel = "app.kubernetes.io/name";

    private sealed record Target(FleetCluster Cluster, ClusterResources Resources, KubeObject Live, string OwnerId);

    public async Task<IReadOnlyList<FleetExternalDnsRecord>> SetAsync(ExternalDnsRequest request, CancellationToken cancellationToken = default)
    {
        Check(request);
        var type = string.Equals(request.Kind, "Ingress", StringComparison.OrdinalIgnoreCase) ? IngressType : ServiceType;
        var targets = await FleetRunner.ReadAllAsync(request.Clusters, request.FanOut with { Activity = "Reading ExternalDNS objects" },
            (cluster, token) => TargetAsync(request, type, cluster, token), cancellationToken).ConfigureAwait(false);
        var sharedOwner = targets.Where(t => !request.SkipExternalDnsCheck).GroupBy(t => t.OwnerId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (sharedOwner is not null)
        {
            throw new FleetInputException(ExternalDnsErrorIds.ExternalDnsOwnerConflict, FleetErrorCategory.InvalidOperation, string.Join(", ", sharedOwner.Select(t => t.Cluster.Name)),
                $"The ExternalDNS of clusters {string.Join(" and ", sharedOwner.Select(t => $"'{t.Cluster.Name}'"))} share --txt-owner-id={sharedOwner.Key}, so each would update and delete the other's records of {request.Hostname}. Nothing was changed.",
                recommendedAction: "Give each cluster's ExternalDNS its own --txt-owner-id (the cluster's name is a good choice).");
        }

        var results = await Task.WhenAll(targets.Select(t => ApplyAsync(request, type, t, cancellationToken))).ConfigureAwait(false);
        return results;
    }

    private async Task<FleetExternalDnsRecord> ApplyAsync(ExternalDnsRequest request, ResourceType type, Target target, CancellationToken cancellationToken)
    {
        var (wanted, routing) = Desired(request, target.Cluster);
        var live = target.Live.Json["metadata"]?["annotations"] as JsonObject;
        var changes = wanted.Where(w => live?[w.Key]?.ToString() != w.Value).OrderBy(w => w.Key, StringComparer.Ordinal).ToList();
        var result = new FleetExternalDnsRecord
        {
            Cluster = target.Cluster.Name, Kind = type.Kind, Namespace = request.Namespace, Name = request.Name, Hostname = request.Hostname,
            SetIdentifier = target.Cluster.Name, Policy = request.Policy.ToString(), Routing = routing, OwnerId = target.OwnerId,
            Changes = changes.Select(c => c.Value is null ? c.Key + "-" : $"{c.Key}={c.Value}").ToList(),
        };
        if (changes.Count == 0) return result with { Action = FleetResourceAction.Unchanged, Message = "The ExternalDNS annotations are as asked." };
        if (request.WhatIf) return result with { Action = FleetResourceAction.WouldChange, Message = $"Would merge-patch {changes.Count} annotation(s)." };

        var annotations = new JsonObject();
        foreach (var (key, value) in changes) annotations[key] = value;
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = annotations } };
        var path = type.ObjectPath(request.Namespace, request.Name) + $"?fieldManager={ResourceClient.FieldManager}";
        try
        {
            var response = await target.Resources.Api.SendAsync(HttpMethod.Patch, path, patch.ToJsonString(), MergePatch, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, target.Cluster.Name, $"{type.Kind} {request.Namespace}/{request.Name}");
        }
        catch (FleetClusterException e)
        {
            // One cluster's failure is reported on its row; the others still change.
            return result with { Action = FleetResourceAction.Failed, Message = e.Message };
        }
        return result with { Action = FleetResourceAction.Configured, Message = $"Merge-patched {changes.Count} annotation(s)." };
    }

    /// <summary>Every ExternalDNS annotation this command owns: a value to set, or null to remove.</summary>
    private static (Dictionary<string, string?> Annotations, string Routing) Desired(ExternalDnsRequest request, FleetCluster cluster)
    {
        var wanted = ExternalDnsAnnotations.RoutingPolicyKeys.ToDictionary(k => k, string? (_) => null, StringComparer.Ordinal);
        wanted[ExternalDnsAnnotations.Hostname] = request.Hostname;
        wanted[ExternalDnsAnnotations.SetIdentifier] = cluster.Name;
        wanted[ExternalDnsAnnotations.AwsHealthCheckId] = DnsRouting.HealthCheckOf(request, cluster);
        if (request.Ttl is { } ttl) wanted[ExternalDnsAnnotations.Ttl] = ttl.ToString(CultureInfo.InvariantCulture);
        string routing;
        switch (request.Policy)
        {
            case DnsRoutingPolicy.Latency:
                routing = cluster.Region!;
                wanted[ExternalDnsAnnotations.AwsRegion] = routing;
                break;
            case DnsRoutingPolicy.Weighted:
                routing = DnsRouting.WeightOf(request, cluster).ToString(CultureInfo.InvariantCulture);
                wanted[ExternalDnsAnnotations.AwsWeight] = routing;
                break;
            case DnsRoutingPolicy.Failover:
                routing = string.Equals(cluster.Name, request.Primary, StringComparison.OrdinalIgnoreCase)
                    ? ExternalDnsAnnotations.FailoverPrimary : ExternalDnsAnnotations.FailoverSecondary;
                wanted[ExternalDnsAnnotations.AwsFailover] = routing;
                break;
            default:
                routing = DnsRouting.LocationOf(request, cluster)!.ToUpperInvariant();
                var (continent, country, subdivision) = DnsRouting.ParseLocation(routing, cluster.Name);
                wanted[ExternalDnsAnnotations.AwsGeolocationContinentCode] = continent;
                wanted[ExternalDnsAnnotations.AwsGeolocationCountryCode] = country;
                wanted[ExternalDnsAnnotations.AwsGeolocationSubdivisionCode] = subdivision;
                break;
        }
        return (wanted, routing);
    }

    private async Task<Target> TargetAsync(ExternalDnsRequest request, ResourceType type, FleetCluster cluster, CancellationToken cancellationToken)
    {
        var resources = ClusterResources.For(connector.Connect(cluster), null);
        var live = await resources.Client.GetAsync(type, request.Namespace, request.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new FleetInputException(ExternalDnsErrorIds.ExternalDnsObjectNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                $"Cluster '{cluster.Name}' has no {type.Kind} {request.Namespace}/{request.Name} to annotate. Nothing was changed.",
                recommendedAction: "Deploy it there first, or leave the cluster out with -Cluster.");
        if (request.SkipExternalDnsCheck) return new Target(cluster, resources, live, "");

        var deployments = await resources.Client.ListAsync(DeploymentType, null, null, cancellationToken).ConfigureAwait(false);
        var found = deployments.Select(d => (Deployment: d, Args: ExternalDnsArgs(d))).Where(d => d.Args is not null).ToList();
        if (found.Count == 0)
        {
            throw new FleetInputException(ExternalDnsErrorIds.ExternalDnsNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                $"Cluster '{cluster.Name}' runs no ExternalDNS (no Deployment with an external-dns image or the label {ExternalDnsNameLabel}=external-dns), so nothing would publish {request.Hostname}. Nothing was changed.",
                recommendedAction: "Install ExternalDNS on the cluster, or give -SkipExternalDnsCheck when it runs elsewhere.");
        }
        var covering = found.FirstOrDefault(d => DomainFilters(d.Args!).Any(f => Covers(f, request.Hostname)));
        if (covering.Deployment is null)
        {
            var filters = found.SelectMany(d => DomainFilters(d.Args!)).ToList();
            throw new FleetInputException(ExternalDnsErrorIds.ExternalDnsDomainNotCovered, FleetErrorCategory.InvalidArgument, cluster.Name,
                $"No --domain-filter of the ExternalDNS on cluster '{cluster.Name}' ({(filters.Count == 0 ? "none" : string.Join(", ", filters))}) covers {request.Hostname}, so it would not publish it. Nothing was changed.",
                recommendedAction: "Add the host's zone to ExternalDNS's --domain-filter, or choose a host name in a filtered domain.");
        }
        var owner = covering.Args!.Select(a => ArgValue(a, "--txt-owner-id")).LastOrDefault(v => v is not null) ?? "default";
        return new Target(cluster, resources, live, owner);
    }

    /// <summary>The args of the Deployment's ExternalDNS container, or null when it is not ExternalDNS.</summary>
    private static List<string>? ExternalDnsArgs(KubeObject deployment)
    {
        var labelled = deployment.Json["metadata"]?["labels"]?[ExternalDnsNameLabel]?.ToString() == "external-dns";
        var containers = deployment.Json["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];
        var container = containers.OfType<JsonObject>().FirstOrDefault(c => c["image"]?.ToString()?.Contains("external-dns", StringComparison.OrdinalIgnoreCase) == true)
            ?? (labelled ? containers.OfType<JsonObject>().FirstOrDefault() : null);
        return container?["args"] is JsonArray args ? args.Select(a => a?.ToString() ?? "").ToList() : container is null ? null : [];
    }

    private static string? ArgValue(string arg, string flag) =>
        arg.StartsWith(flag + "=", StringComparison.Ordinal) ? arg[(flag.Length + 1)..] : null;

    /// <summary>Every --domain-filter value; the flag repeats and ExternalDNS also splits on commas.</summary>
    private static IEnumerable<string> DomainFilters(IEnumerable<string> args) =>
        args.Select(a => ArgValue(a, "--domain-filter")).OfType<string>()
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool Covers(string filter, string hostname)
    {
        var domain = filter.Trim('.').ToLowerInvariant();
        var host = hostname.TrimEnd('.').ToLowerInvariant();
        return host == domain || host.EndsWith("." + domain, StringComparison.Ordinal);
    }

    private static void Check(ExternalDnsRequest request)
    {
        if (request.Clusters.Count == 0)
            throw Invalid(FleetErrorIds.NoClustersSelected, request.Name, "No clusters to annotate.", null);
        if (!request.Kind.Equals("Service", StringComparison.OrdinalIgnoreCase) && !request.Kind.Equals("Ingress", StringComparison.OrdinalIgnoreCase))
            throw Invalid(ExternalDnsErrorIds.ExternalDnsKindInvalid, request.Kind, $"Kind '{request.Kind}' is neither Service nor Ingress, the sources ExternalDNS reads annotations from.", null);
        if (ExternalDnsAnnotations.SplitHostnames(request.Hostname).Count != 1 || request.Hostname.Contains(' ', StringComparison.Ordinal))
            throw Invalid(ExternalDnsErrorIds.ExternalDnsHostnameInvalid, request.Hostname, $"'{request.Hostname}' is not one host name; a routing policy applies to one DNS name.", null);
        DnsRouting.Check(request, request.Hostname, []);
    }

    private static FleetInputException Invalid(string id, string target, string message, string? action) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message, recommendedAction: action);
}
