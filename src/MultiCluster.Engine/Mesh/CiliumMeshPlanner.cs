using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>What Join-FleetMesh -Provider Cilium was asked for.</summary>
public sealed record CiliumJoinOptions
{
    /// <summary>Ids up to 511 (<c>clustermesh.maxConnectedClusters: 511</c>).</summary>
    public bool ExtendedClusterIds { get; init; }

    /// <summary>The clustermesh-apiserver Service type: NodePort (Cilium's default) or LoadBalancer.</summary>
    public string ServiceType { get; init; } = "NodePort";

    /// <summary>Cluster ids asked for per cluster (-ClusterId); they win over the fleet file's.</summary>
    public IReadOnlyDictionary<string, string>? ClusterIds { get; init; }

    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>One member of a Cilium Cluster Mesh: its Cilium name and id, and where each came from.</summary>
public sealed record CiliumMember(string Cluster, string Name, string NameSource, int Id, string IdSource, string PeerAddress, int PeerPort);

/// <summary>
/// Cilium Cluster Mesh membership: reads each member's installed <c>cluster-id</c> and
/// <c>cluster-name</c> (kube-system/cilium-config) and pod ranges, keeps the ids the fleet file or
/// the cluster already has, gives the others the lowest free ids, refuses ids outside Cilium's range,
/// duplicate ids or names and overlapping pod ranges (each naming the value and its source), and
/// renders each member's Helm values for Cluster Mesh with every peer's clustermesh-apiserver.
/// </summary>
public sealed class CiliumMeshPlanner
{
    public const string Domain = "mesh.cilium.io";
    public const int DefaultNodePort = 32379;
    public const int ApiServerPort = 2379;

    private readonly NetworkPreflight _preflight;
    private readonly IClusterConnector _connector;

    public CiliumMeshPlanner(IClusterConnector connector)
    {
        _connector = connector;
        _preflight = new NetworkPreflight(connector);
    }

