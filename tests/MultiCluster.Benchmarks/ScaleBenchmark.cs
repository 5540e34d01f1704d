using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Benchmarks;

/// <summary>
/// The module at fleet scale: N emulated clusters (50 ms latency) in this process, the module in a
/// child pwsh (the project's PowerShell tool), so the peak working set read is that of a user's
/// PowerShell process alone (VmHWM from /proc): once after the health checks, whose target it is,
/// and, reset in between, once after the applies. The child
/// stops after each phase; this process counts what each cluster was asked in that phase from the
/// emulators' request logs, then lets it go on. Prints figures; asserts only that results are right.
/// </summary>
public static class ScaleBenchmark
{
    private const string Script = """
        param($Module, $Kubeconfig, $Fleet, $Manifest, $Throttle)
        $ErrorActionPreference = 'Stop'
        function Kb($key) { [long](((Get-Content "/proc/$PID/status") -match "^${key}:")[0] -replace '\D', '') }
        $script:allocated = 0
        function Mark($name, $ms) {
            $committedKb = [long]([GC]::GetGCMemoryInfo().TotalCommittedBytes / 1KB)
            $total = [GC]::GetTotalAllocatedBytes($true)
            $allocatedKb = [long](($total - $script:allocated) / 1KB)
            [Console]::Out.WriteLine("PHASE $name $ms $(Kb 'VmRSS') $committedKb $allocatedKb")
            $script:allocated = [GC]::GetTotalAllocatedBytes($true)
            $null = [Console]::In.ReadLine()
        }
        Import-Module $Module
        $null = Import-Fleet -Content $Fleet -Kubeconfig $Kubeconfig
        Mark 'import' 0
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $cold = @(Get-FleetCluster | Test-FleetCluster -ThrottleLimit $Throttle)
        Mark 'health-cold' $watch.Elapsed.TotalMilliseconds
        $watch.Restart()
        $warm = @(Get-FleetCluster | Test-FleetCluster -ThrottleLimit $Throttle)
        Mark 'health-warm' $watch.Elapsed.TotalMilliseconds
        # The health target is for this part alone; the peak is read, then reset (Linux: 5 > clear_refs) for the applies.
        $healthPeakKb = Kb 'VmHWM'
        $peakReset = $true
        try { [IO.File]::WriteAllText("/proc/$PID/clear_refs", '5') } catch { $peakReset = $false }
        $watch.Restart()
        $first = @(Invoke-FleetApply -Path $Manifest -ThrottleLimit $Throttle)
        Mark 'apply' $watch.Elapsed.TotalMilliseconds
        $watch.Restart()
        $second = @(Invoke-FleetApply -Path $Manifest -ThrottleLimit $Throttle)
        Mark 'apply-again' $watch.Elapsed.TotalMilliseconds
        $result = [ordered]@{
            healthyCold = @($cold | Where-Object Status -eq 'Healthy').Count
            healthyWarm = @($warm | Where-Object Status -eq 'Healthy').Count
            created = @($first | Where-Object Action -eq 'Created').Count
            unchanged = @($second | Where-Object Action -eq 'Unchanged').Count
            firstResults = $first.Count
            secondResults = $second.Count
            healthPeakKb = $healthPeakKb
            applyPeakKb = Kb 'VmHWM'
            peakReset = $peakReset
        }
        # What the session keeps (clients, connections, caches) once the results are dropped.
        Remove-Variable cold, warm, first, second
        $result.liveKb = [long]([GC]::GetTotalMemory($true) / 1KB)
        $result.rssAfterCollectKb = Kb 'VmRSS'
        [Console]::Out.WriteLine('RESULT ' + ($result | ConvertTo-Json -Compress))
        """;

