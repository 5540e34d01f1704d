using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Get-FleetEvent as users type it: binding, bad input, one failing cluster, the default view, -Watch.</summary>
public sealed class EventTests(DeploymentControllerFixture fixture) : IClassFixture<DeploymentControllerFixture>
{
    private const string Unpullable = """
        @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = $args[0]; namespace = 'default' }
           spec = @{ selector = @{ matchLabels = @{ app = $args[0] } }
                     template = @{ metadata = @{ labels = @{ app = $args[0] } }
                                   spec = @{ containers = @(@{ name = 'app'; image = 'registry.invalid/team/app:1' }) } } } } |
          Invoke-FleetApply -Cluster prod-b | Out-Null
        """;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public void Bad_input_stops_with_its_error_id_before_any_request()
    {
        using var session = fixture.NewSession();
        var cases = new (string Script, string ErrorId, string Target, string Message)[]
        {
            ("Get-FleetEvent -InvolvedObject 'Pod/web/extra'", "InvolvedObjectInvalid", "InvolvedObject",
                "-InvolvedObject 'Pod/web/extra' is not Kind/Name or Name."),
            ("Get-FleetEvent -InvolvedObject '/web'", "InvolvedObjectInvalid", "InvolvedObject", "-InvolvedObject '/web' is not Kind/Name or Name."),
            ("Get-FleetEvent -Since -01:00:00", "SinceInvalid", "Since",
                "-Since -01:00:00 is not a positive time span: it names how far back to look."),
            ("Get-FleetEvent -Watch -Since 0", "SinceInvalid", "Since", "-Since 00:00:00 is not a positive time span: it names how far back to look."),
        };
        var before = fixture.Emulator.RequestsAsync(fixture.Contexts[0]).GetAwaiter().GetResult().Count;
        foreach (var (script, errorId, target, message) in cases)
        {
            var result = session.Run(script);
            result.TerminatingRecord.Should().NotBeNull(script);
            result.TerminatingRecord!.FullyQualifiedErrorId.Should().Be(errorId + ",MultiCluster.Commands.Observability.GetFleetEventCommand", script);
            result.TerminatingRecord.CategoryInfo.Category.Should().Be(ErrorCategory.InvalidArgument, script);
            result.TerminatingRecord.TargetObject.Should().Be(target, script);
            result.TerminatingRecord.Exception.Message.Should().Be(message, script);
            result.Output.Should().BeEmpty(script);
        }
        fixture.Emulator.RequestsAsync(fixture.Contexts[0]).GetAwaiter().GetResult().Should().HaveCount(before, "nothing was asked of any cluster");

        var badType = session.Run("Get-FleetEvent -Type Error");
        badType.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ParameterArgumentValidationError,");
    }

    [Fact]
    public void An_image_that_cannot_be_pulled_shows_as_warnings_from_that_cluster_alone_newest_first()
    {
        using var session = fixture.NewSession();
        var name = Unique("pull");
        session.Run(Unpullable, name).ThrowIfFailed();
        var events = WaitForEvents(session, name, 3);

        events.Should().HaveCount(3, "Pulling, Failed and BackOff for the one new pod");
        events.Should().OnlyContain(e => e.Cluster == "prod-b" && e.Namespace == "default" && e.ObjectKind == "Pod" && e.Source == "kubelet");
        var pod = events[0].ObjectName;
        var warnings = session.Run("Get-FleetEvent -InvolvedObject $args[0]", "Pod/" + pod).ThrowIfFailed().Output.Cast<FleetEvent>().ToList();
        warnings.Should().HaveCount(1);
        warnings[0].Should().BeEquivalentTo(new
        {
            Cluster = "prod-b", Type = "Warning", Reason = "Failed", Object = "Pod/" + pod, Count = 1, ApiVersion = "events.k8s.io/v1",
        });
        warnings[0].Message.Should().StartWith("Failed to pull image \"registry.invalid/team/app:1\": ");
        session.Run("Get-FleetEvent -Reason Failed -Cluster prod-a, dev-c").ThrowIfFailed().Output.Should().BeEmpty("the other clusters pulled nothing");

        var all = session.Run("Get-FleetEvent -Type All -Since 01:00:00").ThrowIfFailed().Output.Cast<FleetEvent>().ToList();
        all.Select(e => e.LastSeen).Should().BeInDescendingOrder("newest first across the fleet");
    }

