namespace MultiCluster.Engine.Recovery;

/// <summary>A primary and the standby it would fail over to (null: it has none).</summary>
public sealed record DrPair(FleetCluster Primary, FleetCluster? Standby)
{
    /// <summary>
    /// The pairs Get-FleetDrReadiness checks among <paramref name="selected"/>: with <paramref name="standby"/>,
    /// every selected cluster but that one is its primary; else each pairs with its fleet drPeer, and a
    /// cluster that is another's drPeer is checked as that one's standby, not as a primary without one.
    /// </summary>
    public static IReadOnlyList<DrPair> Of(IReadOnlyList<FleetCluster> selected, IReadOnlyList<FleetCluster> fleet, FleetCluster? standby)
    {
        if (standby is not null)
            return selected.Where(c => !string.Equals(c.Name, standby.Name, StringComparison.OrdinalIgnoreCase)).Select(c => new DrPair(c, standby)).ToList();
        var standbys = fleet.Select(c => c.DrPeer).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return selected.Where(c => c.DrPeer is not null || !standbys.Contains(c.Name))
            .Select(c => new DrPair(c, c.DrPeer is { } peer ? fleet.FirstOrDefault(f => string.Equals(f.Name, peer, StringComparison.OrdinalIgnoreCase)) : null))
            .ToList();
    }
}
