namespace MultiCluster.Testing.Controllers.Mcs;

/// <summary>
/// The members of one simulated cluster set: every <see cref="McsController"/> made from the same
/// <see cref="ControllerSettings"/> joins it at start. A ServiceExport or Service change in any
/// member queues the same service in every member, so each one rewrites its own ServiceImport and,
/// where it exports, its own ServiceExport's conditions.
/// </summary>
public sealed class McsClusterSet
{
    private readonly List<McsController> _members = [];

    /// <summary>The members, in the order they joined.</summary>
    public IReadOnlyList<McsController> Members
    {
        get
        {
            lock (_members)
                return _members.ToList();
        }
    }

    internal void Join(McsController member)
    {
        lock (_members)
            _members.Add(member);
    }

    internal void Leave(McsController member)
    {
        lock (_members)
            _members.Remove(member);
        // The services it exported are gone from the set: everyone looks again.
        foreach (var (ns, name) in member.ExportedServices())
            Changed(ns, name);
    }

    /// <summary>Queues service <paramref name="ns"/>/<paramref name="name"/> in every member.</summary>
    internal void Changed(string ns, string name)
    {
        foreach (var member in Members)
            member.QueueService(ns, name);
    }

    /// <summary>Completes once every member's controller is idle.</summary>
    public async Task WhenIdleAsync()
    {
        // A member's write queues the others: done only when every member is idle at the same look.
        while (true)
        {
            var idle = Members.Select(m => m.WhenIdleAsync()).ToList();
            if (idle.All(t => t.IsCompleted)) return;
            await Task.WhenAll(idle).ConfigureAwait(false);
        }
    }
}
