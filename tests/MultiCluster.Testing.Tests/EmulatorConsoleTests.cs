using System.Diagnostics;

namespace MultiCluster.Testing.Tests;

/// <summary>
/// The console entry point as scripts use it: READY after the contexts, clean exit when the stdin pipe
/// its parent holds closes; a stdin that is /dev/null (a script's `&amp;`) keeps it serving until SIGTERM.
/// </summary>
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

    [Fact]
    public async Task Named_clusters_ignore_a_Ctrl_C_meant_for_the_parent_and_stop_when_its_pipe_closes()
    {
        if (OperatingSystem.IsWindows()) return; // signals by kill(1)
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"emulator-console-{Guid.NewGuid():N}.kubeconfig");
        using var process = Start(EmulatorDll, "--names", "mgmt-use1,prod-euc1-01", "--kubeconfig", kubeconfig);
        try
        {
            var lines = await ReadUntilReady(process);
            lines.Should().HaveCount(3);
            lines[0].Should().MatchRegex(@"^mgmt-use1 https://127\.0\.0\.1:\d+/$");
            lines[1].Should().StartWith("prod-euc1-01 ");

            await Signal("INT", process.Id);
            (await ExitsWithin(process, TimeSpan.FromSeconds(2))).Should().BeFalse("a Ctrl+C at the parent's prompt leaves its clusters running");
            await ListNamespaces(kubeconfig, "prod-euc1-01");

            process.StandardInput.Close();
            (await ExitsWithin(process, TimeSpan.FromSeconds(15))).Should().BeTrue("the parent closed the pipe");
            process.ExitCode.Should().Be(0);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task Started_in_the_background_with_stdin_from_dev_null_it_serves_until_SIGTERM()
    {
        if (OperatingSystem.IsWindows()) return; // /dev/null and kill(1)
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"emulator-console-{Guid.NewGuid():N}.kubeconfig");
        // As `dotnet run --project tests/MultiCluster.Emulator ... &` in a script: stdin is /dev/null.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec dotnet \"$0\" --clusters 1 --kubeconfig \"$1\" --name-prefix bg < /dev/null", EmulatorDll, kubeconfig })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            (await ReadUntilReady(process)).Should().HaveCount(2);
            (await ExitsWithin(process, TimeSpan.FromSeconds(2))).Should().BeFalse("an empty stdin says nothing about the parent");
            await ListNamespaces(kubeconfig, "bg-1");

            await Signal("TERM", process.Id);
            (await ExitsWithin(process, TimeSpan.FromSeconds(15))).Should().BeTrue();
            process.ExitCode.Should().Be(0);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            File.Delete(kubeconfig);
        }
    }

    private static async Task ListNamespaces(string kubeconfig, string context)
    {
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context));
        (await k8s.CoreV1OperationsExtensions.ListNamespaceAsync(client.CoreV1)).Items.Should().NotBeEmpty();
    }

    private static async Task Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        kill.ExitCode.Should().Be(0);
    }

    private static async Task<bool> ExitsWithin(Process process, TimeSpan time)
    {
        using var wait = new CancellationTokenSource(time);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
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

            // The default delay is 10 s; with 0.2 s the Cluster is Provisioned long before that. Polling
            // goes on to a generous deadline so a loaded machine does not fail it; the bound below
            // still tells the option from the default.
            var provisioned = Stopwatch.StartNew();
            string? phase = null;
            while (phase != "Provisioned" && provisioned.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
                var cluster = System.Text.Json.JsonSerializer.SerializeToNode(await k8s.CustomObjectsOperationsExtensions.GetNamespacedCustomObjectAsync(
                    client.CustomObjects, "cluster.x-k8s.io", "v1beta2", "default", "clusters", "quick"))!;
                phase = (string?)cluster["status"]?["phase"];
            }
            phase.Should().Be("Provisioned");
            provisioned.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8), "the 0.2 s option applies, not the 10 s default");
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
        // Loading CRDs on a machine busy with other test runs can take a while.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            if (line == "READY") break;
        }
        return lines;
    }
}
