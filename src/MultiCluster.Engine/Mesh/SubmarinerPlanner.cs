using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>What Join-FleetMesh -Provider Submariner was asked for.</summary>
public sealed record SubmarinerJoinOptions
{
    /// <summary>The broker cluster by name; null takes the fleet's management cluster.</summary>
    public string? BrokerCluster { get; init; }

    /// <summary>Turn Globalnet on (it stays on when the broker already has it).</summary>
    public bool Globalnet { get; init; }

    public string GlobalnetCidrRange { get; init; } = SubmarinerRules.DefaultGlobalnetRange;
    public int GlobalnetClusterSize { get; init; } = SubmarinerRules.DefaultGlobalnetClusterSize;

    /// <summary>Cluster ids given by the user, per fleet cluster name; taken as they are (not sanitised).</summary>
    public IReadOnlyDictionary<string, string>? ClusterIds { get; init; }

    /// <summary>Label a node <c>submariner.io/gateway=true</c> where none is.</summary>
    public bool LabelGatewayNode { get; init; }

    public string CableDriver { get; init; } = "libreswan";

    /// <summary>Only rendering (-OutputPath): a missing gateway or an unreachable broker is a warning, not a refusal.</summary>
    public bool Render { get; init; }

    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>A value the plan took and where it came from.</summary>
public sealed record SubmarinerValue(string Value, string Source)
{
    public override string ToString() => $"{Value} ({Source})";
}

/// <summary>One joining cluster: its Submariner cluster id, ranges, global CIDR and gateway node.</summary>
public sealed record SubmarinerMember
{
    public required FleetCluster Cluster { get; init; }
    public required SubmarinerValue ClusterId { get; init; }
    public SubmarinerValue? PodCidr { get; init; }
    public SubmarinerValue? ServiceCidr { get; init; }
    public SubmarinerValue? GlobalCidr { get; init; }

    /// <summary>The gateway node: one already labelled, or the one to label (<see cref="LabelGateway"/>).</summary>
    public string? GatewayNode { get; init; }
    public bool LabelGateway { get; init; }

    /// <summary>Set when the cluster could not be read: the join reports it failed and goes on with the others.</summary>
    public FleetException? Error { get; init; }

    public string Name => Cluster.Name;
}

/// <summary>The broker and the members of one Submariner join, everything decided before anything changes.</summary>
public sealed record SubmarinerPlan
{
    public required FleetCluster Broker { get; init; }

    /// <summary>The broker's API server as Submariner wants it: host:port, no scheme.</summary>
    public required string BrokerUrl { get; init; }

    public bool Globalnet { get; init; }
    public Cidr GlobalnetRange { get; init; }
    public int GlobalnetClusterSize { get; init; }

    /// <summary>The broker's Globalnet allocations of clusters not in this join, kept as they are.</summary>
    public IReadOnlyList<(string ClusterId, IReadOnlyList<string> GlobalCidrs)> OtherAllocations { get; init; } = [];

    public required IReadOnlyList<SubmarinerMember> Members { get; init; }
    public string CableDriver { get; init; } = "libreswan";
}

/// <summary>
/// Submariner's preflight, checked before anything changes (subctl checks CIDRs only, and late):
/// the members' pod and service ranges (fleet file or the cluster, with where each came from) and
/// whether they overlap (then Globalnet is needed; without it the join is refused naming every
/// overlapping pair), global CIDRs allocated as the operator does (kept when installed or already
/// allocated on the broker), cluster ids as DNS-1123 labels (sanitised from the name as subctl does,
/// kept when installed, duplicates refused), and a gateway node per member.
/// </summary>
public sealed class SubmarinerPlanner(IClusterConnector connector)
{
    internal static readonly ResourceType SubmarinerType = new("submariner.io", "v1alpha1", "Submariner", "submariners", true);
    internal static readonly ResourceType BrokerType = new("submariner.io", "v1alpha1", "Broker", "brokers", true);

    private const string ControlPlaneLabel = "node-role.kubernetes.io/control-plane";

    /// <summary>What one member's cluster holds of Submariner.</summary>
    private sealed record MemberState(string? InstalledId, string? InstalledGlobalCidr, IReadOnlyList<string> GatewayNodes, string? SuggestedNode);

