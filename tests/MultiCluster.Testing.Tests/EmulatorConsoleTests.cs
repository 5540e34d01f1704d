using System.Diagnostics;

namespace MultiCluster.Testing.Tests;

/// <summary>The console entry point as scripts use it: READY after the contexts, clean exit when stdin closes.</summary>
public class EmulatorConsoleTests
{
    private static string EmulatorDll
    {
        get
        {
            var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            return Path.Combine(testBin.Replace("MultiCluster.Testing.Tests", "MultiCluster.Emulator"), "MultiCluster.Emulator.dll");
        }
    }

    [Fact]
    public async Task Prints_contexts_then_READY_serves_and_exits_when_stdin_closes()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"emulator-console-{Guid.NewGuid():N}.kubeconfig");
        using var process = Start(EmulatorDll, "--clusters", "2", "--kubeconfig", kubeconfig, "--name-prefix", "cli");
        try
        {
            var lines = await ReadUntilReady(process);
            lines.Should().HaveCount(3);
            lines[0].Should().MatchRegex(@"^cli-1 https://127\.0\.0\.1:\d+/$");
            lines[1].Should().StartWith("cli-2 ");
            var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, "cli-2");
            using (var client = new k8s.Kubernetes(config))
                (await k8s.CoreV1OperationsExtensions.ListNamespaceAsync(client.CoreV1)).Items.Should().NotBeEmpty();

            process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exit.Token);
            process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            File.Delete(kubeconfig);
        }
    }

    [global::MultiCluster.Testing.Xunit.RequiresSharedCrdsFact]
    public async Task Cluster_api_timings_are_options()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"emulator-console-{Guid.NewGuid():N}.kubeconfig");
        using var process = Start(EmulatorDll, "--clusters", "1", "--kubeconfig", kubeconfig, "--name-prefix", "mgmt", "--crds", "cluster-api",
            "--controllers", "cluster-api", "--cluster-provision-delay", "0.2", "--cluster-machine-step", "0.05");
        try
        {
            await ReadUntilReady(process);
            using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await k8s.CustomObjectsOperationsExtensions.CreateNamespacedCustomObjectAsync(client.CustomObjects,
                System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster","metadata":{"name":"quick"},"spec":{"paused":false}}""")!,
                "cluster.x-k8s.io", "v1beta2", "default", "clusters");

            // The default delay is 10 s; with 0.2 s the Cluster is Provisioned well within 5 s.
            var provisioned = Stopwatch.StartNew();
            string? phase = null;
            while (phase != "Provisioned" && provisioned.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(100);
                var cluster = System.Text.Json.JsonSerializer.SerializeToNode(await k8s.CustomObjectsOperationsExtensions.GetNamespacedCustomObjectAsync(
                    client.CustomObjects, "cluster.x-k8s.io", "v1beta2", "default", "clusters", "quick"))!;
                phase = (string?)cluster["status"]?["phase"];
            }
            phase.Should().Be("Provisioned");
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            File.Delete(kubeconfig);
        }
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    private static async Task<List<string>> ReadUntilReady(Process process)
    {
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            if (line == "READY") break;
        }
        return lines;
    }
}
