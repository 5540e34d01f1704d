using System.Diagnostics;
using k8s;
using MultiCluster.Testing;

namespace MultiCluster.Benchmarks;

/// <summary>
/// Starts 50 emulator instances one after another (start time median and p95), then serves
/// 10,000 GETs spread over them through KubernetesClient and prints requests per second.
/// </summary>
public static class EmulatorBenchmark
{
    public static async Task<int> RunAsync(int instances = 50, int requests = 10_000)
    {
        // The first start pays for JIT and the process-wide certificate; measure it apart.
        var warmup = Stopwatch.StartNew();
        await (await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "warmup" })).DisposeAsync();
        Console.WriteLine($"first instance (JIT, CA and keys): {warmup.Elapsed.TotalMilliseconds:F1} ms");

        var clusters = new List<EmulatedCluster>();
        var startTimes = new List<double>();
        try
        {
            for (var i = 1; i <= instances; i++)
            {
                var watch = Stopwatch.StartNew();
                clusters.Add(await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = $"bench-{i}" }));
                startTimes.Add(watch.Elapsed.TotalMilliseconds);
            }
            startTimes.Sort();
            Console.WriteLine($"instance start over {instances}: median {Percentile(startTimes, 0.5):F1} ms, p95 {Percentile(startTimes, 0.95):F1} ms, max {startTimes[^1]:F1} ms");

            var clients = clusters.Select(c =>
            {
                using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(c.Kubeconfig()));
                return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
            }).ToList();
            foreach (var client in clients) await client.CoreV1.ReadNamespaceAsync("default");

            var total = Stopwatch.StartNew();
            var next = -1;
            var workers = Enumerable.Range(0, Environment.ProcessorCount * 8).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) is var n && n < requests)
                    await clients[n % clients.Count].CoreV1.ReadNamespaceAsync("default");
            });
            await Task.WhenAll(workers);
            total.Stop();
            Console.WriteLine($"{requests} GETs over {instances} instances: {total.Elapsed.TotalSeconds:F2} s, {requests / total.Elapsed.TotalSeconds:F0} requests/s");
            foreach (var client in clients) client.Dispose();
            return 0;
        }
        finally
        {
            await Task.WhenAll(clusters.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