    /// <summary>What the broker already holds: its Globalnet settings and allocations.</summary>
    private sealed record BrokerState(bool? GlobalnetEnabled, string? Range, int? ClusterSize, IReadOnlyList<(string ClusterId, IReadOnlyList<string> GlobalCidrs)> Allocations);

    public async Task<SubmarinerPlan> PlanAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<FleetCluster> fleet, SubmarinerJoinOptions options,
        CancellationToken cancellationToken = default)
    {
        var reporter = FleetCallContext.Reporter;
        var twice = clusters.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw Invalid(MeshErrorIds.ClusterDuplicate, twice.Key, $"Cluster '{twice.Key}' is given more than once. Nothing was changed.");
        var broker = Broker(fleet, options.BrokerCluster);
        var (requestedRange, rangeProblem) = SubmarinerRules.ParseGlobalnetRange(options.GlobalnetCidrRange);
        if (rangeProblem is not null)
            throw Invalid(MeshErrorIds.GlobalnetInvalid, options.GlobalnetCidrRange, $"-GlobalnetCidrRange '{options.GlobalnetCidrRange}' {rangeProblem}. Nothing was changed.");
        // The size asked for must fit the range asked for; checked again below against a range the broker already holds.
        if (options.Globalnet && SubmarinerRules.ValidClusterSize(requestedRange, options.GlobalnetClusterSize).Problem is { } earlySizeProblem)
            throw Invalid(MeshErrorIds.GlobalnetInvalid, options.GlobalnetClusterSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"-GlobalnetClusterSize: {earlySizeProblem}. Nothing was changed.");
        foreach (var (name, id) in options.ClusterIds ?? new Dictionary<string, string>())
        {
            if (!clusters.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw Invalid(FleetErrorIds.ClusterNotFound, name, $"-ClusterId names '{name}', which is not one of the clusters to join ({NameList.Brief(clusters.Select(c => c.Name))}). Nothing was changed.");
            if (SubmarinerRules.ClusterIdProblem(id) is { } problem)
                throw Invalid(MeshErrorIds.ClusterIdInvalid, name, $"Submariner cluster id '{id}' of '{name}' (-ClusterId) {problem}. Nothing was changed.");
        }

        var facts = await new NetworkPreflight(connector).ReadAsync(clusters, options.FanOut, cancellationToken).ConfigureAwait(false);
        var states = await ReadMembersAsync(clusters, facts, options.FanOut, cancellationToken).ConfigureAwait(false);
        var brokerState = await ReadBrokerAsync(broker, options.Render, cancellationToken).ConfigureAwait(false);

        var ids = ClusterIds(facts, states, options);
        var globalnet = options.Globalnet || brokerState.GlobalnetEnabled == true;
        Overlaps(facts, globalnet);

        // The broker's settings win over the defaults: the operator allocates from what the broker holds.
        var range = requestedRange;
        var size = 0;
        if (globalnet)
        {
            if (brokerState.GlobalnetEnabled == true && brokerState.Range is { } installed && Cidrs.TryParse(installed, out var installedRange))
            {
                if (!installedRange.Equals(requestedRange) && options.GlobalnetCidrRange != SubmarinerRules.DefaultGlobalnetRange)
                    reporter.Warning($"The broker on {broker.Name} already allocates from {installed}; -GlobalnetCidrRange {options.GlobalnetCidrRange} is ignored.");
                range = installedRange;
            }
            var (validSize, sizeProblem) = SubmarinerRules.ValidClusterSize(range, brokerState.ClusterSize ?? options.GlobalnetClusterSize);
            if (sizeProblem is not null)
                throw Invalid(MeshErrorIds.GlobalnetInvalid, options.GlobalnetClusterSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"-GlobalnetClusterSize: {sizeProblem}. Nothing was changed.");
            size = validSize;
        }

        var memberIds = ids.Values.Select(v => v.Value).ToHashSet(StringComparer.Ordinal);
        var others = brokerState.Allocations.Where(a => !memberIds.Contains(a.ClusterId)).ToList();
        var globalCidrs = globalnet ? GlobalCidrs(facts, states, ids, brokerState, others, range, size) : new Dictionary<string, SubmarinerValue>();

        var members = new List<SubmarinerMember>();
        foreach (var member in facts)
        {
            var state = states.GetValueOrDefault(member.Name);
            var (gateway, label) = Gateway(member, state, options);
            var plain = (Sourced<IReadOnlyList<Cidr>>? ranges) => ranges is null || ranges.Value.All(r => r.PrefixLength == (r.Family == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                ? null : new SubmarinerValue(string.Join(",", ranges.Value), ranges.Source);
            var planned = new SubmarinerMember
            {
                Cluster = member.Cluster, ClusterId = ids[member.Name], PodCidr = plain(member.PodRanges), ServiceCidr = plain(member.ServiceRanges),
                GlobalCidr = globalCidrs.GetValueOrDefault(member.Name), GatewayNode = gateway, LabelGateway = label, Error = member.Error,
            };
            reporter.Verbose($"Submariner {member.Name}: cluster id {planned.ClusterId}; pod range {planned.PodCidr?.ToString() ?? "unknown (the operator detects it)"}; " +
                $"service range {planned.ServiceCidr?.ToString() ?? "unknown (the operator detects it)"}" +
                (planned.GlobalCidr is { } global ? $"; global CIDR {global}" : "") +
                (gateway is null ? "" : $"; gateway node {gateway}{(label ? " (to be labelled)" : " (labelled)")}"));
            members.Add(planned);
        }
        reporter.Verbose(globalnet
            ? $"Submariner Globalnet: on, {size} addresses per cluster from {range}."
            : "Submariner Globalnet: off (no member's ranges overlap another's).");
        return new SubmarinerPlan
        {
            Broker = broker, BrokerUrl = BrokerUrl(broker), Globalnet = globalnet, GlobalnetRange = range, GlobalnetClusterSize = size,
            OtherAllocations = others, Members = members, CableDriver = options.CableDriver,
        };
    }

    /// <summary>The broker cluster: <paramref name="name"/> (-BrokerCluster), else the fleet's one management cluster.</summary>
    public static FleetCluster Broker(IReadOnlyList<FleetCluster> fleet, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            return fleet.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new FleetInputException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
                    $"-BrokerCluster '{name}' is not a cluster of the fleet.{NameSuggestions.DidYouMean(name, fleet.Select(c => c.Name))} Nothing was changed.",
                    recommendedAction: "Run Get-FleetCluster to see the clusters of the fleet.");
        }
        var management = fleet.Where(c => c.Role == FleetClusterRole.Management).ToList();
        return management.Count == 1
            ? management[0]
            : throw new FleetInputException(MeshErrorIds.BrokerClusterMissing, FleetErrorCategory.InvalidArgument, "(broker cluster)",
                management.Count == 0
                    ? "The fleet has no cluster with role management to run the Submariner broker on. Nothing was changed."
                    : $"The fleet has several management clusters ({string.Join(", ", management.Select(c => c.Name))}); say which runs the Submariner broker. Nothing was changed.",
                recommendedAction: "Name the broker cluster with -BrokerCluster.");
    }

    private string BrokerUrl(FleetCluster broker)
    {
        try
        {
            var server = connector.Connect(broker).Server;
            return server.IsDefaultPort ? $"{server.Host}:443" : $"{server.Host}:{server.Port}";
        }
        catch (FleetException ex)
        {
            throw new FleetInputException(ex.ErrorId, ex.Category, broker.Name,
                $"The broker cluster '{broker.Name}' has no usable kubeconfig context: {ex.Message} Nothing was changed.");
        }
    }

    private async Task<Dictionary<string, MemberState>> ReadMembersAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyList<ClusterNetworkFacts> facts,
        FanOutOptions fanOut, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, MemberState>(StringComparer.Ordinal);
        var reachable = clusters.Where(c => facts.Single(f => f.Name == c.Name).Error is null).ToList();
        await foreach (var (name, state) in FleetRunner.RunAsync<(string, MemberState?)>(reachable, fanOut with { Activity = "Reading Submariner state" },
            async (cluster, sink, token) =>
            {
                var client = ClusterResources.For(connector.Connect(cluster), null).Client;
                var installed = await client.GetAsync(SubmarinerType, SubmarinerRules.OperatorNamespace, SubmarinerRules.SubmarinerName, token).ConfigureAwait(false);
                var nodes = await client.ListAsync(MeshResourceTypes.Node, null, null, token).ConfigureAwait(false);
                var gateways = nodes.Where(n => n.Labels.GetValueOrDefault(SubmarinerRules.GatewayLabel) == "true").Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
                // A worker rather than a control-plane node carries the tunnels, as Submariner's docs advise.
                var suggested = nodes.OrderBy(n => n.Labels.ContainsKey(ControlPlaneLabel) ? 1 : 0).ThenBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault()?.Name;
                sink.Emit((cluster.Name, new MemberState((string?)installed?.Json["spec"]?["clusterID"], (string?)installed?.Json["spec"]?["globalCIDR"], gateways, suggested)));
            },
            // Read as unreachable already; what the planner cannot read here it leaves out.
            (cluster, _, _) => [(cluster.Name, null)],
            cancellationToken).ConfigureAwait(false))
        {
            if (state is not null) states[name] = state;
        }
        return states;
    }

