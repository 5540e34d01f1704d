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
/// trusting the kubeconfig's CA and sending its token, twice, and keeps the connections as the module
/// does for its warm runs. It runs as a child so its peak working set is its own; the peak is reset
/// once the kubeconfig is read, so what it prints is what the connections and calls cost.
/// </summary>
internal static class ConnectionFloor
{
    /// <summary>Runs the child and returns its working set after reading the kubeconfig and its peak after the calls, in MB.</summary>
    public static async Task<(double StartMb, double PeakMb)?> MeasureAsync(string kubeconfigPath, int clusterCount, int throttleLimit)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(ConnectionFloor).Assembly.Location, "connections", kubeconfigPath,
                     clusterCount.ToString(CultureInfo.InvariantCulture), throttleLimit.ToString(CultureInfo.InvariantCulture) })
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
        return (long.Parse(line[1], CultureInfo.InvariantCulture) / 1024.0, long.Parse(line[2], CultureInfo.InvariantCulture) / 1024.0);
    }

    /// <summary>The child: prints "FLOOR startKb peakKb".</summary>
    public static async Task<int> RunChildAsync(string kubeconfigPath, int clusterCount, int throttleLimit)
    {
        var kubeconfig = await KubernetesClientConfiguration.LoadKubeConfigAsync(new FileInfo(kubeconfigPath));
        var clusters = kubeconfig.Contexts.Take(clusterCount).Select(context =>
        {
            var cluster = kubeconfig.Clusters.Single(c => c.Name == context.ContextDetails.Cluster).ClusterEndpoint;
            var user = kubeconfig.Users.Single(u => u.Name == context.ContextDetails.User).UserCredentials;
            return (Server: new Uri(cluster.Server), Ca: Convert.FromBase64String(cluster.CertificateAuthorityData), user.Token);
        }).ToList();
        GC.Collect();
        if (!TryResetPeak()) return 1;
        var startKb = StatusKb("VmRSS");

        var clients = clusters.Select(c =>
        {
            var ca = X509CertificateLoader.LoadCertificate(c.Ca);
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
                BaseAddress = c.Server,
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", c.Token);
            return client;
        }).ToList();

        using var throttle = new SemaphoreSlim(throttleLimit);
        for (var run = 0; run < 2; run++)
        {
            await Task.WhenAll(clients.Select(async client =>
            {
                await throttle.WaitAsync();
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
                    throttle.Release();
                }
            }));
        }
        Console.WriteLine($"FLOOR {startKb} {StatusKb("VmHWM")}");
        GC.KeepAlive(clients);
        return 0;
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