    /// <summary>The members with their ids and names; throws FleetInputException before anything is written.</summary>
    public async Task<IReadOnlyList<CiliumMember>> PlanAsync(IReadOnlyList<FleetCluster> clusters, CiliumJoinOptions options, CancellationToken cancellationToken = default)
    {
        var twice = clusters.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw Invalid(MeshErrorIds.ClusterDuplicate, twice.Key, $"Cluster '{twice.Key}' is given more than once.");
        var max = CiliumRules.MaxId(options.ExtendedClusterIds);
        var given = GivenIds(clusters, options.ClusterIds, max);
        var facts = (await _preflight.ReadAsync(clusters, options.FanOut, cancellationToken).ConfigureAwait(false))
            .Select(f => WithGivenId(f, given)).ToList();

        var taken = new Dictionary<int, ClusterNetworkFacts>();
        foreach (var member in facts.Where(f => f.ClusterId is not null))
        {
            var id = member.ClusterId!;
            if (!int.TryParse(id.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
                throw Invalid(MeshErrorIds.ClusterIdInvalid, member.Name, $"Cluster id {id.Value} of '{member.Name}' ({id.Source}) is outside Cilium's range 1-{max}.");
            if (taken.TryGetValue(number, out var first))
            {
                throw Invalid(MeshErrorIds.ClusterIdDuplicate, member.Name,
                    $"Cluster id {number} of '{member.Name}' ({id.Source}) is also the id of '{first.Name}' ({first.ClusterId!.Source}).");
            }
            taken[number] = member;
        }
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in facts)
        {
            var name = member.CiliumClusterName;
            if (CiliumRules.NameProblem(name.Value) is { } problem)
                throw Invalid(MeshErrorIds.ClusterNameInvalid, member.Name, $"Cilium cluster name '{name.Value}' of '{member.Name}' ({name.Source}) {problem}.");
            if (!names.TryAdd(name.Value, member.Name))
                throw Invalid(MeshErrorIds.ClusterIdDuplicate, member.Name, $"Cilium cluster name '{name.Value}' of '{member.Name}' is also the name of '{names[name.Value]}'.");
        }
        for (var i = 0; i < facts.Count; i++)
        {
            for (var j = i + 1; j < facts.Count; j++)
            {
                var (a, b) = (facts[i], facts[j]);
                foreach (var x in a.PodRanges?.Value ?? [])
                {
                    foreach (var y in (b.PodRanges?.Value ?? []).Where(x.Overlaps))
                    {
                        throw Invalid(MeshErrorIds.CidrOverlap, a.Name,
                            $"The pod range {x} of '{a.Name}' ({a.PodRanges!.Source}) overlaps the pod range {y} of '{b.Name}' ({b.PodRanges!.Source}); Cilium Cluster Mesh needs distinct pod ranges.");
                    }
                }
            }
        }

        var members = new List<CiliumMember>();
        var next = 1;
        foreach (var member in facts)
        {
            int id;
            string idSource;
            if (member.ClusterId is { } known)
            {
                (id, idSource) = (int.Parse(known.Value, CultureInfo.InvariantCulture), known.Source);
            }
            else
            {
                while (taken.ContainsKey(next)) next++;
                if (next > max) throw Invalid(MeshErrorIds.ClusterIdInvalid, member.Name, $"No free Cilium cluster id from 1 to {max} is left for '{member.Name}'.");
                (id, idSource) = (next, "allocated");
                taken[next] = member;
            }
            var (address, port) = await PeerEndpointAsync(member, options.ServiceType, cancellationToken).ConfigureAwait(false);
            members.Add(new CiliumMember(member.Name, member.CiliumClusterName.Value, member.CiliumClusterName.Source, id, idSource, address, port));
        }
        return members;
    }

    /// <summary>
    /// Where peers reach a member's clustermesh-apiserver: the LoadBalancer address of its
    /// kube-system/clustermesh-apiserver Service when it has one, else the API server's host on the
    /// Service's (or Cilium's default) NodePort.
    /// </summary>
    private async Task<(string Address, int Port)> PeerEndpointAsync(ClusterNetworkFacts member, string serviceType, CancellationToken cancellationToken)
    {
        var host = (member.Server ?? TryServer(member.Cluster))?.Host ?? member.Name;
        if (member.Error is not null) return (host, serviceType == "LoadBalancer" ? ApiServerPort : DefaultNodePort);
        var client = ClusterResources.For(_connector.Connect(member.Cluster), null).Client;
        var service = await client.GetAsync(MeshResourceTypes.Service, MeshResourceTypes.KubeSystem, "clustermesh-apiserver", cancellationToken).ConfigureAwait(false);
        var ingress = service?.Json["status"]?["loadBalancer"]?["ingress"]?[0];
        if (ingress?["ip"]?.ToString() is { Length: > 0 } ip) return (ip, ApiServerPort);
        if (ingress?["hostname"]?.ToString() is { Length: > 0 } hostname) return (hostname, ApiServerPort);
        var nodePort = (service?.Json["spec"]?["ports"] as JsonArray)?.Select(p => p?["nodePort"]?.GetValue<int>()).FirstOrDefault(p => p is > 0);
        return (host, nodePort ?? DefaultNodePort);
    }

    private Uri? TryServer(FleetCluster cluster)
    {
        try { return _connector.Connect(cluster).Server; }
        catch (FleetException) { return null; }
    }

    /// <summary>The Helm values of one member: its name and id, the clustermesh-apiserver, and every peer.</summary>
    public static string HelmValues(CiliumMember member, IReadOnlyList<CiliumMember> all, CiliumJoinOptions options)
    {
        var clustermesh = new JsonObject
        {
            ["useAPIServer"] = true,
            ["apiserver"] = new JsonObject { ["service"] = new JsonObject { ["type"] = options.ServiceType } },
            ["config"] = new JsonObject
            {
                ["enabled"] = true,
                ["domain"] = Domain,
                ["clusters"] = new JsonArray(all.Where(p => p.Cluster != member.Cluster)
                    .Select(p => (JsonNode?)new JsonObject { ["name"] = p.Name, ["address"] = p.PeerAddress, ["port"] = p.PeerPort }).ToArray()),
            },
        };
        if (options.ExtendedClusterIds) clustermesh["maxConnectedClusters"] = CiliumRules.MaxExtendedClusterId;
        return YamlWriter.Write(new JsonObject
        {
            ["cluster"] = new JsonObject { ["name"] = member.Name, ["id"] = member.Id },
            ["clustermesh"] = clustermesh,
        });
    }

    /// <summary>Each member's values as a FleetManifest (Kind HelmValues, Name cilium), written to DIR/CLUSTER.cilium-values.yaml when a folder is given.</summary>
    public static IReadOnlyList<FleetManifest> Render(IReadOnlyList<CiliumMember> members, CiliumJoinOptions options, string? outputDirectory)
    {
        var manifests = new List<FleetManifest>();
        foreach (var member in members)
        {
            var yaml = HelmValues(member, members, options);
            string? path = null;
            if (outputDirectory is not null)
            {
                path = Path.GetFullPath(Path.Combine(outputDirectory, $"{ManifestWriter.SafeFileName(member.Cluster)}.cilium-values.yaml"));
                try
                {
                    Directory.CreateDirectory(outputDirectory);
                    File.WriteAllText(path, yaml);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.PermissionDenied, outputDirectory,
                        $"Cannot write the Cilium values of cluster '{member.Cluster}' to {path}: {ex.Message}", ex);
                }
            }
            manifests.Add(new FleetManifest { Cluster = member.Cluster, Kind = "HelmValues", Name = "cilium", Path = path, Yaml = yaml });
        }
        return manifests;
    }