    private async Task<BrokerState> ReadBrokerAsync(FleetCluster broker, bool render, CancellationToken cancellationToken)
    {
        try
        {
            var client = ClusterResources.For(connector.Connect(broker), null).Client;
            var brokerCr = await client.GetAsync(BrokerType, SubmarinerRules.BrokerNamespace, SubmarinerRules.BrokerName, cancellationToken).ConfigureAwait(false);
            var info = await client.GetAsync(MeshResourceTypes.ConfigMap, SubmarinerRules.BrokerNamespace, SubmarinerRules.GlobalnetConfigMap, cancellationToken).ConfigureAwait(false);
            var data = info?.Json["data"];
            bool? enabled = brokerCr?.Json["spec"]?["globalnetEnabled"]?.GetValue<bool>() ?? (data?["globalnetEnabled"]?.ToString() is { } e ? e == "true" : null);
            var range = (string?)brokerCr?.Json["spec"]?["globalnetCIDRRange"] ?? Unquote(data?["globalnetCidrRange"]?.ToString());
            var size = brokerCr?.Json["spec"]?["defaultGlobalnetClusterSize"]?.GetValue<int>()
                ?? (int.TryParse(data?["globalnetClusterSize"]?.ToString(), out var s) ? s : null);
            return new BrokerState(enabled, range, size, Allocations(data?["clusterinfo"]?.ToString(), broker.Name));
        }
        catch (FleetException ex) when (render)
        {
            FleetCallContext.Reporter.Warning($"The broker cluster {broker.Name} could not be read ({ex.Message}); rendering as for a new broker.");
            return new BrokerState(null, null, null, []);
        }
        catch (FleetException ex)
        {
            throw new FleetInputException(ex.ErrorId, ex.Category, broker.Name,
                $"The Submariner broker cluster '{broker.Name}' could not be read: {ex.Message} Every member joins through it, so nothing was changed.",
                recommendedAction: "Check the broker cluster is reachable, or name another with -BrokerCluster.");
        }
    }

