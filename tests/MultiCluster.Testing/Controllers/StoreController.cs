using System.Threading.Channels;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// The base of the simulated controllers: a level-triggered reconcile loop like a
/// controller-runtime reconciler. Store changes of the watched resources (and, at start, every
/// existing object of them) queue the object's key; one worker reconciles keys one at a time,
/// so a controller never races itself. A key queued twice before it is reconciled is reconciled
/// once. Work due later (a rollout finishing) is asked for with <see cref="RequeueAt"/>, measured
/// on the instance's <see cref="TestClock"/>: advancing the clock runs it at once, and it also
/// runs when that much real time has passed.
/// </summary>
public abstract class StoreController : IController
{
    private readonly object _gate = new();
    private readonly HashSet<ObjectKey> _queued = [];
    private readonly List<(ObjectKey Key, DateTimeOffset Due)> _timers = [];
    private readonly Dictionary<DateTimeOffset, Timer> _realTimers = [];
    private Channel<ObjectKey> _queue = Channel.CreateUnbounded<ObjectKey>();
    private CancellationTokenSource _stopping = new();
    private Task _worker = Task.CompletedTask;
    private TaskCompletionSource _idle = Completed();
    private int _outstanding;
    private ClusterContext? _cluster;

    public abstract string Name { get; }

    /// <summary>The (group, plural resource) pairs whose changes queue work.</summary>
    protected abstract IReadOnlyList<(string Group, string Resource)> Watches { get; }

    /// <summary>The instance this controller runs in; set by <see cref="Start"/>.</summary>
    protected ClusterContext Cluster => _cluster ?? throw new InvalidOperationException($"controller {Name} is not started");

    /// <summary>
    /// Brings the world in line with the object under <paramref name="key"/> (which may be gone).
    /// Runs on the controller's worker. A 409 Conflict from the store requeues the key.
    /// </summary>
    protected abstract void Reconcile(ObjectKey key);

    public void Start(ClusterContext cluster)
    {
        lock (_gate)
        {
            _cluster = cluster;
            _queue = Channel.CreateUnbounded<ObjectKey>(new UnboundedChannelOptions { SingleReader = true });
            _stopping = new CancellationTokenSource();
        }
        OnStart();
        cluster.Store.Changed += OnStoreChanged;
        cluster.Clock.Advanced += OnClockAdvanced;
        foreach (var (group, resource) in Watches)
        {
            if (cluster.Registry.Find(group, resource) is not { } type)
                continue;
            foreach (var obj in cluster.Store.List(type, null).Items)
                Enqueue(ObjectKey.For(type, (string?)obj["metadata"]?["namespace"], (string?)obj["metadata"]?["name"] ?? ""));
        }
        _worker = Task.Run(() => RunAsync(_stopping.Token));
    }

    public void Stop()
    {
        if (_cluster is { } cluster)
        {
            cluster.Store.Changed -= OnStoreChanged;
            cluster.Clock.Advanced -= OnClockAdvanced;
        }
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        lock (_gate)
        {
            foreach (var timer in _realTimers.Values)
                timer.Dispose();
            _realTimers.Clear();
            _timers.Clear();
        }
        try
        {
            _worker.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The worker ends by cancellation; nothing else is left to report.
        }
        lock (_gate)
        {
            _queued.Clear();
            _outstanding = 0;
            _idle.TrySetResult();
        }
        OnStop();
    }

    /// <summary>The last unexpected exception a reconcile threw, for tests to inspect.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Completes once nothing is queued or being reconciled (timers not yet due do not count).</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate)
            return _idle.Task;
    }

    /// <summary>Queues <paramref name="key"/> for reconciling.</summary>
    protected void Enqueue(ObjectKey key)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested || !_queued.Add(key))
                return;
            if (_outstanding++ == 0)
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _queue.Writer.TryWrite(key);
    }

    /// <summary>Queues <paramref name="key"/> again once the instance's clock reaches <paramref name="due"/>.</summary>
    protected void RequeueAt(ObjectKey key, DateTimeOffset due)
    {
        var wait = due - Cluster.Clock.UtcNow;
        if (wait <= TimeSpan.Zero)
        {
            Enqueue(key);
            return;
        }
        lock (_gate)
        {
            if (_timers.Contains((key, due)))
                return;
            _timers.Add((key, due));
            // One real-time fallback per due time, however many keys wait for it (the pods a
            // ReplicaSet creates in one reconcile share theirs). It queues the keys itself: timers
            // may fire a little early, and Reconcile asks again for whatever is not due yet.
            if (_realTimers.ContainsKey(due))
                return;
            Timer? timer = null;
            timer = new Timer(_ =>
            {
                List<ObjectKey> keys;
                lock (_gate)
                {
                    _realTimers.Remove(due);
                    keys = _timers.Where(t => t.Due == due).Select(t => t.Key).ToList();
                    _timers.RemoveAll(t => t.Due == due);
                }
                timer!.Dispose();
                foreach (var waiting in keys)
                    Enqueue(waiting);
            }, null, wait, Timeout.InfiniteTimeSpan);
            _realTimers[due] = timer;
        }
    }

    /// <summary>Runs once <see cref="Cluster"/> is set, before any change is watched (set up shared state here).</summary>
    protected virtual void OnStart()
    {
    }

    /// <summary>Runs after the worker has stopped (release what the controller started here).</summary>
    protected virtual void OnStop()
    {
    }

    /// <summary>Called for every store change of a watched resource; queues its key by default.</summary>
    protected virtual void OnWatchedChange(StoreEvent change) => Enqueue(change.Key);

    private void OnStoreChanged(StoreEvent change)
    {
        foreach (var (group, resource) in Watches)
            if (change.Key.Group == group && change.Key.Resource == resource)
            {
                OnWatchedChange(change);
                return;
            }
    }

    private void OnClockAdvanced(DateTimeOffset now) => FireDueTimers(now);

    private void FireDueTimers(DateTimeOffset now)
    {
        List<ObjectKey> due;
        lock (_gate)
        {
            due = _timers.Where(t => t.Due <= now).Select(t => t.Key).ToList();
            _timers.RemoveAll(t => t.Due <= now);
        }
        foreach (var key in due)
            Enqueue(key);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var key in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                lock (_gate)
                    _queued.Remove(key);
                try
                {
                    Reconcile(key);
                }
                catch (ApiStatusException e) when (e.Code == 409)
                {
                    // Someone wrote in between: look again at the newer object.
                    Enqueue(key);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    // A controller bug must not kill the worker; keep it for the test to see.
                    LastError = e;
                }
                finally
                {
                    lock (_gate)
                        if (--_outstanding == 0)
                            _idle.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static TaskCompletionSource Completed()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }
}