    // -ClusterId is checked before any cluster is read: every name a cluster to join, every id in range, no id twice.
    private static Dictionary<string, int> GivenIds(IReadOnlyList<FleetCluster> clusters, IReadOnlyDictionary<string, string>? ids, int max)
    {
        var given = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var owners = new Dictionary<int, string>();
        foreach (var (name, text) in ids ?? new Dictionary<string, string>())
        {
            var cluster = clusters.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new FleetInputException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
                    $"-ClusterId names '{name}', which is not one of the clusters to join ({NameList.Brief(clusters.Select(c => c.Name))}). Nothing was changed.");
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
            {
                var extended = max == CiliumRules.MaxClusterId ? $" (up to {CiliumRules.MaxExtendedClusterId} with -ExtendedClusterId)" : "";
                throw Invalid(MeshErrorIds.ClusterIdInvalid, cluster.Name,
                    $"Cilium cluster id '{text}' of '{cluster.Name}' (-ClusterId) is outside Cilium's range 1-{max}{extended}. Nothing was changed.");
            }
            if (!owners.TryAdd(number, cluster.Name))
                throw Invalid(MeshErrorIds.ClusterIdDuplicate, cluster.Name,
                    $"Cilium cluster id {number} of '{cluster.Name}' (-ClusterId) is also the id of '{owners[number]}' (-ClusterId). Nothing was changed.");
            given[cluster.Name] = number;
        }
        return given;
    }

    // A given id replaces the fleet file's; a running Cilium keeps its id (changing it re-identifies every endpoint).
    private static ClusterNetworkFacts WithGivenId(ClusterNetworkFacts facts, Dictionary<string, int> given)
    {
        if (!given.TryGetValue(facts.Name, out var id)) return facts;
        var text = id.ToString(CultureInfo.InvariantCulture);
        if (facts.ClusterId is { Source: InstalledIdSource } installed && installed.Value != text)
        {
            throw new FleetInputException(MeshErrorIds.ClusterIdMismatch, FleetErrorCategory.InvalidArgument, facts.Name,
                $"-ClusterId gives '{facts.Name}' the id {text}, but its installed Cilium ({InstalledIdSource}) has {installed.Value}. Nothing was changed.",
                recommendedAction: "Leave the cluster out of -ClusterId to keep its id.");
        }
        return facts with { ClusterId = new(text, "-ClusterId") };
    }

    private const string InstalledIdSource = "kube-system/cilium-config";

    private static FleetInputException Invalid(string id, string target, string message) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message);
}