    [Fact]
    public async Task A_stopped_cluster_is_one_error_and_the_others_events_still_come()
    {
        using var session = fixture.NewSession();
        var name = Unique("stop");
        session.Run(Unpullable, name).ThrowIfFailed();
        WaitForEvents(session, name, 3);
        // A stop through the admin path ends by itself after stoppedForSeconds (nothing listens to clear it).
        await fixture.Emulator.SetFaultsAsync(fixture.Contexts[2], """{"stopped":true,"stoppedForSeconds":4}""");
        PowerShellResult result;
        try
        {
            result = session.Run("Get-FleetEvent -Type All -TimeoutSeconds 10");
        }
        finally
        {
            var back = DateTime.UtcNow.AddSeconds(30);
            while (session.Run("Get-FleetEvent -Cluster dev-c").Errors.Count > 0 && DateTime.UtcNow < back) Thread.Sleep(250);
        }

        result.Terminating.Should().BeNull();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.FullyQualifiedErrorId.Should().Be("ClusterUnreachable,MultiCluster.Commands.Observability.GetFleetEventCommand");
        error.CategoryInfo.Category.Should().Be(ErrorCategory.ConnectionError);
        error.TargetObject.Should().Be("dev-c");
        result.Output.Cast<FleetEvent>().Should().Contain(e => e.Cluster == "prod-b" && e.ObjectName.StartsWith(name + "-"));
    }

    [Fact]
    public void The_default_view_fits_80_columns_with_last_seen_cluster_object_reason_and_message()
    {
        using var session = fixture.NewSession();
        var name = Unique("view");
        session.Run(Unpullable, name).ThrowIfFailed();
        WaitForEvents(session, name, 3);

        var text = session.Run("Get-FleetEvent -Cluster prod-b -Reason Failed | Out-String -Width 80").ThrowIfFailed().Output.Cast<string>().Single();

        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("LastSeen", "Cluster", "Object", "Reason", "Message");
        lines.Should().OnlyContain(l => l.Length <= 80);
        lines.Skip(2).Should().Contain(l => l.Contains("prod-b") && l.Contains($"Pod/{name}-") && l.Contains("Failed") && l.Contains("Failed to pull"));
    }

    [Fact]
    public void Watch_shows_an_event_created_after_it_started_and_ends_after_its_timeout()
    {
        using var session = fixture.NewSession();
        using var other = fixture.NewSession();
        var name = Unique("watch");
        using var ps = session.CreatePowerShell();
        ps.AddScript("Get-FleetEvent -Watch -TimeoutSeconds 20 -Namespace default");
        var output = new PSDataCollection<PSObject>();
        var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
        Thread.Sleep(TimeSpan.FromSeconds(3));
        other.Run(Unpullable, name).ThrowIfFailed();

        ps.EndInvoke(running);

        ps.HadErrors.Should().BeFalse();
        var seen = output.Select(o => o.BaseObject).Cast<FleetEvent>().Where(e => e.ObjectName.StartsWith(name + "-")).ToList();
        seen.Should().HaveCount(1, "the pod's one Warning, Failed to pull");
        seen[0].Should().BeEquivalentTo(new { Cluster = "prod-b", Type = "Warning", Reason = "Failed" });
    }

