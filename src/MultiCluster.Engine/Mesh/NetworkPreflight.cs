using System.Globalization;
using System.Net;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>What Test-FleetNetwork checks: all providers' checks when <see cref="Provider"/> is null.</summary>
public sealed record NetworkPreflightOptions
{
    public FleetMeshProvider? Provider { get; init; }

    /// <summary>Cilium's extended cluster ids (<c>clustermesh.maxConnectedClusters: 511</c>).</summary>
    public bool ExtendedClusterIds { get; init; }

    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// The checks to run before clusters join one network (Test-FleetNetwork): pod and service ranges
/// (known, and overlapping between every pair), Cilium cluster ids and names, Istio network names,
/// the root CA and trust domain of every member, and whether each API server answers and can be
/// reached by the others. Reads each cluster once, in parallel; changes nothing.
/// </summary>
public sealed class NetworkPreflight
{
    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;

    public NetworkPreflight(IClusterConnector connector) : this(connector, null) { }

    internal NetworkPreflight(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
    }

    /// <summary>Every check's result, Pass included, clusters in the order given.</summary>
    public async Task<IReadOnlyList<FleetNetworkCheck>> TestAsync(IReadOnlyList<FleetCluster> clusters, NetworkPreflightOptions options,
        CancellationToken cancellationToken = default)
    {
        var facts = await ReadAsync(clusters, options.FanOut, cancellationToken).ConfigureAwait(false);
        return Evaluate(facts, options);
    }

    internal async Task<IReadOnlyList<ClusterNetworkFacts>> ReadAsync(IReadOnlyList<FleetCluster> clusters, FanOutOptions fanOut,
        CancellationToken cancellationToken)
    {
        var read = new Dictionary<string, ClusterNetworkFacts>(StringComparer.Ordinal);
        await foreach (var facts in FleetRunner.RunAsync<ClusterNetworkFacts>(
            clusters,
            fanOut with { Activity = "Reading network facts" },
            async (cluster, sink, token) =>
            {
                var connection = _connector.Connect(cluster);
                var resources = ClusterResources.For(connection, _apiFactory);
                sink.Emit(await ClusterNetworkReader.ReadAsync(cluster, connection.Server, resources.Api, resources.Client, token).ConfigureAwait(false));
            },
            (cluster, error, _) => [ClusterNetworkReader.FromFleetFile(cluster, error)],
            cancellationToken).ConfigureAwait(false))
        {
            read[facts.Name] = facts;
        }
        return clusters.Select(c => read[c.Name]).ToList();
    }

    internal static IReadOnlyList<FleetNetworkCheck> Evaluate(IReadOnlyList<ClusterNetworkFacts> members, NetworkPreflightOptions options)
    {
        var checks = new List<FleetNetworkCheck>();
        var wants = (FleetMeshProvider p) => options.Provider is null || options.Provider == p;
        Reachability(members, checks);
        Ranges(members, checks, options.Provider);
        if (wants(FleetMeshProvider.Cilium)) CiliumIdentity(members, checks, options.ExtendedClusterIds);
        if (wants(FleetMeshProvider.Istio))
        {
            Networks(members, checks);
            SameEverywhere(members, checks, "RootCa", m => m.RootFingerprint, "root certificate",
                "Plug the same root CA into istio-system/cacerts on every member (Istio's plug-in CA), then restart istiod.",
                "No istio-system/cacerts: istiod would make its own self-signed root, which the other members do not trust.");
            SameEverywhere(members, checks, "TrustDomain", m => m.TrustDomain, "trust domain",
                "Set the same meshConfig.trustDomain on every member.", null);
        }
        return checks;
    }

    private static void Reachability(IReadOnlyList<ClusterNetworkFacts> members, List<FleetNetworkCheck> checks)
    {
        var someRemote = members.Any(m => m.Server is { } server && !IsLoopback(server));
        foreach (var member in members)
        {
            if (member.Error is { } error)
            {
                checks.Add(Check(member, null, "Reachability", FleetCheckStatus.Fail, member.Server?.ToString(), "kubeconfig",
                    $"The API server of {member.Name} could not be read: {error.Message} Its checks use the fleet file's values only.",
                    "Check the kubeconfig context and that the API server is up and reachable.") with { Error = error });
            }
            else if (IsLoopback(member.Server!) && someRemote)
            {
                checks.Add(Check(member, null, "Reachability", FleetCheckStatus.Fail, member.Server!.ToString(), "kubeconfig",
                    $"{member.Name} is reached at a loopback address, which the other members' istiod or clustermesh-apiserver cannot reach.",
                    "Use a kubeconfig whose server is an address the other members can reach."));
            }
            else
            {
                checks.Add(Check(member, null, "Reachability", FleetCheckStatus.Pass, member.Server!.ToString(), "kubeconfig",
                    $"The API server answered ({member.ServerVersion})" + (someRemote ? "." : "; every member is on this host, so they reach each other.")));
            }
        }
    }

