using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Observability.Events;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Tests.Connections;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.Observability;

/// <summary>Fleet events against three emulated API servers, through the real KubernetesClient's HttpClient.</summary>
public sealed class FleetEventLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "ev");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private string Name(int cluster) => _fleet[cluster].Name;

    /// <summary>A core/v1 Event as a controller writes it, last seen <paramref name="minutesAgo"/> minutes ago.</summary>
    private void Event(int cluster, string name, string type, string reason, string kind, string objectName, int minutesAgo,
        string ns = "default", int count = 1)
    {
        var last = _now.AddMinutes(-minutesAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        _fleet[cluster].CreateObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["involvedObject"] = new JsonObject { ["kind"] = kind, ["name"] = objectName, ["namespace"] = ns },
            ["type"] = type, ["reason"] = reason, ["message"] = $"{reason} on {objectName}",
            ["source"] = new JsonObject { ["component"] = "kubelet" },
            ["firstTimestamp"] = last, ["lastTimestamp"] = last, ["count"] = count,
        });
    }

    private void Seed()
    {
        _fleet[0].CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "shop" } });
        Event(0, "a-old", "Warning", "BackOff", "Pod", "web-1", 30, count: 7);
        Event(0, "a-new", "Warning", "Failed", "Pod", "web-2", 2);
        Event(0, "a-normal", "Normal", "Pulled", "Pod", "web-2", 1);
        Event(0, "a-shop", "Warning", "FailedScheduling", "Pod", "cart-1", 3, ns: "shop");
        Event(1, "b-mid", "Warning", "Failed", "Pod", "web-9", 5);
        Event(1, "b-ancient", "Warning", "Failed", "Deployment", "web", 180);
        Event(2, "c-newest", "Warning", "ProgressDeadlineExceeded", "Deployment", "api", 0);
    }

    private async Task<FleetEventListing> List(EventQuery query) =>
        await new FleetEventReader(_connector).ListAsync(_connector.Clusters, query, new FanOutOptions());

    [Fact]
    public async Task Warnings_of_every_cluster_come_newest_first_with_every_field()
    {
        Seed();

        var listing = await List(EventQuery.Create());

        listing.Errors.Should().BeEmpty();
        listing.Events.Select(e => $"{e.Cluster}:{e.EventName}").Should().Equal(
            $"{Name(2)}:c-newest", $"{Name(0)}:a-new", $"{Name(0)}:a-shop", $"{Name(1)}:b-mid", $"{Name(0)}:a-old", $"{Name(1)}:b-ancient");
        var old = listing.Events.Single(e => e.EventName == "a-old");
        old.Should().BeEquivalentTo(new
        {
            Cluster = Name(0), Namespace = "default", ObjectKind = "Pod", ObjectName = "web-1", Object = "Pod/web-1", Type = "Warning",
            Reason = "BackOff", Message = "BackOff on web-1", Count = 7, Source = "kubelet", ApiVersion = "events.k8s.io/v1",
        });
        old.LastSeen.Should().BeCloseTo(_now.AddMinutes(-30), TimeSpan.FromSeconds(1));
        old.FirstSeen.Should().Be(old.LastSeen);
        old.LastSeenAge.Should().Be("30m");
        // Only warnings crossed the network: the type is a server-side field selector on events.k8s.io/v1.
        _fleet[0].RequestLog.Requests.Should().Contain(r => r.Path == "/apis/events.k8s.io/v1/events" && r.Query.Contains("fieldSelector=type%3DWarning"));
    }

    [Fact]
    public async Task Type_namespace_reason_object_and_since_narrow_the_list()
    {
        Seed();

        (await List(EventQuery.Create("All"))).Events.Should().HaveCount(7);
        (await List(EventQuery.Create("Normal"))).Events.Select(e => e.EventName).Should().Equal("a-normal");
        (await List(EventQuery.Create(ns: "shop"))).Events.Select(e => e.EventName).Should().Equal("a-shop");
        (await List(EventQuery.Create(reason: "Failed"))).Events.Select(e => e.EventName).Should().Equal("a-new", "b-mid", "b-ancient");
        (await List(EventQuery.Create("All", involvedObject: "Pod/web-2"))).Events.Select(e => e.EventName).Should().Equal("a-normal", "a-new");
        (await List(EventQuery.Create(involvedObject: "web"))).Events.Select(e => e.EventName).Should().Equal("b-ancient");
        var lowerCaseKind = () => EventQuery.Create(involvedObject: "pod/web-2");
        lowerCaseKind.Should().Throw<FleetInputException>("kinds are compared exactly, so 'pod' would match nothing")
            .Which.ErrorId.Should().Be(EventErrorIds.InvolvedObjectInvalid);
        (await List(EventQuery.Create(since: TimeSpan.FromMinutes(10)))).Events.Select(e => e.EventName).Should().Equal("c-newest", "a-new", "a-shop", "b-mid");
        _fleet[1].RequestLog.Requests.Should().Contain(r => r.Query.Contains("fieldSelector=type%3DWarning%2Cregarding.name%3Dweb"));
    }

    [Fact]
    public async Task A_cluster_that_cannot_be_read_is_one_error_and_hides_none_of_the_others()
    {
        Seed();
        await _fleet[1].SetFaultsAsync(new FaultSettings { Stopped = true });

        var listing = await List(EventQuery.Create());

        listing.Errors.Should().HaveCount(1);
        listing.Errors[0].ErrorId.Should().Be(FleetErrorIds.ClusterUnreachable);
        listing.Errors[0].Target.Should().Be(Name(1));
        listing.Events.Select(e => e.EventName).Should().Equal("c-newest", "a-new", "a-shop", "a-old");
    }

    [Fact]
    public async Task A_watch_streams_new_events_resumes_after_a_drop_and_relists_after_410_without_repeats()
    {
        Event(0, "before", "Warning", "BackOff", "Pod", "web-1", 1);
        var reporter = new RecordingReporter();
        using var scope = FleetCallContext.Use(reporter);
        var watcher = new FleetEventWatcher(_connector, new EventWatchOptions
        {
            RetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(200), ServerTimeoutSeconds = 60,
        });
        var received = new ConcurrentQueue<FleetOutcome<FleetEvent>>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var watching = Task.Run(async () =>
        {
            await foreach (var outcome in watcher.WatchAsync(_connector.Clusters, EventQuery.Create(), stop.Token)) received.Enqueue(outcome);
        });
        IEnumerable<string> Names() => received.Select(o => o.Value!.EventName);

        await Until(() => Names().Contains("before"));
        Event(1, "after-start", "Warning", "Failed", "Pod", "web-2", 0);
        Event(1, "normal-ignored", "Normal", "Pulled", "Pod", "web-2", 0);
        await Until(() => Names().Contains("after-start"));

        // A dropped cluster: its watch resumes from the last resourceVersion once it answers again.
        await _fleet[2].SetFaultsAsync(new FaultSettings { Stopped = true });
        await Until(() => reporter.Warnings.Any(w => w.StartsWith($"Cluster '{Name(2)}' dropped out")));
        Event(2, "while-down", "Warning", "Failed", "Pod", "api-1", 0);
        await Task.Delay(500); // several retries fail meanwhile; each must stay unreported
        await _fleet[2].ClearFaultsAsync();
        await Until(() => Names().Contains("while-down"));

        // History compacted while away: 410 on resume, a new list, and only what was not emitted yet.
        await _fleet[0].SetFaultsAsync(new FaultSettings { Stopped = true });
        await Until(() => reporter.Warnings.Any(w => w.StartsWith($"Cluster '{Name(0)}' dropped out")));
        Event(0, "after-compaction", "Warning", "Failed", "Pod", "web-3", 0);
        _fleet[0].Store.Compact();
        await _fleet[0].ClearFaultsAsync();
        await Until(() => Names().Contains("after-compaction"));
        await Task.Delay(300);
        stop.Cancel();
        await watching.ContinueWith(_ => { });

        received.Should().HaveCount(4).And.OnlyContain(o => o.Error == null);
        Names().Should().BeEquivalentTo(["before", "after-start", "while-down", "after-compaction"], "each event comes out once, warnings only");
        reporter.Warnings.Where(w => w.Contains(Name(2))).Should().HaveCount(2, "one warning when it drops out, one when it is back");
        reporter.Warnings.Should().ContainSingle(w => w.StartsWith($"Cluster '{Name(2)}' answers again"));
        reporter.Warnings.Where(w => w.Contains(Name(0))).Should().HaveCount(2);
        reporter.VerboseLines.Should().Contain(l => l.StartsWith($"Cluster '{Name(0)}': too old resource version"));
        _fleet[0].RequestLog.Requests.Count(r => r.Path == "/apis/events.k8s.io/v1/events" && !r.Query.Contains("watch=true"))
            .Should().Be(2, "listed at the start and again after the 410");
    }

    [Fact]
    public async Task A_watch_with_a_duration_ends_on_its_own()
    {
        var watcher = new FleetEventWatcher(_connector, new EventWatchOptions { Duration = TimeSpan.FromSeconds(1) });
        var started = DateTimeOffset.UtcNow;

        var outcomes = await watcher.WatchAsync(_connector.Clusters, EventQuery.Create()).ToListAsync();

        outcomes.Should().BeEmpty();
        (DateTimeOffset.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException("the condition did not come true within 30 s");
            await Task.Delay(50);
        }
    }
}
