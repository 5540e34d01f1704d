using System.Collections.Concurrent;

namespace MultiCluster.Infrastructure;

/// <summary>
/// Runs engine work on the thread pool while everything that touches the pipeline
/// (WriteObject, WriteError, WriteProgress, WriteVerbose) runs on the pipeline thread: workers
/// post actions, the pipeline thread drains them in arrival order until the work completes.
/// </summary>
internal sealed class PipelineBridge
{
    private readonly BlockingCollection<Action> _actions = new();

    /// <summary>Queues an action for the pipeline thread. Safe from any thread.</summary>
    public void Post(Action action)
    {
        try { _actions.Add(action); }
        catch (InvalidOperationException) { } // work finished; late messages are dropped
    }

    /// <summary>
    /// Runs <paramref name="function"/> on the pipeline thread (a script block, a prompt) and
    /// completes with its result or its exception. Call only while <see cref="Run"/> drains.
    /// </summary>
    public Task<T> Invoke<T>(Func<T> function)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { result.SetResult(function()); }
            catch (Exception ex) { result.SetException(ex); }
        });
        return result.Task;
    }

    /// <summary>Starts <paramref name="work"/> and drains posted actions until it ends; rethrows its failure.</summary>
    public void Run(Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try { await work().ConfigureAwait(false); }
            finally { _actions.CompleteAdding(); }
        });
        foreach (var action in _actions.GetConsumingEnumerable())
            action();
        task.GetAwaiter().GetResult();
    }
}
