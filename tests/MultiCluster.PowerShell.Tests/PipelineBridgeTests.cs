using System.Reflection;
using FluentAssertions;
using MultiCluster.PowerShell.Tests.Infrastructure;
using Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// The queue between the engine's workers and the pipeline thread (internal to the module, so
/// reached by reflection on the built assembly): bounded, lossless, and never a deadlock when
/// the pipeline stops.
/// </summary>
public sealed class PipelineBridgeTests
{
    private static readonly Type BridgeType = Assembly
        .LoadFrom(Path.Combine(Repository.ModuleDirectory, "MultiCluster.dll"))
        .GetType("MultiCluster.Infrastructure.PipelineBridge", throwOnError: true)!;

    [Fact]
    public void A_slow_pipeline_holds_posting_workers_to_the_queue_capacity_and_loses_nothing()
    {
        const int capacity = 8, workers = 4, perWorker = 100;
        var bridge = Activator.CreateInstance(BridgeType, capacity)!;
        int posted = 0, ran = 0, mostWaiting = 0;

        Run(bridge, () => Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                Post(bridge, () =>
                {
                    Interlocked.Increment(ref ran);
                    Thread.Sleep(1); // a slow downstream command
                });
                var waiting = Interlocked.Increment(ref posted) - Volatile.Read(ref ran);
                InterlockedMax(ref mostWaiting, waiting);
            }
        }))));

        ran.Should().Be(workers * perWorker, "nothing posted is dropped while the pipeline runs");
        // Each worker may count its own post before the pipeline ran it, hence the workers' margin.
        mostWaiting.Should().BeLessThanOrEqualTo(capacity + workers);
    }

    [Fact]
    public void Workers_waiting_for_room_are_released_when_the_pipeline_thread_throws()
    {
        var bridge = Activator.CreateInstance(BridgeType, 2)!;
        var ran = 0;
        var stop = new CancellationTokenSource();

        var act = () => Run(bridge, () => Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
                Post(bridge, () =>
                {
                    Interlocked.Increment(ref ran);
                    throw new InvalidOperationException("downstream failed");
                });
        }))), stop);

        act.Should().Throw<TargetInvocationException>()
            .WithInnerException<InvalidOperationException>().WithMessage("downstream failed");
        ran.Should().Be(1, "nothing posted after the failure runs");
        stop.IsCancellationRequested.Should().BeTrue();
    }

    private static void Post(object bridge, Action action) =>
        BridgeType.GetMethod("Post")!.Invoke(bridge, [action]);

    private static void Run(object bridge, Func<Task> work, CancellationTokenSource? stop = null) =>
        BridgeType.GetMethod("Run")!.Invoke(bridge, [work, stop ?? new CancellationTokenSource()]);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) &&
               Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