    private static void Ranges(IReadOnlyList<ClusterNetworkFacts> members, List<FleetNetworkCheck> checks, FleetMeshProvider? provider)
    {
        var remedy = provider == FleetMeshProvider.Istio
            ? "Pick another range for one of the clusters (rebuild it), or keep them on separate Istio networks behind east-west gateways."
            : "Pick another range for one of the clusters, or enable Submariner Globalnet (global CIDR 242.0.0.0/8).";
        foreach (var member in members)
        {
            foreach (var (check, ranges, what) in new[] { ("PodCidr", member.PodRanges, "pod"), ("ServiceCidr", member.ServiceRanges, "service") })
            {
                checks.Add(ranges is null
                    ? Check(member, null, check, FleetCheckStatus.Warn, null, null,
                        $"The {what} range of {member.Name} is unknown: not in the fleet file" + (member.Error is null ? ", kubeadm-config or the cluster's objects." : ", and the cluster could not be read."),
                        $"Add network.{(what == "pod" ? "podCidr" : "serviceCidr")} to the fleet file.")
                    : Check(member, null, check, FleetCheckStatus.Pass, Text(ranges.Value), ranges.Source, $"The {what} range is {Text(ranges.Value)}."));
            }
            var own = Overlaps(member, member).ToList();
            if (own.Count > 0)
                checks.Add(Check(member, null, "CidrOverlap", FleetCheckStatus.Fail, own[0].Value, own[0].Source, own[0].Message, "Pick pod and service ranges that do not overlap."));
        }
        for (var i = 0; i < members.Count; i++)
        {
            for (var j = i + 1; j < members.Count; j++)
            {
                var (a, b) = (members[i], members[j]);
                if (a.PodRanges is null && a.ServiceRanges is null || b.PodRanges is null && b.ServiceRanges is null) continue;
                var found = Overlaps(a, b).ToList();
                if (found.Count == 0)
                {
                    checks.Add(Check(a, b.Name, "CidrOverlap", FleetCheckStatus.Pass, null, null, $"No range of {a.Name} overlaps a range of {b.Name}."));
                }
                foreach (var overlap in found)
                    checks.Add(Check(a, b.Name, "CidrOverlap", FleetCheckStatus.Fail, overlap.Value, overlap.Source, overlap.Message, remedy));
            }
        }
    }

    private sealed record Overlap(string Value, string Source, string Message);

    private static IEnumerable<Overlap> Overlaps(ClusterNetworkFacts a, ClusterNetworkFacts b)
    {
        var self = ReferenceEquals(a, b);
        var kinds = new[] { ("pod", a.PodRanges, "pod", b.PodRanges), ("pod", a.PodRanges, "service", b.ServiceRanges),
            ("service", a.ServiceRanges, "pod", b.PodRanges), ("service", a.ServiceRanges, "service", b.ServiceRanges) };
        foreach (var (whatA, rangesA, whatB, rangesB) in kinds)
        {
            if (rangesA is null || rangesB is null || self && whatA == whatB || self && whatA == "service") continue;
            foreach (var x in rangesA.Value)
            {
                foreach (var y in rangesB.Value.Where(x.Overlaps))
                {
                    var where = self ? "its" : $"the {whatB} range of {b.Name},";
                    yield return new Overlap(x.ToString(), rangesA.Source,
                        $"The {whatA} range {x} of {a.Name} ({rangesA.Source}) overlaps {where} {(self ? whatB + " range " : "")}{y} ({rangesB.Source}).");
                }
            }
        }
    }

