using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Benchmarks;

/// <summary>
/// Faults at fleet scale, measured: 20 emulated clusters, one down, one slow (2 s per request), one
/// hanging, the other 17 failing 5 % of requests with 500 or 429 (Retry-After 1 s, seeded). Prints
/// when each cluster's results arrived, the retries the engine made (its Verbose retry lines), whether
/// every 429's Retry-After was waited out and whether any object was written twice (the emulators'
/// request logs), and when the down and hanging clusters were reported. Asserts only the outcomes.
/// </summary>
public static class FaultBenchmark
{
    private const int ClusterCount = 20, ObjectCount = 10, TimeoutSeconds = 15, HealthTimeoutSeconds = 6;
    private const int DownIndex = 3, SlowIndex = 9, HangingIndex = 15;
    private const int SlowMs = 2000, RetryAfterSeconds = 1;
    private const double FailureRate = 0.05;
    private const string Namespace = "bench-faults";

    public static async Task<int> RunAsync()
    {
        await using var fleet = await EmulatedFleet.StartAsync(ClusterCount, "faults");
        var down = fleet[DownIndex].Name;
        var slow = fleet[SlowIndex].Name;
        var hanging = fleet[HangingIndex].Name;
        for (var i = 0; i < ClusterCount; i++)
        {
            await fleet[i].SetFaultsAsync(i switch
            {
                DownIndex => new FaultSettings { Stopped = true },
                SlowIndex => new FaultSettings { Latency = TimeSpan.FromMilliseconds(SlowMs) },
                HangingIndex => new FaultSettings { Hanging = true },
                _ => new FaultSettings { FailureRate = FailureRate, FailureStatusCodes = [500, 429], RetryAfterSeconds = RetryAfterSeconds, Seed = i + 1 },
            });
        }
        var reachable = fleet.Clusters.Select(c => c.Name).Where(n => n != down && n != hanging).ToList();
        var work = Directory.CreateTempSubdirectory("mc-faults-");
        try
        {
            using var runspace = ModuleBenchmark.OpenRunspace();
            ModuleBenchmark.Invoke(runspace, "Import-Module $args[0] -ErrorAction Stop; Import-Fleet -Content $args[1] -Kubeconfig $args[2]",
                ModuleBenchmark.ModuleManifest, ModuleBenchmark.FleetYaml(fleet), fleet.KubeconfigPath);
            // The engine's first call in the process loads and compiles it; not a figure of the faults.
            ModuleBenchmark.Invoke(runspace, "Test-FleetCluster -Cluster $args[0]", fleet[0].Name);

            Console.WriteLine($"Faults, {ClusterCount} clusters: {down} down, {slow} at {SlowMs} ms per request, {hanging} hanging, " +
                $"the other {ClusterCount - 3} failing {FailureRate:P0} of requests with 500 or 429 (Retry-After {RetryAfterSeconds} s, seeded)");

            var health = Run(runspace, $"Test-FleetCluster -TimeoutSeconds {HealthTimeoutSeconds}");
            var healthy = health.Results.Count(r => r.Value is FleetClusterHealth { Status: FleetHealthStatus.Healthy });
            Console.WriteLine($"  Test-FleetCluster -TimeoutSeconds {HealthTimeoutSeconds}: {health.Took.TotalMilliseconds:F0} ms, {healthy}/{ClusterCount - 2} reachable healthy; " +
                $"{Reported(health, down)}; {Reported(health, hanging)}; slow {slow} answered at {health.Arrived(slow):F0} ms");

            var manifest = WriteManifest(work.FullName);
            var firstStarted = DateTimeOffset.UtcNow;
            var first = Run(runspace, $"Invoke-FleetApply -Path $args[0] -TimeoutSeconds {TimeoutSeconds} -Verbose", manifest);
            var secondStarted = DateTimeOffset.UtcNow;
            var second = Run(runspace, $"Invoke-FleetApply -Path $args[0] -Cluster $args[1] -TimeoutSeconds {TimeoutSeconds}", manifest, reachable.ToArray());

            var created = first.Results.Count(r => r.Value is FleetResourceResult { Action: FleetResourceAction.Created });
            var unchanged = second.Results.Count(r => r.Value is FleetResourceResult { Action: FleetResourceAction.Unchanged });
            Console.WriteLine($"  Invoke-FleetApply of {ObjectCount} objects -TimeoutSeconds {TimeoutSeconds}: {first.Took.TotalMilliseconds:F0} ms; " +
                $"{created}/{reachable.Count * ObjectCount} created on the {reachable.Count} reachable clusters; second run {second.Took.TotalMilliseconds:F0} ms, " +
                $"{unchanged}/{reachable.Count * ObjectCount} unchanged");

            var times = reachable.Select(c => (Cluster: c, Ms: first.Arrived(c))).OrderBy(t => t.Ms).ToList();
            var retries = first.Retries;
            Console.WriteLine($"  time per reachable cluster (its last result): min {times[0].Ms:F0} ms, median {times[times.Count / 2].Ms:F0} ms, max {times[^1].Ms:F0} ms ({times[^1].Cluster}); " +
                $"{Reported(first, down)}; {Reported(first, hanging)}; error records {first.Errors.Count} (one per failed cluster)");
            Console.WriteLine($"  retries: {retries.Count} in all ({string.Join(", ", retries.GroupBy(r => r.Reason).OrderBy(g => g.Key).Select(g => $"{g.Count()} after {g.Key}"))}) " +
                $"on {retries.Where(r => r.Cluster != down).Select(r => r.Cluster).Distinct().Count()} clusters besides the down one");
            Console.WriteLine("  per cluster (ms to last result / retries): " + string.Join(", ",
                fleet.Clusters.Select(c => $"{c.Name} {first.Arrived(c.Name):F0}/{retries.Count(r => r.Cluster == c.Name)}")));

            var log = Audit(fleet, reachable, firstStarted, secondStarted);
            Console.WriteLine($"  request logs of the first apply: {log.Injected500} 500s and {log.Injected429} 429s injected; 429s honoured {log.Honoured429}/{log.Injected429} " +
                $"(next try >= Retry-After later); objects written twice in one run: {log.WrittenTwice} (of {reachable.Count * ObjectCount * 2} writes)");

            var ok = created == reachable.Count * ObjectCount && unchanged == reachable.Count * ObjectCount && healthy == ClusterCount - 2
                && log.WrittenTwice == 0 && log.Honoured429 == log.Injected429 && first.Errors.Count == 2
                && retries.Count(r => r.Cluster != down) == log.Injected500 + log.Injected429
                && first.ErrorId(down) == "ClusterUnreachable" && first.ErrorId(hanging) == "ClusterTimeout";
            return ok ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Reported(Timeline run, string cluster) =>
        run.ErrorId(cluster) is { } id ? $"{cluster} {id} at {run.Arrived(cluster):F0} ms" : $"{cluster} not reported";

    /// <summary>What the emulators saw: failures injected in the first apply, whether each 429's retry waited, objects written twice in either run.</summary>
    private static (int Injected500, int Injected429, int Honoured429, int WrittenTwice) Audit(
        EmulatedFleet fleet, IReadOnlyList<string> reachable, DateTimeOffset firstStarted, DateTimeOffset secondStarted)
    {
        int injected500 = 0, injected429 = 0, honoured = 0, twice = 0;
        foreach (var name in reachable)
        {
            var requests = fleet[name].RequestLog.Requests;
            foreach (var failure in requests.Where(r => r.StatusCode is 500 or 429 && r.Started >= firstStarted && r.Started < secondStarted))
            {
                if (failure.StatusCode == 500) { injected500++; continue; }
                injected429++;
                var retry = requests.Where(r => r.Method == failure.Method && r.Path == failure.Path && r.Query == failure.Query && r.Started >= failure.Finished)
                    .OrderBy(r => r.Started).FirstOrDefault();
                if (retry is not null && retry.Started - failure.Finished >= TimeSpan.FromSeconds(RetryAfterSeconds) - TimeSpan.FromMilliseconds(50)) honoured++;
            }
            foreach (var (from, to) in new[] { (firstStarted, secondStarted), (secondStarted, DateTimeOffset.MaxValue) })
            {
                twice += requests
                    .Where(r => r.Started >= from && r.Started < to && r.Method is "PATCH" or "PUT" or "POST" && r.StatusCode is >= 200 and < 300)
                    .GroupBy(r => r.Path)
                    .Count(g => g.Count() > 1);
            }
        }
        return (injected500, injected429, honoured, twice);
    }

    private static string WriteManifest(string directory)
    {
        var yaml = new StringBuilder($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Namespace}\n");
        for (var i = 1; i < ObjectCount; i++)
            yaml.Append($"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  namespace: {Namespace}\ndata:\n  index: \"{i}\"\n");
        var path = Path.Combine(directory, "faults.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    /// <summary>Runs a script, noting when each result and error arrived (ms from the start) and the engine's retry lines.</summary>
    private static Timeline Run(System.Management.Automation.Runspaces.Runspace runspace, string script, params object[] arguments)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        foreach (var argument in arguments) ps.AddArgument(argument);
        var watch = new Stopwatch();
        var results = new List<(string Cluster, double Ms, object Value)>();
        var errors = new List<(string Cluster, double Ms, string Id)>();
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) =>
        {
            var value = output[e.Index].BaseObject;
            var cluster = value switch { FleetResourceResult r => r.Cluster, FleetClusterHealth h => h.Cluster, _ => "" };
            lock (results) results.Add((cluster, watch.Elapsed.TotalMilliseconds, value));
        };
        ps.Streams.Error.DataAdded += (_, e) =>
        {
            var record = ps.Streams.Error[e.Index];
            lock (errors) errors.Add((record.TargetObject?.ToString()?.Split(':', ' ')[0] ?? "", watch.Elapsed.TotalMilliseconds, record.FullyQualifiedErrorId.Split(',')[0]));
        };
        watch.Start();
        ps.Invoke(null, output);
        var took = watch.Elapsed;
        // The retry handler's Verbose line: "GET cluster /path: 429; retry 1 of 3 in 1000 ms".
        var retries = ps.Streams.Verbose.Select(v => v.Message)
            .Where(m => m.Contains("; retry ", StringComparison.Ordinal))
            .Select(m => (Cluster: m.Split(' ')[1], Reason: m.Split(": ", 2)[1].Split(';')[0]))
            .ToList();
        return new Timeline(took, results, errors, retries);
    }

    private sealed record Timeline(TimeSpan Took, List<(string Cluster, double Ms, object Value)> Results,
        List<(string Cluster, double Ms, string Id)> Errors, List<(string Cluster, string Reason)> Retries)
    {
        /// <summary>When the cluster's last result arrived, ms from the start.</summary>
        public double Arrived(string cluster) => Results.Where(r => r.Cluster == cluster).Select(r => r.Ms).DefaultIfEmpty(double.NaN).Max();

        /// <summary>The error id the cluster was reported with: its error record, or its health result's.</summary>
        public string? ErrorId(string cluster) =>
            Errors.FirstOrDefault(e => e.Cluster == cluster).Id
            ?? Results.Select(r => r.Value).OfType<FleetClusterHealth>().FirstOrDefault(h => h.Cluster == cluster)?.ErrorId;
    }
}
