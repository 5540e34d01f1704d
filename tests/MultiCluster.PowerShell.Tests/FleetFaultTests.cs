using System.Diagnostics;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Faults at fleet scale: 20 emulated clusters, one down, one slow (2 s per request), one hanging,
/// and the other 17 failing 5 % of their requests with 500 or 429 (Retry-After 1 s), seeded so every
/// run fails the same requests. Every reachable cluster converges, the down and hanging ones are
/// reported once with their ids, and the emulators' request logs show that no object was written
/// twice and every Retry-After was waited out.
/// </summary>
public sealed class FleetFaultTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int ClusterCount = 20;
    private const string Down = "f04", Slow = "f10", Hanging = "f16";
    // The slow cluster's apply is discovery, the lists and the patches: three 2 s round trips (its health
    // check one), with room for a machine busy with other test classes.
    private const int ApplyTimeoutSeconds = 15;
    private const int HealthTimeoutSeconds = 8;
    private const string Namespace = "default";
    private static readonly string[] ConfigMaps = ["fault-a", "fault-b", "fault-c", "fault-d", "fault-e"];

    private EmulatorProcess _emulator = null!;
    private readonly Dictionary<string, string> _contexts = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorProcess.StartAsync(ClusterCount, "ff" + Guid.NewGuid().ToString("N")[..4]);
        for (var i = 0; i < ClusterCount; i++) _contexts[$"f{i + 1:00}"] = _emulator.Contexts[i];
        foreach (var (name, context) in _contexts)
        {
            var seed = int.Parse(name[1..]);
            await _emulator.SetFaultsAsync(context, name switch
            {
                Down => """{"stopped":true,"stoppedForSeconds":3600}""",
                Slow => """{"latencyMs":2000}""",
                Hanging => """{"hanging":true}""",
                _ => $$"""{"failureRate":0.05,"failureStatusCodes":[500,429],"retryAfterSeconds":1,"seed":{{seed}}}""",
            });
        }
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private IEnumerable<string> Reachable => _contexts.Keys.Where(name => name is not (Down or Hanging));

    [Fact]
    public async Task Every_reachable_cluster_converges_the_down_and_hanging_ones_are_reported_once_and_nothing_is_applied_twice()
    {
        var fleetYaml = "name: faults\nclusters:\n" + string.Concat(_contexts.Select(c => $"  - name: {c.Key}\n    context: {c.Value}\n"));
        using var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fleetYaml, _emulator.Kubeconfig).ThrowIfFailed();

        // The engine's first call in a process loads and compiles it (seconds on a busy machine), inside the
        // clusters' timeouts; pay it on one healthy cluster so the timeouts below measure the clusters.
        session.Run("Test-FleetCluster -Cluster f01").ThrowIfFailed();

        // Health: the slow cluster answers within the timeout, the down one is refused, the hanging one times out.
        var watch = Stopwatch.StartNew();
        var health = session.Run($"Test-FleetCluster -TimeoutSeconds {HealthTimeoutSeconds}").ThrowIfFailed()
            .Output.Cast<FleetClusterHealth>().ToList();
        var healthTook = watch.Elapsed;
        health.Should().HaveCount(ClusterCount);
        health.Select(h => h.Cluster).Should().OnlyHaveUniqueItems();
        health.Single(h => h.Cluster == Down).Should().BeEquivalentTo(new { Status = FleetHealthStatus.Unreachable, ErrorId = "ClusterUnreachable" }, o => o.ExcludingMissingMembers());
        health.Single(h => h.Cluster == Hanging).Should().BeEquivalentTo(new { Status = FleetHealthStatus.Unreachable, ErrorId = "ClusterTimeout" }, o => o.ExcludingMissingMembers());
        health.Where(h => h.Cluster is not (Down or Hanging)).Should().HaveCount(ClusterCount - 2).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy,
            string.Join("; ", health.Select(h => $"{h.Cluster} {h.Status} {h.ErrorId} {h.Reason}")));
        // A bound that only catches a run waiting on the hanging cluster far past its timeout, not a speed test.
        healthTook.Should().BeLessThan(TimeSpan.FromSeconds(HealthTimeoutSeconds + 30));

        var manifest = string.Join("---\n", ConfigMaps.Select(name =>
            $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {Namespace}\ndata:\n  key: {name}\n"));
        var firstStarted = DateTimeOffset.UtcNow;
        watch.Restart();
        var first = session.Run($"$args[0] | Invoke-FleetApply -TimeoutSeconds {ApplyTimeoutSeconds}", manifest);
        var firstTook = watch.Elapsed;
        first.Terminating.Should().BeNull();
        var results = first.Output.Cast<FleetResourceResult>().ToList();
        results.Should().HaveCount(ClusterCount * ConfigMaps.Length);
        results.Select(r => (r.Cluster, r.Name)).Should().OnlyHaveUniqueItems("each cluster and object is reported once");
        results.Where(r => r.Cluster is not (Down or Hanging)).Should().HaveCount((ClusterCount - 2) * ConfigMaps.Length)
            .And.OnlyContain(r => r.Action == FleetResourceAction.Created, "the slow cluster is within the timeout and the 500s and 429s are retried ({0})",
                string.Join("; ", results.Where(r => r.Action != FleetResourceAction.Created).Select(r => $"{r.Cluster} {r.Name} {r.Message}").Take(4)));
        results.Where(r => r.Cluster is Down or Hanging).Should().HaveCount(2 * ConfigMaps.Length).And.OnlyContain(r => r.Action == FleetResourceAction.Failed);

        // One error record per failed cluster, not one per object: the cluster failed, not its objects.
        first.Errors.Should().HaveCount(2);
        first.Errors.Single(e => e.TargetObject!.ToString()!.StartsWith(Down, StringComparison.Ordinal))
            .FullyQualifiedErrorId.Should().StartWith("ClusterUnreachable,");
        first.Errors.Single(e => e.TargetObject!.ToString()!.StartsWith(Hanging, StringComparison.Ordinal))
            .FullyQualifiedErrorId.Should().StartWith("ClusterTimeout,");
        firstTook.Should().BeLessThan(TimeSpan.FromSeconds(ApplyTimeoutSeconds + 30));
        output.WriteLine($"Test-FleetCluster {healthTook.TotalSeconds:0.0} s (timeout {HealthTimeoutSeconds} s), first apply {firstTook.TotalSeconds:0.0} s (timeout {ApplyTimeoutSeconds} s)");

        // The second run, on the clusters that can be reached, changes nothing.
        var secondStarted = DateTimeOffset.UtcNow;
        watch.Restart();
        var second = session.Run($"$args[0] | Invoke-FleetApply -Cluster $args[1] -TimeoutSeconds {ApplyTimeoutSeconds}", manifest, Reachable.ToArray())
            .ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
        output.WriteLine($"second apply {watch.Elapsed.TotalSeconds:0.0} s");
        second.Should().HaveCount((ClusterCount - 2) * ConfigMaps.Length).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var injected = new Dictionary<int, int> { [500] = 0, [429] = 0 };
        foreach (var cluster in Reachable)
        {
            var requests = await _emulator.RequestsAsync(_contexts[cluster]);
            foreach (var (from, to) in new[] { (firstStarted, secondStarted), (secondStarted, DateTimeOffset.MaxValue) })
            {
                var run = requests.Where(r => r.Started >= from && r.Started < to).ToList();
                foreach (var name in ConfigMaps)
                {
                    var path = $"/api/v1/namespaces/{Namespace}/configmaps/{name}";
                    var writes = run.Where(r => r.Method is "PATCH" or "PUT" or "POST" or "DELETE" && r.Path.Split('?')[0] == path).ToList();
                    writes.Where(w => w.Status is >= 200 and < 300).Should().ContainSingle($"{cluster} {path} is written once per run");
                    writes.Where(w => w.Status is not (>= 200 and < 300 or 500 or 429)).Should().BeEmpty(
                        "a write is repeated only after an injected failure, answered before the server did anything");
                }
            }
            foreach (var failure in requests.Where(r => r.Status is 500 or 429))
            {
                injected[failure.Status]++;
                var retry = requests.Where(r => r.Method == failure.Method && r.Path == failure.Path && r.Started >= failure.Time)
                    .OrderBy(r => r.Started).FirstOrDefault();
                retry.Should().NotBeNull($"{cluster} {failure.Method} {failure.Path} is retried after its {failure.Status}");
                (retry!.Started - failure.Time).Should().BeLessThan(TimeSpan.FromSeconds(10), "the retry follows its failure, not a later run");
                if (failure.Status == 429)
                    (retry!.Started - failure.Time).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "Retry-After: 1 is waited out");
            }
        }
        // The seeds make these the same on every run; both kinds of failure must have been met.
        injected[500].Should().BePositive($"the seeds give {injected[500]} 500s and {injected[429]} 429s");
        injected[429].Should().BePositive($"the seeds give {injected[500]} 500s and {injected[429]} 429s");
    }
}
