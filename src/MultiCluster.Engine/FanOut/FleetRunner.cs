using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>Where one cluster's work hands its results as each is ready.</summary>
public interface IFleetResultSink<in T>
{
    /// <summary>
    /// Hands a result over, waiting while the run's buffer is full (the consumer is slower than
    /// the clusters), so a fast cluster never piles up results in memory and none is dropped.
    /// </summary>
    ValueTask EmitAsync(T result);

    /// <summary>
    /// <see cref="EmitAsync"/> for synchronous callers: blocks the worker while the buffer is full.
    /// Prefer <see cref="EmitAsync"/>, which frees the thread meanwhile.
    /// </summary>
    void Emit(T result);
}

/// <summary>How far and how long a fan-out may go.</summary>
public sealed record FanOutOptions
{
    public const int DefaultThrottleLimit = 16;

    /// <summary>Clusters worked on at once (-ThrottleLimit).</summary>
    public int ThrottleLimit { get; init; } = DefaultThrottleLimit;

    /// <summary>Time one cluster may take for all of its work (-TimeoutSeconds); null for no limit.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>What the fleet progress record says is going on ("Applying manifests").</summary>
    public string Activity { get; init; } = "Working on clusters";

    public const int DefaultResultBufferSize = 256;

    /// <summary>Results held between the clusters and the consumer; a cluster's work waits while it is full.</summary>
    public int ResultBufferSize { get; init; } = DefaultResultBufferSize;
}