    [Fact]
    public async Task Ctrl_C_ends_a_running_watch_promptly_and_closes_its_watch_on_every_cluster()
    {
        using var session = fixture.NewSession();
        using var other = fixture.NewSession();
        var name = Unique("ctrlc");
        var started = DateTimeOffset.UtcNow;
        using var ps = session.CreatePowerShell();
        // No -TimeoutSeconds: only Ctrl+C ends this watch.
        ps.AddScript("Get-FleetEvent -Watch -Namespace default");
        var output = new PSDataCollection<PSObject>();
        var running = ps.BeginInvoke<PSObject, PSObject>(null, output);

        // Once a cluster's list is answered, an event made after it reaches the output only through that cluster's watch.
        foreach (var context in fixture.Contexts)
            await WaitForRequest(context, r => r.Started >= started && IsEventsRequest(r) && !IsWatch(r), "the watch's first list");
        other.Run(Unpullable.Replace(" -Cluster prod-b", ""), name).ThrowIfFailed();
        // Read by index: enumerating the output of a running pipeline blocks until it ends.
        List<string> ClustersSeen() => Enumerable.Range(0, output.Count).Select(i => output[i].BaseObject).OfType<FleetEvent>()
            .Where(e => e.ObjectName.StartsWith(name + "-")).Select(e => e.Cluster).Distinct().ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ClustersSeen().Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(200);
        ClustersSeen().Should().BeEquivalentTo(new[] { "prod-a", "prod-b", "dev-c" }, "each cluster's watch is open and delivering");
        running.IsCompleted.Should().BeFalse("a watch without -TimeoutSeconds runs until stopped");

        // What Ctrl+C does.
        var stopAt = DateTimeOffset.UtcNow;
        var stop = Task.Factory.FromAsync(ps.BeginStop(null, null), ps.EndStop);
        (await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(60)))).Should().BeSameAs(stop, "Ctrl+C ends the watch; nothing else would");
        var stoppedAfter = DateTimeOffset.UtcNow - stopAt;

        ps.InvocationStateInfo.State.Should().Be(PSInvocationState.Stopped);
        stoppedAfter.Should().BeLessThan(TimeSpan.FromSeconds(15), "the stop cancels the open watches instead of waiting for them");
        foreach (var context in fixture.Contexts)
        {
            // The watch open when Ctrl+C came is answered as a request whose client went away.
            var closed = await WaitForRequest(context, r => IsEventsRequest(r) && IsWatch(r) && r.Started < stopAt && r.Time >= stopAt, "the watch closed by the stop");
            closed.Status.Should().Be(499, $"{context}: the client closed the watch, the server did not end it");
        }
        var stoppedAt = stopAt + stoppedAfter;
        foreach (var context in fixture.Contexts)
            (await fixture.Emulator.RequestsAsync(context)).Should().NotContain(r => r.Started > stoppedAt, $"{context}: nothing runs on after the stop");
    }

    private static bool IsEventsRequest(EmulatedRequest request) => request.Path.Contains("/events?", StringComparison.Ordinal) || request.Path.EndsWith("/events", StringComparison.Ordinal);

    private static bool IsWatch(EmulatedRequest request) => request.Path.Contains("watch=true", StringComparison.Ordinal);

    /// <summary>The first answered request of one cluster that matches, waiting up to 30 s for it.</summary>
    private async Task<EmulatedRequest> WaitForRequest(string context, Func<EmulatedRequest, bool> match, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = (await fixture.Emulator.RequestsAsync(context)).FirstOrDefault(match);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{context}: no request matching {what} within 30 s.");
            await Task.Delay(200);
        }
    }

    /// <summary>The events of the pods of deployment <paramref name="podOf"/> on prod-b, once <paramref name="count"/> are there.</summary>
    private static List<FleetEvent> WaitForEvents(PowerShellSession session, string podOf, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var found = session.Run("Get-FleetEvent -Type All -Cluster prod-b -Namespace default").ThrowIfFailed().Output.Cast<FleetEvent>()
                .Where(e => e.ObjectName.StartsWith(podOf + "-")).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline) return found;
            Thread.Sleep(200);
        }
    }
}
