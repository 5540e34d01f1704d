using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// Keeps the session's fleet in step with the lifecycle: a cluster whose kubeconfig was merged
/// joins it (so it pipes into Test-FleetCluster), a removed cluster leaves it.
/// </summary>
public static class SessionFleet
{
    /// <summary>
    /// Adds <paramref name="clusters"/> to the session's fleet (replacing members of the same name)
    /// and drops the session's cached clients, so kubeconfig files changed since are read again.
    /// </summary>
    public static void Add(FleetSession session, IReadOnlyCollection<FleetCluster> clusters)
    {
        if (clusters.Count == 0) return;
        var names = clusters.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Replace(session, session.GetFleet(), members => members.Where(c => !names.Contains(c.Name)).Concat(clusters));
        session.UseKubeconfig(session.Kubeconfig);
    }

    /// <summary>Removes the clusters named <paramref name="names"/> from the session's fleet; nothing changes when none is a member.</summary>
    public static void Remove(FleetSession session, IReadOnlyCollection<string> names)
    {
        var fleet = session.GetFleet();
        var gone = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!fleet.Clusters.Any(c => gone.Contains(c.Name))) return;
        Replace(session, fleet, members => members.Where(c => !gone.Contains(c.Name)));
    }

    private static void Replace(FleetSession session, Fleet fleet, Func<IEnumerable<FleetCluster>, IEnumerable<FleetCluster>> change) =>
        session.SetFleet(new Fleet { Name = fleet.Name, SourcePath = fleet.SourcePath, Clusters = change(fleet.Clusters).ToList() });
}