    private static string? Unquote(string? json)
    {
        if (json is null) return null;
        try { return JsonSerializer.Deserialize<string>(json); }
        catch (JsonException) { return json; }
    }

    /// <summary>The operator's clusterinfo: <c>[{"cluster_id": "...", "global_cidr": ["..."]}]</c>.</summary>
    private static IReadOnlyList<(string, IReadOnlyList<string>)> Allocations(string? clusterInfo, string broker)
    {
        if (string.IsNullOrWhiteSpace(clusterInfo)) return [];
        try
        {
            return (JsonNode.Parse(clusterInfo) as JsonArray ?? []).OfType<JsonObject>()
                .Select(e => ((string?)e["cluster_id"] ?? "", (IReadOnlyList<string>)(e["global_cidr"] as JsonArray ?? []).Select(c => c?.ToString() ?? "").ToList()))
                .Where(e => e.Item1.Length > 0).ToList();
        }
        catch (JsonException ex)
        {
            throw new FleetInputException(MeshErrorIds.GlobalnetInvalid, FleetErrorCategory.InvalidData, broker,
                $"{SubmarinerRules.BrokerNamespace}/{SubmarinerRules.GlobalnetConfigMap} on '{broker}' holds clusterinfo that is not JSON ({ex.Message}). Nothing was changed.");
        }
    }

