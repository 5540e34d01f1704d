using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Benchmarks;

/// <summary>
/// The module's own performance targets, measured through a real PowerShell runspace importing
/// out/MultiCluster against in-process emulated clusters with injected latency. Prints numbers;
/// asserts nothing (shared machines make timed tests flaky).
/// </summary>
public static class ModuleBenchmark
{
    internal static readonly string ModuleManifest = Path.Combine(RepositoryRoot(), "out", "MultiCluster", "MultiCluster.psd1");

    /// <summary>Import-Module in fresh runspaces: first (loads the assemblies) and median of the rest.</summary>
    public static Task<int> ImportAsync(int runs = 15)
    {
        // PowerShell's own first module import (JIT of Import-Module, manifest processing) is not ours: pay it on an empty module.
        var empty = Directory.CreateTempSubdirectory("mc-empty-");
        File.WriteAllText(Path.Combine(empty.FullName, "Empty.psd1"), "@{ ModuleVersion = '1.0'; GUID = 'b1c3a1e2-0000-4000-8000-000000000001' }");
        using (var warm = OpenRunspace())
            Invoke(warm, "Import-Module $args[0] -ErrorAction Stop", Path.Combine(empty.FullName, "Empty.psd1"));
        empty.Delete(recursive: true);

        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            using var runspace = OpenRunspace();
            var watch = Stopwatch.StartNew();
            Invoke(runspace, "Import-Module $args[0] -ErrorAction Stop", ModuleManifest);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        var rest = times.Skip(1).Order().ToList();
        Console.WriteLine($"Import-Module: first in this process {times[0]:F0} ms (loads MultiCluster.dll and Model), median of next {rest.Count} fresh runspaces {rest[rest.Count / 2]:F0} ms (target < 300 ms)");
        return Task.FromResult(0);
    }

