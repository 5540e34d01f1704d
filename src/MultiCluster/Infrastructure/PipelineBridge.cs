using System.Collections.Concurrent;

namespace MultiCluster.Infrastructure;

/// <summary>
/// Runs engine work on the thread pool while everything that touches the pipeline
/// (WriteObject, WriteError, WriteProgress, WriteVerbose, script blocks, ShouldProcess) runs on
/// the pipeline thread: workers post actions, the pipeline thread drains them in arrival order
/// until the work completes. When the pipeline thread stops draining (a downstream command or an
/// error under -ErrorAction Stop threw), the work is cancelled and awaited before the failure
/// goes on, and nothing posted after that runs.
/// </summary>
internal sealed class PipelineBridge
{
    private readonly BlockingCollection<Action> _actions = new();
    private readonly ConcurrentDictionary<object, Action> _pendingInvokes = new();
    private volatile bool _closed;

    /// <summary>Queues an action for the pipeline thread. Safe from any thread; dropped once the bridge closed.</summary>
    public void Post(Action action)
    {
        if (_closed) return;
        try { _actions.Add(action); }
        catch (InvalidOperationException) { } // work finished; late messages are dropped
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
        var task = Task.Run(async () =>
        {
            try { await work().ConfigureAwait(false); }
            finally { _actions.CompleteAdding(); }
        });
        try
        {
            foreach (var action in _actions.GetConsumingEnumerable())
                action();
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
        CancelPendingInvokes();
    }

    private void CancelPendingInvokes()
    {
        foreach (var key in _pendingInvokes.Keys)
            if (_pendingInvokes.TryRemove(key, out var cancel)) cancel();
    }
}
