using System.Diagnostics;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>The real kubectl client, run against the emulated clusters with a kubeconfig file.</summary>
public static class Kubectl
{
    public const string Path = "/usr/bin/kubectl";

    public static string? MissingReason => File.Exists(Path) ? null : $"kubectl is not installed at {Path}";

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string kubeconfig, string context, params string[] args)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--kubeconfig", kubeconfig, "--context", context }.Concat(args)) start.ArgumentList.Add(arg);
        // A private discovery cache: one emulator's API list must not leak into another's.
        start.Environment["KUBECACHEDIR"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mc-kubectl-cache", Guid.NewGuid().ToString("N"));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact skipped when kubectl is absent.</summary>
public sealed class RequiresKubectlFactAttribute : FactAttribute
{
    public RequiresKubectlFactAttribute()
    {
        if (Kubectl.MissingReason is { } reason) Skip = reason;
    }
}
