using System.Diagnostics;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;

namespace MultiCluster.Engine.Tests.FanOut;

public class FleetRunnerTests
{
    private static List<FleetCluster> Clusters(int count) =>
        Enumerable.Range(1, count).Select(i => new FleetCluster { Name = $"c{i}" }).ToList();

    private static IEnumerable<string> Failure(FleetCluster cluster, FleetException error, IReadOnlyList<string> _) =>
        [$"{cluster.Name}:{error.ErrorId}"];

    [Fact]
    public async Task Never_runs_more_clusters_at_once_than_the_throttle_limit()
    {
        var running = 0;
        var peak = 0;

        var results = await FleetRunner.RunAsync<string>(Clusters(12), new FanOutOptions { ThrottleLimit = 3 }, async (cluster, sink, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(30, token);
            Interlocked.Decrement(ref running);
            sink.Emit(cluster.Name);
        }, Failure).ToListAsync();

        results.Should().HaveCount(12);
        peak.Should().Be(3);
    }

    [Fact]
    public async Task A_cluster_that_times_out_fails_alone_with_ClusterTimeout()
    {
        var stopwatch = Stopwatch.StartNew();

        // The deadline only turns "the timeout never fired" into a failure instead of a hang; the
        // lower bound and the order prove it was the 1 s timeout, whatever the machine's load.
        var results = await FleetRunner.RunAsync<string>(Clusters(3), new FanOutOptions { TimeoutSeconds = 1 }, async (cluster, sink, token) =>
        {
            if (cluster.Name == "c2") await Task.Delay(Timeout.Infinite, token);
            sink.Emit($"{cluster.Name}:ok");
        }, Failure).ToListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        results.Should().HaveCount(3);
        results.Take(2).Should().BeEquivalentTo("c1:ok", "c3:ok");
        results[2].Should().Be("c2:ClusterTimeout", "the hanging cluster ends last, at its timeout");
        stopwatch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(0.9), "the hanging cluster is given its full second");
    }

    [Fact]
    public async Task Work_that_ignores_its_token_still_ends_at_the_timeout()
    {
        var release = new TaskCompletionSource();

        var results = await FleetRunner.RunAsync<string>(Clusters(1), new FanOutOptions { TimeoutSeconds = 1 }, async (cluster, sink, _) =>
        {
            await release.Task;
            sink.Emit("late");
        }, Failure).ToListAsync();
        release.SetResult();

        results.Should().Equal("c1:ClusterTimeout");
    }

    [Fact]
    public async Task A_timed_out_cluster_keeps_its_throttle_slot_until_its_work_really_ends()
    {
        var stopwatch = Stopwatch.StartNew();
        TimeSpan firstEnded = default, secondStarted = default;

        var results = await FleetRunner.RunAsync<string>(Clusters(2), new FanOutOptions { ThrottleLimit = 1, TimeoutSeconds = 1 }, async (cluster, sink, _) =>
        {
            if (cluster.Name == "c1")
            {
                // Ignores its token: still sending for a second after its timeout.
                await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                firstEnded = stopwatch.Elapsed;
                return;
            }
            secondStarted = stopwatch.Elapsed;
            sink.Emit($"{cluster.Name}:ok");
        }, Failure).ToListAsync();

        results.Should().Equal("c1:ClusterTimeout", "c2:ok");
        firstEnded.Should().BeGreaterThan(TimeSpan.FromSeconds(1.5));
        secondStarted.Should().BeGreaterThanOrEqualTo(firstEnded, "with -ThrottleLimit 1 the second cluster waits until the first one's work has ended");
    }

    [Fact]
    public async Task One_throwing_cluster_does_not_stop_the_others()
    {
        var results = await FleetRunner.RunAsync<string>(Clusters(4), new FanOutOptions(), (cluster, sink, _) =>
        {
            if (cluster.Name == "c3") throw new InvalidOperationException("boom");
            sink.Emit($"{cluster.Name}:ok");
            return Task.CompletedTask;
        }, Failure).ToListAsync();

        results.Should().BeEquivalentTo("c1:ok", "c2:ok", "c4:ok", "c3:ClusterRequestFailed");
    }

    [Fact]
    public async Task Failure_callback_sees_what_the_cluster_already_emitted()
    {
        IReadOnlyList<string>? seen = null;

        var results = await FleetRunner.RunAsync<string>(Clusters(1), new FanOutOptions(), (cluster, sink, _) =>
        {
            sink.Emit("first");
            throw new FleetClusterException(FleetErrorIds.ClusterUnreachable, FleetErrorCategory.ConnectionError, cluster.Name, "down");
        }, (cluster, error, emitted) =>
        {
            seen = emitted;
            return [$"{cluster.Name}:{error.ErrorId}"];
        }).ToListAsync();

        results.Should().Equal("first", "c1:ClusterUnreachable");
        seen.Should().Equal("first");
    }

    [Fact]
    public async Task Cancellation_stops_promptly()
    {
        using var cancellation = new CancellationTokenSource();
        var started = 0;

        // Every cluster waits forever on its token: only the cancellation can end the run, and the
        // deadline turns a run that ignores it into a failure instead of a hang.
        var run = FleetRunner.RunAsync<string>(Clusters(20), new FanOutOptions { ThrottleLimit = 4 }, async (_, sink, token) =>
        {
            if (Interlocked.Increment(ref started) == 4) cancellation.Cancel();
            await Task.Delay(Timeout.Infinite, token);
            sink.Emit("never");
        }, Failure, cancellation.Token).ToListAsync().AsTask();

        await FluentActions.Awaiting(() => run.WaitAsync(TimeSpan.FromSeconds(60))).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Results_stream_before_all_clusters_finish()
    {
        var slowRelease = new TaskCompletionSource();
        var received = new List<string>();

        await foreach (var result in FleetRunner.RunAsync<string>(Clusters(2), new FanOutOptions(), async (cluster, sink, token) =>
        {
            if (cluster.Name == "c2") await slowRelease.Task.WaitAsync(token);
            sink.Emit(cluster.Name);
        }, Failure))
        {
            received.Add(result);
            if (result == "c1")
            {
                slowRelease.Task.IsCompleted.Should().BeFalse("c1's result arrives while c2 is still working");
                slowRelease.SetResult();
            }
        }

        received.Should().Equal("c1", "c2");
    }

    [Fact]
    public async Task A_slow_consumer_holds_the_clusters_back_to_the_buffer_size_and_loses_nothing()
    {
        const int bound = 8;
        const int perCluster = 150;
        var handedOver = 0;   // results whose EmitAsync has returned
        var consumed = 0;
        var mostAhead = 0;

        var run = FleetRunner.RunAsync<string>(Clusters(4), new FanOutOptions { ResultBufferSize = bound }, async (cluster, sink, token) =>
        {
            for (var i = 0; i < perCluster; i++)
            {
                await sink.EmitAsync($"{cluster.Name}:{i}");
                Interlocked.Increment(ref handedOver);
            }
        }, Failure);
        var results = new List<string>();
        await foreach (var result in run)
        {
            results.Add(result);
            consumed++;
            // Handed over but not yet taken: at most what the buffer holds.
            InterlockedMax(ref mostAhead, Volatile.Read(ref handedOver) - consumed);
            if (consumed % 25 == 0) await Task.Delay(20);
        }

        results.Should().HaveCount(4 * perCluster);
        results.Should().OnlyHaveUniqueItems();
        foreach (var cluster in Clusters(4))
            results.Where(r => r.StartsWith(cluster.Name + ":", StringComparison.Ordinal)).Select(r => int.Parse(r[(r.IndexOf(':') + 1)..]))
                .Should().Equal(Enumerable.Range(0, perCluster), "each cluster's results come out whole and in order");
        mostAhead.Should().BeGreaterThan(0, "the clusters did get ahead of the slow consumer").And.BeLessThanOrEqualTo(bound);
    }

    [Fact]
    public async Task Synchronous_emit_waits_for_room_instead_of_dropping()
    {
        var results = new List<string>();
        await foreach (var result in FleetRunner.RunAsync<string>(Clusters(2), new FanOutOptions { ResultBufferSize = 1 }, (cluster, sink, _) =>
        {
            for (var i = 0; i < 50; i++) sink.Emit($"{cluster.Name}:{i}");
            return Task.CompletedTask;
        }, Failure))
        {
            results.Add(result);
            await Task.Delay(1);
        }

        results.Should().HaveCount(100);
        results.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Reading_every_cluster_answers_in_the_clusters_order_within_the_throttle()
    {
        var running = 0;
        var peak = 0;

        var answers = await FleetRunner.ReadAllAsync(Clusters(8), new FanOutOptions { ThrottleLimit = 2 }, async (cluster, token) =>
        {
            InterlockedMax(ref peak, Interlocked.Increment(ref running));
            // The later clusters answer first: the order of the answers is still the clusters'.
            await Task.Delay(80 - int.Parse(cluster.Name[1..]) * 10, token);
            Interlocked.Decrement(ref running);
            return cluster.Name.ToUpperInvariant();
        });

        answers.Should().Equal("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8");
        peak.Should().Be(2);
    }

    [Fact]
    public async Task Reading_every_cluster_throws_the_first_clusters_error_once_every_read_has_ended()
    {
        var ended = new List<string>();

        var read = () => FleetRunner.ReadAllAsync(Clusters(3), new FanOutOptions { TimeoutSeconds = 1 }, async (cluster, token) =>
        {
            if (cluster.Name == "c3") throw new FleetClusterException(FleetErrorIds.ServerError, FleetErrorCategory.ResourceUnavailable, "c3", "c3 broke");
            if (cluster.Name == "c2") await Task.Delay(Timeout.Infinite, token);
            lock (ended) ended.Add(cluster.Name);
            return cluster.Name;
        }).WaitAsync(TimeSpan.FromSeconds(60));

        var error = (await read.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterTimeout, "c2 comes before c3 in the fleet, and it timed out");
        error.Message.Should().Contain("'c2'");
        ended.Should().Equal("c1");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
