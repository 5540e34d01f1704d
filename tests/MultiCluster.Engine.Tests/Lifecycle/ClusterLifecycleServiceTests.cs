using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ClusterLifecycleServiceTests
{
    private static readonly string[] Names = ["dev-01", "dev-02", "dev-03", "dev-04", "dev-05", "dev-06"];

    private static async Task CreateAsync(ManagementCluster management, string name)
    {
        var spec = new FleetClusterSpec { Name = name, Provider = "Docker", KubernetesVersion = "v1.32.3", WorkerReplicas = 1 };
        var rendered = await new ClusterManifestService(management.Connector).RenderForAsync(spec, management.Cluster);
        var apply = new ApplyService(management.Connector);
        var results = await apply.ApplyAsync(apply.Plan([management.Cluster], rendered.Objects), new ApplyOptions()).ToListAsync();
        results.Should().HaveCount(rendered.Objects.Count).And.NotBeEmpty().And.OnlyContain(r => r.Action == FleetResourceAction.Created);
    }

    /// <summary>
    /// The most workload clusters whose requests to the management cluster overlapped in time, from
    /// the emulator's request log: a cluster is in flight from its first request in to its last
    /// answer out (less a few milliseconds, so the next cluster's first request, sent as the last
    /// answer is written, does not count as an overlap).
    /// </summary>
    private static int ClustersInFlight(RequestLog log)
    {
        var spans = Names.Select(name => log.Requests.Where(r => (r.Path + r.Query).Contains(name, StringComparison.Ordinal)).ToList())
            .Where(requests => requests.Count > 0)
            .Select(requests => (Start: requests.Min(r => r.Started), End: requests.Max(r => r.Finished) - TimeSpan.FromMilliseconds(20)))
            .ToList();
        return spans.Max(span => spans.Count(other => other.Start <= span.Start && span.Start < other.End));
    }

    [RequiresSharedCrdsFact]
    public async Task ThrottleLimit_two_never_has_more_than_two_of_six_clusters_in_flight()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-throttle");
        foreach (var name in Names) await CreateAsync(management, name);
        using var session = new FleetSession(KubeconfigSource.FromContent(management.Emulator.Kubeconfig(management.Emulator.Name)));
        var targets = Names.Select(name => new LifecycleTarget(name, management.Cluster, "default", null)).ToList();
        var service = new ClusterLifecycleService(session);
        // Slow answers make clusters worked on side by side overlap for certain.
        await management.Emulator.SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromMilliseconds(100) });

        management.Emulator.RequestLog.Clear();
        var throttled = await service.ResizeAsync(targets, 3, null, new FanOutOptions { ThrottleLimit = 2 }).ToListAsync();
        var throttledInFlight = ClustersInFlight(management.Emulator.RequestLog);
        management.Emulator.RequestLog.Clear();
        var sideBySide = await service.ResizeAsync(targets, 2, null, new FanOutOptions { ThrottleLimit = 6 }).ToListAsync();
        var sideBySideInFlight = ClustersInFlight(management.Emulator.RequestLog);

        throttled.Should().HaveCount(6);
        throttled.Should().OnlyContain(o => o.Error == null);
        throttled.Select(o => (o.Cluster, o.Value!.Name, o.Value.ManagementCluster)).Should().BeEquivalentTo(Names.Select(n => (n, n, "mgmt-throttle")));
        throttledInFlight.Should().Be(2, "-ThrottleLimit 2 works on two clusters at a time, never more");
        sideBySide.Should().HaveCount(6);
        sideBySide.Should().OnlyContain(o => o.Error == null);
        sideBySideInFlight.Should().BeGreaterThan(2, "the request log does show clusters worked on side by side when the limit allows");
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_past_its_time_limit_is_a_ClusterTimeout_and_the_others_finish()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-timeout");
        await CreateAsync(management, "dev-01");
        using var session = new FleetSession(KubeconfigSource.FromContent(management.Emulator.Kubeconfig(management.Emulator.Name)));
        var service = new ClusterLifecycleService(session);
        var targets = new[] { new LifecycleTarget("dev-01", management.Cluster, "default", null) };
        await management.Emulator.SetFaultsAsync(new FaultSettings { Hanging = true });

        var outcomes = await service.ResizeAsync(targets, 3, null, new FanOutOptions { TimeoutSeconds = 1 }).ToListAsync();
        await management.Emulator.ClearFaultsAsync();

        outcomes.Should().HaveCount(1);
        var error = outcomes[0].Error!;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout, "dev-01"));
    }

    [Fact]
    public void More_clusters_than_allowed_are_refused_naming_them_and_an_explicit_raise_lets_them_through()
    {
        var refused = FluentActions.Invoking(() => ClusterCircuitBreaker.Check("delete", ["a", "b"], null))
            .Should().Throw<FleetInputException>().Which;
        (refused.ErrorId, refused.Category).Should().Be((ClusterCircuitBreaker.ClusterLimitExceeded, FleetErrorCategory.LimitsExceeded));
        refused.Message.Should().Be("Refusing to delete 2 clusters (a, b): more than the 1 cluster(s) allowed.");
        refused.RecommendedAction.Should().Contain("-MaxClusters 2").And.Contain("-Force only skips the prompts");

        FluentActions.Invoking(() => ClusterCircuitBreaker.Check("delete", ["a"], null)).Should().NotThrow();
        FluentActions.Invoking(() => ClusterCircuitBreaker.Check("delete", ["a", "b"], 2)).Should().NotThrow();
        FluentActions.Invoking(() => ClusterCircuitBreaker.Check("delete", ["a", "b", "c"], 2)).Should().Throw<FleetInputException>();
    }
}
