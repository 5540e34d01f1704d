using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers.ClusterApi;

/// <summary>One simulated Machine: created from <see cref="Template"/>, Ready (with its Node) from <see cref="ReadyAt"/>.</summary>
public sealed record SimulatedMachine(string Name, string Version, string Template, DateTimeOffset ReadyAt)
{
    public bool IsReadyAt(DateTimeOffset time) => ReadyAt <= time;
}

/// <summary>
/// What an owner (KubeadmControlPlane or MachineDeployment) asks for: <paramref name="Template"/>
/// is everything whose change replaces machines (the version and the infrastructure template).
/// </summary>
public readonly record struct MachineTarget(int Replicas, string Version, string Template);

/// <summary>The owner's machines as its controller counts them at one moment.</summary>
public sealed record MachineSummary(
    MachineTarget Target,
    int Replicas,
    IReadOnlyList<string> NotReady,
    IReadOnlyList<string> NotUpToDate,
    IReadOnlyList<string> OutdatedVersions,
    IReadOnlyList<(string Version, int Replicas)> Versions,
    bool Initialized)
{
    public int Desired => Target.Replicas;
    public int Ready => Replicas - NotReady.Count;
    public int UpToDate => Replicas - NotUpToDate.Count;

    /// <summary>The lowest version any machine runs (KubeadmControlPlane's status.version), or null without machines.</summary>
    public string? MinimumVersion => Versions.Count == 0 ? null : Versions[0].Version;
}

/// <summary>
/// The machines of one owner, changed one machine per step the way both Cluster API rollouts go
/// with their default strategy (maxSurge 1, maxUnavailable 0): while any machine is still
/// provisioning nothing else happens; then a surplus machine is deleted (an outdated one first),
/// or a missing up-to-date machine is created, which becomes Ready one step later. A version
/// change of three machines therefore shows replicas 3/4/3/4/3/4/3 and up-to-date 0/1/1/2/2/3/3.
/// Steps are due at fixed times on the instance's clock, so a clock jump runs every step it
/// passes and a test can also walk them one interval at a time.
/// </summary>
public sealed class MachineRollout(string namePrefix, TimeSpan stepInterval)
{
    private readonly List<SimulatedMachine> _machines = [];
    private bool _started;

    public IReadOnlyList<SimulatedMachine> Machines => _machines;

    /// <summary>When the next step is due, or null when the machines match the target.</summary>
    public DateTimeOffset? NextStep { get; private set; }

    /// <summary>When the first machine became (or becomes) Ready: the control plane's initialization.</summary>
    public DateTimeOffset? FirstReadyAt { get; private set; }

    /// <summary>
    /// Runs every step due by <paramref name="now"/>. The first step is at <paramref name="startAt"/>;
    /// after the machines settled, a new target starts one step after <paramref name="now"/>.
    /// </summary>
    public void AdvanceTo(MachineTarget target, DateTimeOffset startAt, DateTimeOffset now)
    {
        if (!_started)
        {
            _started = true;
            NextStep = startAt;
        }
        else if (NextStep is null && !Matches(target, now))
        {
            // The change is observed first (nothing up to date yet); machines change from the next step.
            NextStep = now + stepInterval;
        }
        while (NextStep is { } due && due <= now)
            NextStep = Step(target, due) ? due + stepInterval : null;
    }

    public MachineSummary Summarize(MachineTarget target, DateTimeOffset now) => new(
        target,
        _machines.Count,
        _machines.Where(m => !m.IsReadyAt(now)).Select(m => m.Name).ToList(),
        _machines.Where(m => m.Template != target.Template).Select(m => m.Name).ToList(),
        _machines.Where(m => m.Template != target.Template).Select(m => m.Version).Distinct().OrderBy(v => v, KubernetesVersionComparer.Instance).ToList(),
        _machines.GroupBy(m => m.Version).OrderBy(g => g.Key, KubernetesVersionComparer.Instance).Select(g => (g.Key, g.Count())).ToList(),
        FirstReadyAt is { } first && first <= now);

    private bool Matches(MachineTarget target, DateTimeOffset now) =>
        _machines.Count == target.Replicas && _machines.All(m => m.Template == target.Template && m.IsReadyAt(now));

    // One action at time t; false once nothing is left to do (a new machine still needs the step that sees it Ready).
    private bool Step(MachineTarget target, DateTimeOffset time)
    {
        if (_machines.Any(m => !m.IsReadyAt(time)))
            return true;
        if (_machines.Count > target.Replicas)
        {
            var victim = _machines.FirstOrDefault(m => m.Template != target.Template) ?? _machines[0];
            _machines.Remove(victim);
            return !Matches(target, time);
        }
        if (_machines.Count(m => m.Template == target.Template) < target.Replicas)
        {
            var machine = new SimulatedMachine($"{namePrefix}-{ObjectStore.RandomSuffix()}", target.Version, target.Template, time + stepInterval);
            _machines.Add(machine);
            FirstReadyAt ??= machine.ReadyAt;
            return true;
        }
        return false;
    }
}

/// <summary>Orders "v1.31.2"-style versions numerically (v1.9 before v1.10); anything else ordinally.</summary>
public sealed class KubernetesVersionComparer : IComparer<string>
{
    public static readonly KubernetesVersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (Parse(x) is { } left && Parse(y) is { } right)
            return left.CompareTo(right) is var byNumber and not 0 ? byNumber : string.CompareOrdinal(x, y);
        return string.CompareOrdinal(x, y);
    }

    private static Version? Parse(string? version)
    {
        var core = version?.TrimStart('v').Split('-', '+')[0];
        return Version.TryParse(core, out var parsed) ? parsed : null;
    }
}
