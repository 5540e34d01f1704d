using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Mesh;

/// <summary>What Join-FleetMesh -Provider Istio was asked for.</summary>
public sealed record IstioJoinOptions
{
    public required string MeshId { get; init; }

    /// <summary>-Network: cluster name to Istio network.</summary>
    public IReadOnlyDictionary<string, string>? Networks { get; init; }

    /// <summary>-NetworkPerRegion: each cluster's network is its region.</summary>
    public bool NetworkPerRegion { get; init; }

    /// <summary>-Rotate: new tokens everywhere, old ones revoked once the new ones work.</summary>
    public bool Rotate { get; init; }

    public bool WhatIf { get; init; }
    public FanOutOptions FanOut { get; init; } = new();

    /// <summary>How long to wait for the token controller to fill a new token Secret (istioctl polls 5 x 1 s).</summary>
    public TimeSpan TokenWait { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>One member of an Istio mesh: the cluster, its Istio network (with where that came from) and its cluster name in the mesh.</summary>
public sealed record IstioMember(FleetCluster Cluster, string? Network, string? NetworkSource)
{
    public string Name => Cluster.Name;
}

/// <summary>What one member holds before the join: its mesh id, reader token Secrets, or why it could not be read.</summary>
internal sealed record IstioMemberState(IstioMember Member, string? MeshId, IReadOnlyList<Resources.KubeObject> Tokens, FleetException? Error);

/// <summary>The members of a join as read once before any change (<see cref="IstioMeshService.ReadMembersAsync"/>).</summary>
public sealed class IstioMeshMembers
{
    internal IstioMeshMembers(IstioMeshPlan plan, IReadOnlyDictionary<string, IstioMemberState> states)
    {
        Plan = plan;
        States = states;
    }

    public IstioMeshPlan Plan { get; }

    internal IReadOnlyDictionary<string, IstioMemberState> States { get; }
}

/// <summary>The checked members of an Istio join; building one contacts no cluster.</summary>
public sealed partial record IstioMeshPlan(IReadOnlyList<IstioMember> Members, IstioJoinOptions Options)
{
    /// <summary>
    /// Whether the members as planned are on more than one network. Decided when the plan is made, so
    /// a plan narrowed to the confirmed members (<c>with { Members = ... }</c>) keeps it.
    /// </summary>
    public bool MultiNetwork { get; init; }

    /// <summary>
    /// The members that get the cross-network Gateway: those with a network, on a multi-network mesh.
    /// One network (or none) has no east-west traffic, so no Gateway.
    /// </summary>
    public IReadOnlyList<IstioMember> CrossNetworkMembers => MultiNetwork ? Members.Where(m => m.Network is not null).ToList() : [];

    /// <summary>
    /// Checks the request before anything is touched: no cluster twice, names istiod and the remote
    /// secret accept (DNS-1123 labels), a valid mesh id, a network for every cluster that needs one.
    /// </summary>
    public static IstioMeshPlan Create(IReadOnlyList<FleetCluster> clusters, IstioJoinOptions options)
    {
        var twice = clusters.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw Invalid(MeshErrorIds.ClusterDuplicate, twice.Key, $"Cluster '{twice.Key}' is given more than once.", "Name each cluster once.");
        var meshProblem = options.MeshId.Length == 0 ? "it is empty" : LabelRules.ValueProblem(options.MeshId);
        if (meshProblem is not null)
            throw Invalid(MeshErrorIds.MeshIdInvalid, options.MeshId, $"Mesh id '{options.MeshId}' (-MeshId) is not valid: {meshProblem}.", null);
        foreach (var cluster in clusters)
        {
            if (!DnsLabel().IsMatch(cluster.Name) || cluster.Name.Length > 63)
            {
                throw Invalid(MeshErrorIds.ClusterNameInvalid, cluster.Name,
                    $"Cluster name '{cluster.Name}' (fleet file) is not a DNS-1123 label, which Istio needs as the cluster's name in the mesh and in its remote secret's name.",
                    "Rename the cluster in the fleet file (lower-case letters, digits and '-').");
            }
        }
        if (options.Networks is { } explicitNetworks)
        {
            foreach (var name in explicitNetworks.Keys.Where(k => !clusters.Any(c => string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase))))
                throw Invalid(FleetErrorIds.ClusterNotFound, name, $"-Network names cluster '{name}', which is not one of the clusters joining.", null);
        }
        var members = clusters.Select(cluster =>
        {
            var (network, source) = NetworkOf(cluster, options);
            if (network is not null && LabelRules.ValueProblem(network) is { } problem)
                throw Invalid(MeshErrorIds.NetworkInvalid, cluster.Name, $"Network '{network}' of cluster '{cluster.Name}' ({source}) is not a valid label value: {problem}.", null);
            return new IstioMember(cluster, network, source);
        }).ToList();
        return new IstioMeshPlan(members, options)
        {
            MultiNetwork = members.Select(m => m.Network).OfType<string>().Distinct(StringComparer.Ordinal).Skip(1).Any(),
        };
    }

    private static (string? Network, string? Source) NetworkOf(FleetCluster cluster, IstioJoinOptions options)
    {
        var given = options.Networks?.FirstOrDefault(n => string.Equals(n.Key, cluster.Name, StringComparison.OrdinalIgnoreCase));
        if (given?.Key is not null) return (given.Value.Value, "-Network");
        if (options.NetworkPerRegion)
        {
            if (string.IsNullOrEmpty(cluster.Region))
                throw Invalid(MeshErrorIds.NetworkInvalid, cluster.Name, $"Cluster '{cluster.Name}' has no region in the fleet file, so -NetworkPerRegion cannot name its network.",
                    "Add region to the cluster in the fleet file, or give its network with -Network.");
            return (cluster.Region, "-NetworkPerRegion (region)");
        }
        return string.IsNullOrEmpty(cluster.Network.MeshNetwork) ? (null, null) : (cluster.Network.MeshNetwork, "fleet file network.meshNetwork");
    }

    private static FleetInputException Invalid(string id, string target, string message, string? action) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message, recommendedAction: action);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
