namespace MultiCluster.Engine.Reporting;

/// <summary>
/// The reporter of the operation running on this async flow. Connections are cached for the
/// session, while each cmdlet call has its own reporter; HTTP handlers read it from here.
/// </summary>
public static class FleetCallContext
{
    private static readonly AsyncLocal<IFleetReporter?> CurrentReporter = new();
    private static readonly AsyncLocal<CancellationToken> CurrentCancellation = new();

    public static IFleetReporter Reporter => CurrentReporter.Value ?? NullFleetReporter.Instance;

    /// <summary>
    /// The operation's stop token, for work reached through an API that takes none (a cached
    /// connection built on first use runs its exec credential plugin under it).
    /// </summary>
    public static CancellationToken Cancellation => CurrentCancellation.Value;

    /// <summary>Makes <paramref name="reporter"/> (and <paramref name="cancellation"/>) current until the returned scope is disposed.</summary>
    public static IDisposable Use(IFleetReporter reporter, CancellationToken cancellation = default)
    {
        var previous = CurrentReporter.Value;
        var previousCancellation = CurrentCancellation.Value;
        CurrentReporter.Value = reporter;
        CurrentCancellation.Value = cancellation;
        return new Scope(() =>
        {
            CurrentReporter.Value = previous;
            CurrentCancellation.Value = previousCancellation;
        });
    }

    private sealed class Scope(Action restore) : IDisposable
    {
        private Action? _restore = restore;
        public void Dispose() => Interlocked.Exchange(ref _restore, null)?.Invoke();
    }
}