    private static Dictionary<string, SubmarinerValue> ClusterIds(IReadOnlyList<ClusterNetworkFacts> facts, IReadOnlyDictionary<string, MemberState> states,
        SubmarinerJoinOptions options)
    {
        var ids = new Dictionary<string, SubmarinerValue>(StringComparer.Ordinal);
        var given = new Dictionary<string, string>(options.ClusterIds ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        foreach (var member in facts)
        {
            var installed = states.GetValueOrDefault(member.Name)?.InstalledId;
            SubmarinerValue id;
            if (given.TryGetValue(member.Name, out var explicitId))
            {
                if (installed is not null && installed != explicitId)
                    throw Invalid(MeshErrorIds.ClusterIdMismatch, member.Name,
                        $"-ClusterId gives '{member.Name}' the id '{explicitId}', but its installed Submariner ({SubmarinerRules.OperatorNamespace}/{SubmarinerRules.SubmarinerName}) has '{installed}'. Nothing was changed.",
                        "Leave the cluster out of -ClusterId to keep its id, or remove Submariner from it first.");
                id = new(explicitId, "-ClusterId");
            }
            else if (installed is not null)
            {
                id = new(installed, $"{SubmarinerRules.OperatorNamespace}/{SubmarinerRules.SubmarinerName} clusterID");
            }
            else
            {
                var sanitised = SubmarinerRules.SanitizeClusterId(member.Name);
                id = new(sanitised, sanitised == member.Name ? "cluster name" : $"cluster name '{member.Name}', sanitised as subctl does");
            }
            if (SubmarinerRules.ClusterIdProblem(id.Value) is { } problem)
                throw Invalid(MeshErrorIds.ClusterIdInvalid, member.Name, $"Submariner cluster id '{id.Value}' of '{member.Name}' ({id.Source}) {problem}. Nothing was changed.",
                    "Give it a DNS-1123 label with -ClusterId @{ '" + member.Name + "' = 'id' }.");
            if (ids.FirstOrDefault(i => i.Value.Value == id.Value) is { Key: { } first })
                throw Invalid(MeshErrorIds.ClusterIdDuplicate, member.Name,
                    $"Submariner cluster id '{id.Value}' of '{member.Name}' ({id.Source}) is also the id of '{first}' ({ids[first].Source}). Nothing was changed.",
                    "Give one of them another id with -ClusterId.");
            ids[member.Name] = id;
        }
        return ids;
    }

    /// <summary>Every pair of members whose pod or service ranges overlap refuses a join without Globalnet.</summary>
    private static void Overlaps(IReadOnlyList<ClusterNetworkFacts> facts, bool globalnet)
    {
        var pairs = new List<string>();
        for (var i = 0; i < facts.Count; i++)
        {
            for (var j = i + 1; j < facts.Count; j++)
            {
                var (a, b) = (facts[i], facts[j]);
                var found = (from x in Ranges(a) from y in Ranges(b) where x.Range.Overlaps(y.Range)
                             select $"{a.Name} {x.What} {x.Range} ({x.Source}) and {b.Name} {y.What} {y.Range} ({y.Source})").ToList();
                if (found.Count > 0) pairs.Add(string.Join("; ", found));
            }
        }
        if (pairs.Count == 0) return;
        if (globalnet)
        {
            FleetCallContext.Reporter.Verbose($"Ranges overlap, which Globalnet handles: {string.Join("; ", pairs)}.");
            return;
        }
        throw Invalid(MeshErrorIds.CidrOverlap, "(ranges)",
            $"The members' ranges overlap, so Submariner cannot route between them: {string.Join("; ", pairs)}. Enable Submariner Globalnet (-Globalnet) or pick other ranges. Nothing was changed.",
            "Run again with -Globalnet: each cluster then gets its own global CIDR.");
    }

    private static IEnumerable<(string What, Cidr Range, string Source)> Ranges(ClusterNetworkFacts member) =>
        (member.PodRanges?.Value.Select(r => ("pod range", r, member.PodRanges.Source)) ?? [])
        .Concat(member.ServiceRanges?.Value.Select(r => ("service range", r, member.ServiceRanges.Source)) ?? []);

    private static Dictionary<string, SubmarinerValue> GlobalCidrs(IReadOnlyList<ClusterNetworkFacts> facts, IReadOnlyDictionary<string, MemberState> states,
        IReadOnlyDictionary<string, SubmarinerValue> ids, BrokerState brokerState, IReadOnlyList<(string ClusterId, IReadOnlyList<string> GlobalCidrs)> others,
        Cidr range, int size)
    {
        var taken = others.SelectMany(o => o.GlobalCidrs).Select(c => Cidrs.TryParse(c, out var cidr) ? cidr : (Cidr?)null).OfType<Cidr>().ToList();
        var result = new Dictionary<string, SubmarinerValue>(StringComparer.Ordinal);
        // Kept values first, so that an allocation never takes a block a later member already holds.
        foreach (var member in facts)
        {
            var id = ids[member.Name].Value;
            SubmarinerValue? kept = states.GetValueOrDefault(member.Name)?.InstalledGlobalCidr is { Length: > 0 } installed
                ? new(installed, $"{SubmarinerRules.OperatorNamespace}/{SubmarinerRules.SubmarinerName} globalCIDR, kept")
                : brokerState.Allocations.FirstOrDefault(a => a.ClusterId == id).GlobalCidrs?.FirstOrDefault() is { } allocated
                    ? new(allocated, $"{SubmarinerRules.BrokerNamespace}/{SubmarinerRules.GlobalnetConfigMap}, kept")
                    : null;
            if (kept is null) continue;
            if (!Cidrs.TryParse(kept.Value, out var cidr))
                throw Invalid(MeshErrorIds.GlobalnetInvalid, member.Name, $"The global CIDR '{kept.Value}' of '{member.Name}' ({kept.Source}) is not a CIDR. Nothing was changed.");
            if (taken.FirstOrDefault(cidr.Overlaps) is { PrefixLength: > 0 } clash)
                throw Invalid(MeshErrorIds.CidrOverlap, member.Name, $"The global CIDR {cidr} of '{member.Name}' ({kept.Source}) overlaps {clash}, held by another cluster. Nothing was changed.");
            taken.Add(cidr);
            result[member.Name] = kept;
        }
        foreach (var member in facts.Where(m => !result.ContainsKey(m.Name)))
        {
            var allocated = SubmarinerRules.AllocateGlobalCidr(range, size, taken)
                ?? throw Invalid(MeshErrorIds.GlobalnetExhausted, member.Name,
                    $"No block of {size} addresses is free in the Globalnet range {range} for '{member.Name}'. Nothing was changed.",
                    "Use a smaller -GlobalnetClusterSize or a larger range.");
            taken.Add(allocated);
            result[member.Name] = new(allocated.ToString(), $"allocated from {range}");
        }
        return result;
    }

    private static (string? Node, bool Label) Gateway(ClusterNetworkFacts member, MemberState? state, SubmarinerJoinOptions options)
    {
        if (state is null) return (null, false); // unreachable: its join fails on its own
        if (state.GatewayNodes.Count > 0) return (state.GatewayNodes[0], false);
        if (state.SuggestedNode is null)
        {
            if (options.Render)
            {
                FleetCallContext.Reporter.Warning($"{member.Name} has no Node yet; label one {SubmarinerRules.GatewayLabel}=true before Submariner can connect it.");
                return (null, false);
            }
            throw Invalid(MeshErrorIds.GatewayNodeMissing, member.Name,
                $"{member.Name} has no Node to carry the Submariner gateway. Nothing was changed.", "Add a node to the cluster, then join it.");
        }
        if (options.LabelGatewayNode) return (state.SuggestedNode, true);
        var command = $"kubectl label node {state.SuggestedNode} {SubmarinerRules.GatewayLabel}=true";
        if (options.Render)
        {
            FleetCallContext.Reporter.Warning($"No node of {member.Name} is labelled {SubmarinerRules.GatewayLabel}=true; label one before applying ({command}).");
            return (null, false);
        }
        throw Invalid(MeshErrorIds.GatewayNodeMissing, member.Name,
            $"No node of {member.Name} is labelled {SubmarinerRules.GatewayLabel}=true, so Submariner has no gateway there. Label one ({command}), or run with -LabelGatewayNode to label {state.SuggestedNode}. Nothing was changed.",
            $"{command}, or add -LabelGatewayNode.");
    }

    private static FleetInputException Invalid(string id, string target, string message, string? action = null) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message, recommendedAction: action);
}