    /// <summary>Test-FleetCluster over 50 clusters, each answering with 50 ms latency.</summary>
    public static async Task<int> HealthAsync(int clusterCount = 50, int latencyMs = 50)
    {
        await using var fleet = await EmulatedFleet.StartAsync(clusterCount, "health");
        foreach (var cluster in fleet.Clusters)
            await cluster.SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromMilliseconds(latencyMs) });
        double processCold, sessionCold, warm;
        List<PSObject> first, second;
        using (var runspace = OpenRunspace())
        {
            Invoke(runspace, "Import-Module $args[0] -ErrorAction Stop; Import-Fleet -Content $args[1] -Kubeconfig $args[2]",
                ModuleManifest, FleetYaml(fleet), fleet.KubeconfigPath);
            processCold = Time(runspace, "Test-FleetCluster", out _);
        }
        // A new session: the process has loaded and compiled the engine, but every connection is new.
        using (var runspace = OpenRunspace())
        {
            Invoke(runspace, "Import-Module $args[0] -ErrorAction Stop; Import-Fleet -Content $args[1] -Kubeconfig $args[2]",
                ModuleManifest, FleetYaml(fleet), fleet.KubeconfigPath);
            sessionCold = Time(runspace, "Test-FleetCluster", out first);
            warm = Time(runspace, "Test-FleetCluster", out second);
        }
        var healthy = second.Count(o => o.BaseObject is FleetClusterHealth { Status: FleetHealthStatus.Healthy });
        Console.WriteLine($"Test-FleetCluster, {clusterCount} clusters x {latencyMs} ms latency: first call in the process {processCold:F0} ms (engine loads and compiles), " +
            $"first call in a new session {sessionCold:F0} ms (all connections new), next call {warm:F0} ms; {healthy}/{clusterCount} healthy; " +
            $"one cluster after another would take at least {clusterCount * latencyMs} ms (target < 1500 ms)");
        return healthy == clusterCount && first.Count == clusterCount ? 0 : 1;
    }

    /// <summary>Invoke-FleetApply of 20 objects to 20 clusters with 20 ms latency, against a kubectl loop.</summary>
    public static async Task<int> ApplyAsync(int clusterCount = 20, int objectCount = 20, int latencyMs = 20, bool withKubectl = true)
    {
        await using var fleet = await EmulatedFleet.StartAsync(clusterCount, "apply");
        foreach (var cluster in fleet.Clusters)
            await cluster.SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromMilliseconds(latencyMs) });
        var work = Directory.CreateTempSubdirectory("mc-bench-");
        try
        {
            using var runspace = OpenRunspace();
            Invoke(runspace, "Import-Module $args[0] -ErrorAction Stop; Import-Fleet -Content $args[1] -Kubeconfig $args[2]",
                ModuleManifest, FleetYaml(fleet), fleet.KubeconfigPath);

            var moduleFile = WriteManifest(work.FullName, "bench-module", objectCount);
            var moduleMs = Time(runspace, "Invoke-FleetApply -Path $args[0]", out var results, moduleFile);
            var created = results.Count(o => o.BaseObject is FleetResourceResult { Action: FleetResourceAction.Created });
            var second = Time(runspace, "Invoke-FleetApply -Path $args[0]", out _, moduleFile);
            Console.WriteLine($"Invoke-FleetApply, {objectCount} objects x {clusterCount} clusters x {latencyMs} ms latency: {moduleMs:F0} ms " +
                $"({created}/{objectCount * clusterCount} created, fresh connections), second run {second:F0} ms (all Unchanged)");
            // Connections and discovery are warm on the second run: one round trip of lists, then every object at once.
            var floor = 2 * latencyMs;
            Console.WriteLine($"  round-trip floor per cluster ~{floor} ms; measured second run is {second / floor:F1}x that floor");
            // Untimed (Verbose costs time): the engine's one Verbose line per API call, counted per cluster.
            var calls = ApiCallsPerCluster(runspace, WriteManifest(work.FullName, "bench-calls", objectCount));
            Console.WriteLine($"  API calls per cluster (connections and discovery warm): creating {calls.Created}, all unchanged {calls.Unchanged}");

            if (!withKubectl || !KubectlAvailable())
            {
                Console.WriteLine("  kubectl is absent: no comparison with a kubectl loop");
                return created == objectCount * clusterCount ? 0 : 1;
            }
            var kubectlFile = WriteManifest(work.FullName, "bench-kubectl", objectCount);
            var loop = Stopwatch.StartNew();
            foreach (var cluster in fleet.Clusters)
                RunKubectl(fleet.KubeconfigPath, cluster.Name, kubectlFile);
            loop.Stop();
            Console.WriteLine($"  kubectl apply --server-side, one context after another: {loop.Elapsed.TotalMilliseconds:F0} ms; " +
                $"Invoke-FleetApply is {loop.Elapsed.TotalMilliseconds / moduleMs:F1}x faster (target >= 20x)");
            return created == objectCount * clusterCount ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static (string Created, string Unchanged) ApiCallsPerCluster(Runspace runspace, string manifest)
    {
        string Count()
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("Invoke-FleetApply -Path $args[0] -Verbose").AddArgument(manifest);
            ps.Invoke();
            var perCluster = ps.Streams.Verbose
                .Select(v => v.Message.Split(' ', 3))
                .Where(words => words.Length == 3 && words[0] is "GET" or "PATCH" or "POST" or "PUT" or "DELETE" && words[2].StartsWith('/'))
                .GroupBy(words => words[1])
                .Select(g => g.Count())
                .ToList();
            return perCluster.Count == 0 ? "none logged" : perCluster.Min() == perCluster.Max() ? $"{perCluster.Min()}" : $"{perCluster.Min()}-{perCluster.Max()}";
        }
        return (Count(), Count());
    }

    private static string WriteManifest(string directory, string ns, int objectCount)
    {
        var yaml = new StringBuilder($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n");
        for (var i = 1; i < objectCount; i++)
            yaml.Append($"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  namespace: {ns}\ndata:\n  index: \"{i}\"\n");
        var path = Path.Combine(directory, ns + ".yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    private static void RunKubectl(string kubeconfig, string context, string file)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "apply", "--server-side", "--field-manager", "kubectl-bench", "-f", file, "--context", context, "--kubeconfig", kubeconfig })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"kubectl failed on {context}: {error.Result}");
    }

    private static bool KubectlAvailable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "kubectl")));

    internal static string FleetYaml(EmulatedFleet fleet) =>
        "name: bench\nclusters:\n" + string.Concat(fleet.Clusters.Select(c => $"  - name: {c.Name}\n")) ;

    internal static Runspace OpenRunspace()
    {
        var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        return runspace;
    }

    private static double Time(Runspace runspace, string script, out List<PSObject> output, params object[] arguments)
    {
        var watch = Stopwatch.StartNew();
        output = Invoke(runspace, script, arguments);
        return watch.Elapsed.TotalMilliseconds;
    }

    internal static List<PSObject> Invoke(Runspace runspace, string script, params object[] arguments)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        foreach (var argument in arguments) ps.AddArgument(argument);
        var output = ps.Invoke().ToList();
        if (ps.HadErrors)
            throw new InvalidOperationException("script failed: " + string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return output;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MultiCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("MultiCluster.sln not found");
    }
}