    /// <summary>
    /// Runs each fleet size in turn (smallest first) and prints its figures: for the module in out/MultiCluster and, when
    /// <paramref name="baselineManifest"/> names another build's MultiCluster.psd1, for that one first, on the same emulators.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<int> sizes, string? baselineManifest = null, int latencyMs = 50, int throttleLimit = 64, int objectCount = 10)
    {
        Console.WriteLine($"scale: {string.Join(" and ", sizes)} clusters x {latencyMs} ms latency, ThrottleLimit {throttleLimit}, {objectCount} objects; " +
            $"emulators in this process, the module in a child pwsh; open files limit {OpenFilesLimit()}; load {Load()}");
        var modules = new List<(string Label, string Manifest)>();
        if (baselineManifest is not null) modules.Add(("baseline " + baselineManifest, Path.GetFullPath(baselineManifest)));
        modules.Add(("this build", ModuleBenchmark.ModuleManifest));
        var failed = 0;
        foreach (var size in sizes)
            failed += await RunOneAsync(size, modules, latencyMs, throttleLimit, objectCount);
        Console.WriteLine($"load after: {Load()}");
        return failed == 0 ? 0 : 1;
    }

    private static async Task<int> RunOneAsync(int clusterCount, IReadOnlyList<(string Label, string Manifest)> modules, int latencyMs, int throttleLimit, int objectCount)
    {
        // Each instance holds a listening socket and, once the module connects, one HTTP/2 connection (two descriptors here).
        var starting = Stopwatch.StartNew();
        await using var fleet = await EmulatedFleet.StartAsync(clusterCount, "scale");
        foreach (var cluster in fleet.Clusters)
            await cluster.SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromMilliseconds(latencyMs) });
        Console.WriteLine($"{clusterCount} clusters (started in {starting.Elapsed.TotalMilliseconds:F0} ms):");
        var work = Directory.CreateTempSubdirectory("mc-scale-");
        try
        {
            var script = Path.Combine(work.FullName, "scale.ps1");
            File.WriteAllText(script, Script);
            string FleetYaml(IEnumerable<EmulatedCluster> clusters) => "name: scale\nclusters:\n" + string.Concat(clusters.Select(c => $"  - name: {c.Name}\n"));

            // The emulators' own first requests (JIT in this process) must not count against whichever module runs first.
            await RunChildAsync(script, [modules[^1].Manifest, fleet.KubeconfigPath, FleetYaml(fleet.Clusters.Take(1)), WriteManifest(work.FullName, "warmup", objectCount), "1"],
                (_, _, _, _, _) => { });

            var failed = 0;
            foreach (var (index, (label, manifest)) in modules.Index())
            {
                var ns = $"scale-{index + 1}";
                var phases = new Dictionary<string, Phase>(StringComparer.Ordinal);
                var result = await RunChildAsync(script,
                    [manifest, fleet.KubeconfigPath, FleetYaml(fleet.Clusters), WriteManifest(work.FullName, ns, objectCount), throttleLimit.ToString(CultureInfo.InvariantCulture)],
                    (name, ms, rssKb, committedKb, allocatedKb) =>
                    {
                        phases[name] = new Phase(ms, rssKb, committedKb, allocatedKb, fleet.Clusters.Select(c => c.RequestLog.Requests).ToList());
                        foreach (var cluster in fleet.Clusters) cluster.RequestLog.Clear();
                    });
                failed += Print(label, clusterCount, latencyMs, throttleLimit, objectCount, phases, result);
            }
            Console.WriteLine("  a bare .NET process asking each cluster the same three calls, in two passes, over one HTTP/2 TLS connection each (no PowerShell, no module):");
            foreach (var keep in new[] { true, false })
                if (await ConnectionFloor.MeasureAsync(fleet.KubeconfigPath, clusterCount, throttleLimit, keep) is { } floor)
                    Console.WriteLine($"    {(keep ? "keeping the connections: " : "closing each when done:  ")} first pass {floor.FirstPassMs:F0} ms, second {floor.SecondPassMs:F0} ms; " +
                        $"{floor.StartMb:F0} MB once it has read the kubeconfig, peak {floor.PeakMb:F0} MB: {floor.ConnectionsMb:F0} MB for the connections and calls");
            return failed;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static int Print(string label, int clusterCount, int latencyMs, int throttleLimit, int objectCount, Dictionary<string, Phase> phases, JsonElement result)
    {
        int Get(string key) => result.GetProperty(key).GetInt32();
        var healthPeakMb = result.GetProperty("healthPeakKb").GetInt64() / 1024.0;
        var applyPeakMb = result.GetProperty("applyPeakKb").GetInt64() / 1024.0;
        var waves = (int)Math.Ceiling(clusterCount / (double)throttleLimit);
        var warm = phases["health-warm"];
        Console.WriteLine($"  {label}, load {Load()}:");
        Console.WriteLine($"    Get-FleetCluster | Test-FleetCluster: cold {phases["health-cold"].Ms:F0} ms (new connections), warm {warm.Ms:F0} ms (target <= 1500 ms); " +
            $"{Get("healthyWarm")}/{clusterCount} healthy; calls per cluster {warm.Calls}, {warm.RoundTrips} round trip(s); floor {waves} x {warm.RoundTrips} x {latencyMs} ms = {waves * warm.RoundTrips * latencyMs} ms");
        Console.WriteLine($"    peak working set of the pwsh process over Import-Module, Import-Fleet and both Test-FleetCluster runs {healthPeakMb:F0} MB (target <= 200 MB; " +
            $"a bare pwsh -NoProfile here peaks at {BarePwshPeakMb():F0} MB; {healthPeakMb - phases["import"].RssMb:F0} MB of it over the working set after Import-Fleet); over the two Invoke-FleetApply runs, with their {2 * clusterCount * objectCount:N0} results held: " +
            (result.GetProperty("peakReset").GetBoolean() ? $"{applyPeakMb:F0} MB" : $"{applyPeakMb:F0} MB (the whole run's: this system cannot reset the peak)"));
        Console.WriteLine("    " +
            $"working set/GC committed MB after each step (import: Import-Module and Import-Fleet): {string.Join(", ", phases.Select(p => $"{p.Key} {p.Value.Memory}"))}; " +
            $"allocated in each step: {string.Join(", ", phases.Select(p => $"{p.Key} {p.Value.AllocatedMb:F0} MB"))}; " +
            $"results dropped and a full collection: {result.GetProperty("liveKb").GetInt64() / 1024.0:F0} MB live managed, working set {result.GetProperty("rssAfterCollectKb").GetInt64() / 1024.0:F0} MB");
        foreach (var (run, phase, done, expected) in new[] { ("first", phases["apply"], Get("created"), "created"), ("second", phases["apply-again"], Get("unchanged"), "unchanged") })
        {
            var callsFloor = waves * phase.MaxCalls * latencyMs;
            var tripsFloor = waves * phase.RoundTrips * latencyMs;
            Console.WriteLine($"    Invoke-FleetApply {objectCount} objects, {run} run: {phase.Ms:F0} ms, {done}/{clusterCount * objectCount} {expected}; " +
                $"calls per cluster {phase.Calls} ({phase.Paths}), {phase.RoundTrips} round trips in sequence");
            Console.WriteLine($"      floor ceil({clusterCount}/{throttleLimit}) x {phase.MaxCalls} calls x {latencyMs} ms = {callsFloor} ms: {phase.Ms / callsFloor:F2}x; " +
                $"counting calls that overlap once, ceil({clusterCount}/{throttleLimit}) x {phase.RoundTrips} x {latencyMs} ms = {tripsFloor} ms: {phase.Ms / tripsFloor:F2}x (target <= 2x)");
        }
        var right = Get("healthyCold") == clusterCount && Get("healthyWarm") == clusterCount && Get("created") == clusterCount * objectCount
                    && Get("unchanged") == clusterCount * objectCount;
        if (!right) Console.WriteLine($"    WRONG RESULTS: {result}");
        return right ? 0 : 1;
    }

    /// <summary>What the clusters were asked in one phase of the child's script, and how long the phase took there.</summary>
    private sealed class Phase(double ms, long rssKb, long committedKb, long allocatedKb, IReadOnlyList<IReadOnlyList<LoggedRequest>> perCluster)
    {
        public double Ms { get; } = ms;

        /// <summary>What the child's managed code allocated in the phase (garbage included): waste shows here first.</summary>
        public double AllocatedMb { get; } = allocatedKb / 1024.0;

        /// <summary>The child's working set and the GC's committed memory at the end of the phase.</summary>
        public string Memory { get; } = $"{rssKb / 1024.0:F0}/{committedKb / 1024.0:F0}";
        public double RssMb { get; } = rssKb / 1024.0;
        public int MaxCalls { get; } = perCluster.Max(r => r.Count);
        public string Calls { get; } = perCluster.Min(r => r.Count) == perCluster.Max(r => r.Count)
            ? $"{perCluster[0].Count}" : $"{perCluster.Min(r => r.Count)}-{perCluster.Max(r => r.Count)}";

        /// <summary>
        /// The chain of requests a cluster saw, each sent only after an earlier one was answered: the median over
        /// clusters (a busy machine now and then sends one request of a wave late).
        /// </summary>
        public int RoundTrips { get; } = perCluster.Select(SequentialRoundTrips).Order().ElementAt(perCluster.Count / 2);

        /// <summary>The requests of the first cluster, by method and path kind (e.g. "GET /api/v1 x1, PATCH x10").</summary>
        public string Paths { get; } = string.Join(", ", perCluster[0]
            .GroupBy(r => r.Method == "GET" && r.Query.Length == 0 ? $"GET {r.Path}" : r.Method == "GET" ? "LIST" : r.Method)
            .Select(g => $"{g.Key} x{g.Count()}"));

        private static int SequentialRoundTrips(IReadOnlyList<LoggedRequest> requests)
        {
            // Requests sent while the previous wave was still unanswered belong to that wave.
            var waves = 0;
            var waveAnswered = DateTimeOffset.MinValue;
            foreach (var request in requests.OrderBy(r => r.Started))
            {
                if (request.Started >= waveAnswered)
                {
                    waves++;
                    waveAnswered = request.Finished;
                }
                else if (request.Finished < waveAnswered)
                {
                    waveAnswered = request.Finished;
                }
            }
            return waves;
        }
    }

    private static readonly Lazy<double> BarePeak = new(() =>
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = ModuleBenchmark.RepositoryRoot(), RedirectStandardOutput = true };
        foreach (var arg in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", "((Get-Content /proc/$PID/status) -match '^VmHWM:')[0] -replace '\\D', ''" })
            info.ArgumentList.Add(arg);
        using var child = Process.Start(info)!;
        var text = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        return long.TryParse(text, CultureInfo.InvariantCulture, out var kb) ? kb / 1024.0 : double.NaN;
    });

    /// <summary>What pwsh itself peaks at here, before any module: the floor under the figure above.</summary>
    private static double BarePwshPeakMb() => BarePeak.Value;

    private static async Task<JsonElement> RunChildAsync(string script, string[] arguments, Action<string, double, long, long, long> onPhase)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ModuleBenchmark.RepositoryRoot(), // the tool manifest names the pwsh tool
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", script }.Concat(arguments))
            info.ArgumentList.Add(arg);
        using var child = Process.Start(info)!;
        var errors = child.StandardError.ReadToEndAsync();
        JsonElement? result = null;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("PHASE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                onPhase(parts[1], double.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture),
                    long.Parse(parts[5], CultureInfo.InvariantCulture));
                await child.StandardInput.WriteLineAsync("go");
                await child.StandardInput.FlushAsync();
            }
            else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                result = JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone();
            }
            else
            {
                Console.WriteLine("  pwsh: " + line);
            }
        }
        await child.WaitForExitAsync();
        if (child.ExitCode != 0 || result is null)
            throw new InvalidOperationException($"the child pwsh failed (exit {child.ExitCode}): {await errors}");
        return result.Value;
    }

    private static string WriteManifest(string directory, string ns, int objectCount)
    {
        var yaml = new StringBuilder($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n");
        for (var i = 1; i < objectCount; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  namespace: {ns}\ndata:\n  index: \"{i}\"\n");
        var path = Path.Combine(directory, ns + ".yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    private static string OpenFilesLimit() =>
        File.Exists("/proc/self/limits")
            ? File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] ?? "unknown"
            : "unknown";

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
}