/// <summary>
/// Runs one operation against many clusters: at most <see cref="FanOutOptions.ThrottleLimit"/> at
/// once, each within its own timeout, all stopped by the caller's token (Ctrl+C). Results stream
/// out as they are emitted, for the cmdlet to drain on its pipeline thread, through a buffer of
/// <see cref="FanOutOptions.ResultBufferSize"/>: when the consumer falls behind, the clusters wait. Every failure on a
/// cluster, whatever was thrown, becomes results for that cluster; the others carry on.
/// </summary>
public static class FleetRunner
{
    /// <param name="clusters">The clusters, each worked on once.</param>
    /// <param name="work">The work for one cluster; emits its results through the sink and honours the token.</param>
    /// <param name="onClusterFailure">
    /// The results to report when a cluster's work fails as a whole (it threw, or timed out): gets the
    /// cluster, the error and the results the cluster already emitted.
    /// </param>
    public static async IAsyncEnumerable<T> RunAsync<T>(
        IReadOnlyList<FleetCluster> clusters,
        FanOutOptions options,
        Func<FleetCluster, IFleetResultSink<T>, CancellationToken, Task> work,
        Func<FleetCluster, FleetException, IReadOnlyList<T>, IEnumerable<T>> onClusterFailure,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The cmdlets validate these ranges with [ValidateRange]; here they are programming errors.
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ThrottleLimit, 1, nameof(options.ThrottleLimit));
        if (options.TimeoutSeconds is { } limit) ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(options.TimeoutSeconds));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ResultBufferSize, 1, nameof(options.ResultBufferSize));

        // Stopping early (break, Ctrl+C) cancels the work still running.
        using var runCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(options.ResultBufferSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var producer = Task.Run(() => ProduceAsync(clusters, options, work, onClusterFailure, channel.Writer, runCancellation.Token), CancellationToken.None);
        try
        {
            await foreach (var result in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return result;
            }
            await producer.ConfigureAwait(false);
        }
        finally
        {
            runCancellation.Cancel();
        }
    }

    /// <summary>
    /// For a command that reads every cluster before it changes anything: <paramref name="read"/> on each
    /// cluster as <see cref="RunAsync{T}"/> runs work (throttle, timeout, stop), the answers in the
    /// clusters' order, or the error of the first cluster in that order that failed (ClusterTimeout for
    /// one past its timeout), thrown once every read has ended, so nothing is changed on a partial view.
    /// </summary>
    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(IReadOnlyList<FleetCluster> clusters, FanOutOptions options,
        Func<FleetCluster, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        var answers = new Dictionary<string, T>(StringComparer.Ordinal);
        var errors = new Dictionary<string, FleetException>(StringComparer.Ordinal);
        await foreach (var (cluster, answer, error) in RunAsync<(string Cluster, T? Answer, FleetException? Error)>(clusters, options,
                           async (cluster, sink, token) => sink.Emit((cluster.Name, await read(cluster, token).ConfigureAwait(false), null)),
                           (cluster, error, _) => [(cluster.Name, default, error)], cancellationToken).ConfigureAwait(false))
        {
            if (error is not null) errors[cluster] = error;
            else answers[cluster] = answer!;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (clusters.FirstOrDefault(c => errors.ContainsKey(c.Name)) is { } failed) throw errors[failed.Name];
        return clusters.Select(c => answers[c.Name]).ToList();
    }

    /// <summary>
    /// One cluster's work within the options' timeout (ClusterTimeout past it) and the caller's token,
    /// its error thrown as <see cref="ReadAllAsync{T}"/> throws it: for a command that acts on one
    /// cluster, such as Argo CD's management cluster.
    /// </summary>
    public static async Task<T> RunOneAsync<T>(FleetCluster cluster, FanOutOptions options, Func<CancellationToken, Task<T>> work,
        CancellationToken cancellationToken = default) =>
        (await ReadAllAsync([cluster], options, (_, token) => work(token), cancellationToken).ConfigureAwait(false)).Single();

    private static async Task ProduceAsync<T>(
        IReadOnlyList<FleetCluster> clusters,
        FanOutOptions options,
        Func<FleetCluster, IFleetResultSink<T>, CancellationToken, Task> work,
        Func<FleetCluster, FleetException, IReadOnlyList<T>, IEnumerable<T>> onClusterFailure,
        ChannelWriter<T> writer,
        CancellationToken runToken)
    {
        // Not disposed: a timed-out cluster's slot is released when its work really ends, which may be after the run.
        var throttle = new SemaphoreSlim(options.ThrottleLimit);
        var reporter = FleetCallContext.Reporter;
        var finished = 0;
        try
        {
            var clusterTasks = clusters.Select(async cluster =>
            {
                try
                {
                    await throttle.WaitAsync(runToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                Task? stillRunning = null;
                try
                {
                    stillRunning = await RunClusterAsync(cluster, options, work, onClusterFailure, writer, runToken).ConfigureAwait(false);
                }
                finally
                {
                    // A timed-out cluster is reported at once, but its slot stays taken until its
                    // work ends, so the throttle bounds the requests really in flight.
                    if (stillRunning is null) throttle.Release();
                    else _ = stillRunning.ContinueWith(_ => throttle.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    var done = Interlocked.Increment(ref finished);
                    reporter.Progress(null, options.Activity, $"{done}/{clusters.Count} clusters", done * 100 / Math.Max(clusters.Count, 1));
                }
            }).ToList();
            await Task.WhenAll(clusterTasks).ConfigureAwait(false);
        }
        finally
        {
            reporter.Progress(null, options.Activity, $"{finished}/{clusters.Count} clusters", 100, completed: true);
            writer.TryComplete();
        }
    }

    /// <summary>Runs one cluster's work and reports its failure; returns the work when it timed out and is still running, else null.</summary>
    private static async Task<Task?> RunClusterAsync<T>(
        FleetCluster cluster,
        FanOutOptions options,
        Func<FleetCluster, IFleetResultSink<T>, CancellationToken, Task> work,
        Func<FleetCluster, FleetException, IReadOnlyList<T>, IEnumerable<T>> onClusterFailure,
        ChannelWriter<T> writer,
        CancellationToken runToken)
    {
        using var clusterCancellation = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        if (options.TimeoutSeconds is { } seconds) clusterCancellation.CancelAfter(TimeSpan.FromSeconds(seconds));
        var sink = new ClusterSink<T>(writer, clusterCancellation.Token);
        var running = Task.Run(() => work(cluster, sink, clusterCancellation.Token), CancellationToken.None);
        try
        {
            // WaitAsync: a cluster whose work ignores its token still ends at its timeout.
            await running.WaitAsync(clusterCancellation.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            var emitted = await sink.CloseAsync().ConfigureAwait(false);
            if (runToken.IsCancellationRequested) return running.IsCompleted ? null : running;

            var error = ex is OperationCanceledException && clusterCancellation.IsCancellationRequested
                ? new FleetClusterException(FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout, cluster.Name,
                    $"Cluster '{cluster.Name}' did not finish within {options.TimeoutSeconds} seconds.", ex,
                    "Check the cluster's API server, or raise -TimeoutSeconds.")
                : KubernetesErrors.Translate(ex, cluster.Name, null, runToken);
            try
            {
                foreach (var result in onClusterFailure(cluster, error, emitted)) await writer.WriteAsync(result, runToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The failure callback is the last line of defence (an exception on a worker would kill the
                // host); a write cancelled because the run stopped has nobody to report to.
            }
            return running.IsCompleted ? null : running;
        }
        finally
        {
            await sink.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Forwards one cluster's results, waiting for room in the buffer, remembers them, and ignores
    /// late ones once the cluster has failed. One result is forwarded at a time, so closing waits
    /// for a write in progress (the cluster's token, cancelled on timeout or stop, ends it).
    /// </summary>
    private sealed class ClusterSink<T>(ChannelWriter<T> writer, CancellationToken clusterToken) : IFleetResultSink<T>
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly List<T> _emitted = [];
        private bool _closed;

        public async ValueTask EmitAsync(T result)
        {
            await _gate.WaitAsync(clusterToken).ConfigureAwait(false);
            try
            {
                if (_closed) return;
                await writer.WriteAsync(result, clusterToken).ConfigureAwait(false);
                _emitted.Add(result);
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Emit(T result)
        {
            var pending = EmitAsync(result);
            if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
        }

        public async Task<IReadOnlyList<T>> CloseAsync()
        {
            await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                _closed = true;
                return _emitted.ToList();
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
