using System.Diagnostics;
using System.Text;
using k8s;
using k8s.Autorest;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

/// <summary>Clients of an emulated instance for the auth and controller tests.</summary>
internal static class EmulatorClients
{
    public static Kubernetes For(EmulatedCluster cluster, string token)
    {
        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(cluster.Tokens.Kubeconfig(token)));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    public static Kubernetes Admin(EmulatedCluster cluster) => For(cluster, cluster.AdminToken);

    /// <summary>The HTTP status and Status message of a failed call.</summary>
    public static async Task<(int Code, string Message, string Body)> FailureOf(Func<Task> call)
    {
        var failure = await FluentActions.Awaiting(call).Should().ThrowAsync<HttpOperationException>();
        var body = failure.Which.Response.Content;
        var status = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        return ((int)failure.Which.Response.StatusCode, (string?)status["message"] ?? "", body);
    }
}

/// <summary>A fact that needs the kubectl client on PATH; skipped with the reason otherwise.</summary>
public sealed class RequiresKubectlFactAttribute : FactAttribute
{
    public RequiresKubectlFactAttribute()
    {
        if (Kubectl.Path is null)
            Skip = "kubectl is not installed on this machine (looked for it on PATH)";
    }
}

/// <summary>Runs the machine's kubectl against a kubeconfig file.</summary>
internal static class Kubectl
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => System.IO.Path.Combine(dir, "kubectl"))
        .FirstOrDefault(File.Exists);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string kubeconfigPath, params string[] args)
    {
        var start = new ProcessStartInfo(Path!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfigPath);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["HOME"] = System.IO.Path.GetDirectoryName(kubeconfigPath);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
