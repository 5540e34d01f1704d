using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Observability.Events;

/// <summary>How a fleet watch retries and how long each watch request may stay open.</summary>
public sealed record EventWatchOptions
{
    /// <summary>The first wait before asking a cluster that dropped out again; doubled up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>timeoutSeconds of each watch request; the server then ends the stream and the watch resumes.</summary>
    public int ServerTimeoutSeconds { get; init; } = 300;

    /// <summary>How long to watch; null until cancelled.</summary>
    public TimeSpan? Duration { get; init; }
}

/// <summary>
/// Streams the events of every cluster through the watch API, as kubectl's <c>--watch</c> does:
/// each cluster is listed first (its matching events come out oldest first), then watched from
/// the list's resourceVersion. A dropped stream resumes from the last resourceVersion seen
/// (bookmarks keep it fresh); a 410 (history compacted) lists again and emits only events not
/// emitted before (new, or changed since: a higher count). A cluster that stops answering (two
/// requests in a row fail) is reported once as a warning, asked again with a doubling delay, and reported again when it is
/// back; only a refusal no retry can mend (credentials, permissions, a missing context) is an error.
/// </summary>
public sealed class FleetEventWatcher(IClusterConnector connector, EventWatchOptions? options = null)
{
    private readonly EventWatchOptions _options = options ?? new EventWatchOptions();

    /// <summary>
    /// The events of <paramref name="clusters"/> as they happen, until <paramref name="cancellationToken"/>
    /// is cancelled or <see cref="EventWatchOptions.Duration"/> has passed (then the stream simply ends).
    /// </summary>
    public async IAsyncEnumerable<FleetOutcome<FleetEvent>> WatchAsync(IReadOnlyList<FleetCluster> clusters, EventQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.Duration is { } duration) watching.CancelAfter(duration);
        // Watches are long-lived: every cluster is watched at once, whatever the fan-out throttle.
        var channel = Channel.CreateBounded<FleetOutcome<FleetEvent>>(new BoundedChannelOptions(256) { SingleReader = true });
        var reporter = FleetCallContext.Reporter;
        var loops = clusters.Select(c => Task.Run(() => WatchClusterAsync(c, query, channel.Writer, reporter, watching.Token), CancellationToken.None)).ToList();
        _ = Task.WhenAll(loops).ContinueWith(_ => channel.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            // Reading stops with the caller's token only: the duration ends the loops, which completes the channel.
            await foreach (var outcome in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return outcome;
        }
        finally
        {
            watching.Cancel();
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
    }

    private async Task WatchClusterAsync(FleetCluster cluster, EventQuery query, ChannelWriter<FleetOutcome<FleetEvent>> output,
        IFleetReporter reporter, CancellationToken cancellationToken)
    {
        var emitted = new Dictionary<string, string>(StringComparer.Ordinal); // uid -> resourceVersion already emitted
        string? resourceVersion = null; // null: list (again) before watching
        var down = false;
        var failures = 0; // in a row, since the cluster last answered
        var delay = _options.RetryDelay;
        ClusterEvents? source = null;
        EventApi? api = null;

        void Answered()
        {
            delay = _options.RetryDelay;
            failures = 0;
            if (!down) return;
            down = false;
            reporter.Warning($"Cluster '{cluster.Name}' answers again; watching its events from resourceVersion {resourceVersion}.");
        }

        async Task EmitAsync(FleetEvent e)
        {
            if (emitted.TryGetValue(e.Uid, out var seen) && seen == e.ResourceVersion) return;
            emitted[e.Uid] = e.ResourceVersion;
            if (query.Matches(e, DateTimeOffset.UtcNow))
                await output.WriteAsync(FleetOutcome<FleetEvent>.Success(cluster.Name, e), cancellationToken).ConfigureAwait(false);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                source ??= new ClusterEvents(connector.Connect(cluster));
                api ??= await source.ApiAsync(cancellationToken).ConfigureAwait(false);
                if (resourceVersion is null)
                {
                    var list = await source.ListAsync(api, query, cancellationToken).ConfigureAwait(false);
                    Answered();
                    foreach (var e in list.Items.OrderBy(e => e.LastSeen ?? e.FirstSeen ?? DateTimeOffset.MinValue))
                        await EmitAsync(e).ConfigureAwait(false);
                    resourceVersion = list.ResourceVersion;
                }
                await foreach (var change in source.WatchAsync(api, query, resourceVersion, _options.ServerTimeoutSeconds, Answered, cancellationToken)
                                   .ConfigureAwait(false))
                {
                    if (change.ResourceVersion.Length > 0) resourceVersion = change.ResourceVersion;
                    if (change.Event is not { } e) continue;
                    if (change.Type == "DELETED") emitted.Remove(e.Uid);
                    else await EmitAsync(e).ConfigureAwait(false);
                }
                // The server ended the stream (its timeout, or the connection closed): resume from resourceVersion.
            }
            catch (EventHistoryExpiredException expired)
            {
                reporter.Verbose($"Cluster '{cluster.Name}': {expired.Message}; listing its events again.");
                resourceVersion = null;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var error = KubernetesErrors.Translate(ex, cluster.Name, null, cancellationToken);
                if (IsPermanent(error))
                {
                    try { await output.WriteAsync(FleetOutcome<FleetEvent>.Failure(cluster.Name, error), cancellationToken).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                    return;
                }
                // One failed request is a blip (a connection reset, a server restarting its listener), not worth a
                // warning; a second in a row means the cluster is gone for now.
                if (!down && ++failures >= 2)
                {
                    down = true;
                    reporter.Warning($"Cluster '{cluster.Name}' dropped out of the event watch: {error.Message} Retrying until it answers.");
                }
                try { await Task.Delay(delay, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    // Failures no retry mends; everything else (unreachable, timeouts, 5xx, 429) is waited out.
    private static bool IsPermanent(FleetException error) => error.ErrorId is
        FleetErrorIds.ClusterAuthenticationFailed or FleetErrorIds.ClusterAccessDenied or FleetErrorIds.ClusterContextNotFound
        or FleetErrorIds.KubeconfigInvalid or FleetErrorIds.ClusterCertificateInvalid or FleetErrorIds.CredentialPluginFailed
        or FleetErrorIds.ResourceNotFound;
}
