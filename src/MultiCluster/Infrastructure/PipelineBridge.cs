using System.Collections.Concurrent;

namespace MultiCluster.Infrastructure;

/// <summary>
/// Runs engine work on the thread pool while everything that touches the pipeline
/// (WriteObject, WriteError, WriteProgress, WriteVerbose, script blocks, ShouldProcess) runs on
/// the pipeline thread: workers post actions, the pipeline thread drains them in arrival order
/// until the work completes. When the pipeline thread stops draining (a downstream command or an
/// error under -ErrorAction Stop threw), the work is cancelled and awaited before the failure
/// goes on, and nothing posted after that runs. The queue is bounded: a worker that posts
/// while <see cref="Capacity"/> actions wait blocks until the pipeline takes one, so a slow
/// consumer holds the engine back instead of piling results up in memory.
/// </summary>
internal sealed class PipelineBridge(int capacity = PipelineBridge.DefaultCapacity)
{
    public const int DefaultCapacity = 256;

    private readonly BlockingCollection<Posted> _actions = new();
    private readonly SemaphoreSlim _room = new(capacity);
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<object, Action> _pendingInvokes = new();
    private volatile bool _closed;
    private int _drainThread = -1;

    /// <summary>How many actions may wait for the pipeline thread before posting workers block.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>
    /// Queues an action for the pipeline thread. Safe from any thread; dropped once the bridge
    /// closed. A worker waits while the queue is full; the pipeline thread itself never waits
    /// (it is the one that makes room), so its own posts are not counted.
    /// </summary>
    public void Post(Action action)
    {
        if (_closed) return;
        var counted = Environment.CurrentManagedThreadId != Volatile.Read(ref _drainThread);
        if (counted)
        {
            try { _room.Wait(_closing.Token); }
            catch (OperationCanceledException) { return; } // closed while waiting: dropped
        }
        try { _actions.Add(new Posted(action, counted)); }
        catch (InvalidOperationException) // work finished; late messages are dropped
        {
            if (counted) _room.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="function"/> on the pipeline thread (a script block, a prompt) and
    /// completes with its result or its exception, or is cancelled when the bridge closes first.
    /// </summary>
    public Task<T> Invoke<T>(Func<T> function)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = new object();
        _pendingInvokes[key] = () => result.TrySetCanceled();
        Post(() =>
        {
            _pendingInvokes.TryRemove(key, out _);
            try { result.TrySetResult(function()); }
            catch (Exception ex) { result.TrySetException(ex); }
        });
        if (_closed) CancelPendingInvokes();
        return result.Task;
    }

    /// <summary>
    /// Starts <paramref name="work"/> and drains posted actions until it ends; rethrows its failure.
    /// If an action throws, <paramref name="stop"/> is cancelled and the work awaited (its own
    /// failure then ignored) before the action's exception propagates.
    /// </summary>
    public void Run(Func<Task> work, CancellationTokenSource stop)
    {
        Volatile.Write(ref _drainThread, Environment.CurrentManagedThreadId);
        var task = Task.Run(async () =>
        {
            try { await work().ConfigureAwait(false); }
            finally { _actions.CompleteAdding(); }
        });
        try
        {
            foreach (var posted in _actions.GetConsumingEnumerable())
            {
                if (posted.Counted) _room.Release();
                posted.Action();
            }
        }
        catch
        {
            Close();
            stop.Cancel();
            CancelPendingInvokes();
            try { task.GetAwaiter().GetResult(); }
            catch (Exception) { } // the drain's own failure is the one the user sees
            throw;
        }
        finally
        {
            Close();
        }
        task.GetAwaiter().GetResult();
    }

    private void Close()
    {
        _closed = true;
        _closing.Cancel(); // wakes workers waiting for room; what they meant to post is dropped
        CancelPendingInvokes();
    }

    private void CancelPendingInvokes()
    {
        foreach (var key in _pendingInvokes.Keys)
            if (_pendingInvokes.TryRemove(key, out var cancel)) cancel();
    }

    private sealed record Posted(Action Action, bool Counted);
}
