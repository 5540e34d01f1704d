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
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { EmulatorDll, "--clusters", "2", "--kubeconfig", kubeconfig, "--name-prefix", "cli" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (line == "READY") break;
            }
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
}
