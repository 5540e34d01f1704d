using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace MultiCluster.Benchmarks;

/// <summary>
/// The floor under the scale figure: a bare .NET process, no PowerShell and no module, that asks each
/// cluster what Test-FleetCluster asks (/readyz, /version, one node) over one HTTP/2 TLS connection,
/// trusting the kubeconfig's CA and sending its token, in two passes. It runs once keeping every
/// connection between the passes, as the module does for its warm runs, and once closing each
/// cluster's connection as soon as its calls are done, so that no more than ThrottleLimit are open at
/// a time: the two answers to "keep or close" that any .NET client has, measured on the same emulators.
/// It runs as a child so its peak working set is its own; the peak is reset once the kubeconfig is
/// read, so what it prints is what the connections and calls cost.
/// </summary>
internal static class ConnectionFloor
{
    /// <summary>What the child measured: its working set once it had read the kubeconfig, its peak after both passes, and each pass's time.</summary>
    public sealed record Figures(double StartMb, double PeakMb, double FirstPassMs, double SecondPassMs)
    {
        public double ConnectionsMb => PeakMb - StartMb;
    }

    /// <summary>Runs the child; null (with the reason printed) where it cannot measure.</summary>
    public static async Task<Figures?> MeasureAsync(string kubeconfigPath, int clusterCount, int throttleLimit, bool keepConnections)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(ConnectionFloor).Assembly.Location, "connections", kubeconfigPath,
                     clusterCount.ToString(CultureInfo.InvariantCulture), throttleLimit.ToString(CultureInfo.InvariantCulture), keepConnections ? "keep" : "close" })
            info.ArgumentList.Add(arg);
        using var child = Process.Start(info)!;
        var errors = child.StandardError.ReadToEndAsync();
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("FLOOR ", StringComparison.Ordinal))?.Split(' ');
        if (child.ExitCode != 0 || line is null)
        {
            Console.WriteLine($"    (the bare .NET floor could not be measured: exit {child.ExitCode}; {(await errors).Trim()})");
            return null;
        }
        double At(int index) => double.Parse(line[index], CultureInfo.InvariantCulture);
        return new Figures(At(1) / 1024, At(2) / 1024, At(3), At(4));
    }

    /// <summary>The child: prints "FLOOR startKb peakKb firstPassMs secondPassMs".</summary>
    public static async Task<int> RunChildAsync(string kubeconfigPath, int clusterCount, int throttleLimit, string connections)
    {
        var keep = connections switch
        {
            "keep" => true,
            "close" => false,
            _ => throw new ArgumentException($"connections must be keep or close, not '{connections}'", nameof(connections)),
        };
        var kubeconfig = await KubernetesClientConfiguration.LoadKubeConfigAsync(new FileInfo(kubeconfigPath));
        var clusters = kubeconfig.Contexts.Take(clusterCount).Select(context =>
        {
            var cluster = kubeconfig.Clusters.Single(c => c.Name == context.ContextDetails.Cluster).ClusterEndpoint;
            var user = kubeconfig.Users.Single(u => u.Name == context.ContextDetails.User).UserCredentials;
            return (Server: new Uri(cluster.Server), Ca: X509CertificateLoader.LoadCertificate(Convert.FromBase64String(cluster.CertificateAuthorityData)), user.Token);
        }).ToList();
        GC.Collect();
        if (!TryResetPeak()) return 1;
        var startKb = StatusKb("VmRSS");

        var kept = keep ? clusters.Select(c => ClientFor(c.Server, c.Ca, c.Token)).ToList() : null;
        using var throttle = new SemaphoreSlim(throttleLimit);
        var passMs = new double[2];
        for (var pass = 0; pass < 2; pass++)
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(clusters.Select(async (cluster, index) =>
            {
                await throttle.WaitAsync();
                var client = kept?[index] ?? ClientFor(cluster.Server, cluster.Ca, cluster.Token);
                try
                {
                    await Task.WhenAll(new[] { "/readyz", "/version", "/api/v1/nodes?limit=1" }.Select(async path =>
                    {
                        using var response = await client.GetAsync(path);
                        response.EnsureSuccessStatusCode();
                        await response.Content.ReadAsByteArrayAsync();
                    }));
                }
                finally
                {
                    // Closing: disposing the client closes its pool and so its one connection.
                    if (kept is null) client.Dispose();
                    throttle.Release();
                }
            }));
            passMs[pass] = watch.Elapsed.TotalMilliseconds;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FLOOR {startKb} {StatusKb("VmHWM")} {passMs[0]:F0} {passMs[1]:F0}"));
        GC.KeepAlive(kept);
        return 0;
    }

    private static HttpClient ClientFor(Uri server, X509Certificate2 ca, string token)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 server && chain.Build(server);
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = server,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long StatusKb(string key) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture);
}
