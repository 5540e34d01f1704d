using System.Diagnostics;
using System.Text;
using k8s;

namespace MultiCluster.Testing.Tests;

/// <summary>Clients for an emulated cluster: the real KubernetesClient and the real kubectl.</summary>
internal static class TestSupport
{
    public static Kubernetes ClientFor(EmulatedCluster cluster, string? token = null)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(cluster.Kubeconfig()));
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
        if (token is not null) config.AccessToken = token;
        return new Kubernetes(config);
    }

    public const string KubectlPath = "/usr/bin/kubectl";

    public static string? KubectlMissingReason =>
        File.Exists(KubectlPath) ? null : $"kubectl is not installed at {KubectlPath}";

    public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs kubectl with the given kubeconfig file; stdin optional.</summary>
    public static async Task<KubectlResult> KubectlAsync(string kubeconfigPath, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(KubectlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfigPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // A private cache directory: discovery results of one test's server must not leak into another's.
        start.Environment["KUBECACHEDIR"] = Path.Combine(Path.GetTempPath(), "multicluster-kubectl-cache", Guid.NewGuid().ToString("N"));
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact skipped when kubectl is absent.</summary>
public sealed class RequiresKubectlFactAttribute : FactAttribute
{
    public RequiresKubectlFactAttribute()
    {
        if (TestSupport.KubectlMissingReason is { } reason) Skip = reason;
    }
}