    private static void CiliumIdentity(IReadOnlyList<ClusterNetworkFacts> members, List<FleetNetworkCheck> checks, bool extended)
    {
        var max = CiliumRules.MaxId(extended);
        var ids = new Dictionary<int, ClusterNetworkFacts>();
        foreach (var member in members)
        {
            if (member.ClusterId is not { } id)
            {
                checks.Add(Check(member, null, "ClusterId", FleetCheckStatus.Warn, null, null,
                    $"{member.Name} has no cluster id; Cilium Cluster Mesh needs a unique one from 1 to {max}.",
                    "Add network.clusterId to the fleet file, or let Join-FleetMesh -Provider Cilium allocate one."));
            }
            else if (!int.TryParse(id.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
            {
                checks.Add(Check(member, null, "ClusterId", FleetCheckStatus.Fail, id.Value, id.Source,
                    $"Cluster id {id.Value} of {member.Name} ({id.Source}) is outside Cilium's range 1-{max}.",
                    extended ? "Pick an id from 1 to 511." : "Pick an id from 1 to 255 (or 1-511 with clustermesh.maxConnectedClusters: 511)."));
            }
            else if (ids.TryGetValue(number, out var first))
            {
                checks.Add(Check(member, first.Name, "ClusterId", FleetCheckStatus.Fail, id.Value, id.Source,
                    $"Cluster id {number} of {member.Name} ({id.Source}) is also the id of {first.Name} ({first.ClusterId!.Source}).",
                    "Give every member its own cluster id."));
            }
            else
            {
                ids[number] = member;
                checks.Add(Check(member, null, "ClusterId", FleetCheckStatus.Pass, id.Value, id.Source, $"Cluster id {number} is unique and in range."));
            }
        }
        var names = new Dictionary<string, ClusterNetworkFacts>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var name = member.CiliumClusterName;
            if (CiliumRules.NameProblem(name.Value) is { } problem)
            {
                checks.Add(Check(member, null, "ClusterName", FleetCheckStatus.Fail, name.Value, name.Source,
                    $"Cilium cluster name '{name.Value}' ({name.Source}) {problem}.", "Set cluster.name to a valid name."));
            }
            else if (names.TryGetValue(name.Value, out var first))
            {
                checks.Add(Check(member, first.Name, "ClusterName", FleetCheckStatus.Fail, name.Value, name.Source,
                    $"Cilium cluster name '{name.Value}' of {member.Name} is also the name of {first.Name}.", "Give every member its own cluster.name."));
            }
            else
            {
                names[name.Value] = member;
                checks.Add(Check(member, null, "ClusterName", FleetCheckStatus.Pass, name.Value, name.Source, "Cilium accepts the cluster name."));
            }
        }
    }

    private static void Networks(IReadOnlyList<ClusterNetworkFacts> members, List<FleetNetworkCheck> checks)
    {
        var someNamed = members.Any(m => m.MeshNetwork is not null);
        foreach (var member in members)
        {
            if (member.MeshNetwork is not { } network)
            {
                checks.Add(someNamed
                    ? Check(member, null, "MeshNetwork", FleetCheckStatus.Warn, null, null,
                        $"{member.Name} names no Istio network while other members do; istiod treats it as a network of its own with no gateway.",
                        "Set network.meshNetwork in the fleet file (or Join-FleetMesh -Network).")
                    : Check(member, null, "MeshNetwork", FleetCheckStatus.Pass, null, null, "No member names an Istio network: one flat network."));
            }
            else if (LabelRules.ValueProblem(network.Value) is { } problem)
            {
                checks.Add(Check(member, null, "MeshNetwork", FleetCheckStatus.Fail, network.Value, network.Source,
                    $"Istio network '{network.Value}' ({network.Source}): {problem}.", "Use a valid label value as the network name."));
            }
            else
            {
                checks.Add(Check(member, null, "MeshNetwork", FleetCheckStatus.Pass, network.Value, network.Source, $"Istio network {network.Value}."));
            }
        }
    }

    /// <summary>
    /// A value every member must share: the members that differ from the first value held by the
    /// most members fail, naming a member that holds it as their peer.
    /// </summary>
    private static void SameEverywhere(IReadOnlyList<ClusterNetworkFacts> members, List<FleetNetworkCheck> checks, string check,
        Func<ClusterNetworkFacts, Sourced<string>?> value, string what, string remedy, string? missingMessage)
    {
        var known = members.Where(m => value(m) is not null).ToList();
        var reference = known.GroupBy(m => value(m)!.Value, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => members.ToList().IndexOf(g.First())).FirstOrDefault()?.First();
        foreach (var member in members)
        {
            if (value(member) is not { } held)
            {
                if (missingMessage is not null && member.Error is null)
                    checks.Add(Check(member, null, check, FleetCheckStatus.Warn, null, null, missingMessage, remedy));
                continue;
            }
            var expected = value(reference!)!;
            checks.Add(held.Value == expected.Value
                ? Check(member, null, check, FleetCheckStatus.Pass, held.Value, held.Source, $"The {what} is the same as on every other member that has one.")
                : Check(member, reference!.Name, check, FleetCheckStatus.Fail, held.Value, held.Source,
                    $"The {what} of {member.Name} ({held.Value}, {held.Source}) differs from that of {reference.Name} ({expected.Value}).", remedy));
        }
    }

    private static FleetNetworkCheck Check(ClusterNetworkFacts member, string? peer, string check, FleetCheckStatus status, string? value,
        string? source, string message, string? action = null) => new()
    {
        Cluster = member.Name,
        Peer = peer,
        Check = check,
        Status = status,
        Value = value,
        Source = source,
        Message = message,
        RecommendedAction = status == FleetCheckStatus.Pass ? null : action,
    };

    private static string Text(IReadOnlyList<Cidr> ranges) => string.Join(",", ranges);

    private static bool IsLoopback(Uri server) =>
        server.IsLoopback || IPAddress.TryParse(server.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
