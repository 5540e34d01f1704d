using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// Emulated clusters served by tests/MultiCluster.Emulator in a child process. The emulator runs
/// out of process so that its own packages never enter the test's PowerShell session: the session
/// holds only what a user's would (and the older YamlDotNet/AWSSDK.Core the isolation test loads).
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private EmulatorProcess(Process process, string directory, string kubeconfig, IReadOnlyList<string> contexts, IReadOnlyDictionary<string, Uri> servers)
    {
        _process = process;
        Directory = directory;
        Kubeconfig = kubeconfig;
        Contexts = contexts;
        Servers = servers;
    }

    /// <summary>Each context's API server address.</summary>
    public IReadOnlyDictionary<string, Uri> Servers { get; }

    /// <summary>Every admin bearer token in the kubeconfig (for secret scans).</summary>
    public IReadOnlyList<string> AdminTokens =>
        Regex.Matches(File.ReadAllText(Kubeconfig), @"token:\s*""?([^""\s]+)").Select(m => m.Groups[1].Value).ToList();

    /// <summary>The admin token of one context's cluster (its user is <c>CONTEXT-admin</c>).</summary>
    public string AdminTokenOf(string context) =>
        Regex.Match(File.ReadAllText(Kubeconfig), "name: \"?" + Regex.Escape(context) + @"-admin""?\s+user:\s+token:\s*""?([^""\s]+)").Groups[1].Value;

    /// <summary>The base64 CA bundle in the kubeconfig (for secret scans).</summary>
    public string CertificateAuthorityData => Regex.Match(File.ReadAllText(Kubeconfig), @"certificate-authority-data:\s*""?([^""\s]+)").Groups[1].Value;

    /// <summary>
    /// Sets faults on one emulated cluster through its admin path, e.g.
    /// <c>{"latencyMs":50}</c>, <c>{"stopped":true,"stoppedForSeconds":30}</c>; <c>{}</c> clears.
    /// </summary>
    public async Task SetFaultsAsync(string context, string json)
    {
        using var response = await AdminAsync(context, HttpMethod.Post, "/_emulator/faults", json);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The API requests one emulated cluster answered so far (admin paths excluded), oldest first; status 499 means the client went away first.</summary>
    public async Task<IReadOnlyList<EmulatedRequest>> RequestsAsync(string context)
    {
        using var response = await AdminAsync(context, HttpMethod.Get, "/_emulator/requests", null);
        response.EnsureSuccessStatusCode();
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("items").EnumerateArray()
            .Select(item => new EmulatedRequest(
                DateTimeOffset.Parse(item.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                item.GetProperty("method").GetString()!, item.GetProperty("path").GetString()!, item.GetProperty("status").GetInt32(),
                DateTimeOffset.Parse(item.GetProperty("started").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>
    /// Creates an object on one emulated cluster as its admin, straight through the API (POST keeps a status
    /// where the kind has no status subresource). For set-up the module must not do, and which must not need
    /// kubectl. The resource is the kind in lower case plus "s", which holds for the kinds tests create.
    /// </summary>
    public async Task CreateAsync(string context, System.Text.Json.Nodes.JsonObject item)
    {
        var apiVersion = (string)item["apiVersion"]!;
        var ns = (string?)item["metadata"]?["namespace"];
        var path = (apiVersion.Contains('/') ? "/apis/" : "/api/") + apiVersion + (ns is null ? "" : $"/namespaces/{ns}/") + ((string)item["kind"]!).ToLowerInvariant() + "s";
        using var response = await AdminAsync(context, HttpMethod.Post, path, item.ToJsonString());
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Creating {item["kind"]} {item["metadata"]?["name"]} on {context} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Reads one object by its API path (e.g. <c>/api/v1/namespaces/kube-system/secrets/x</c>) as the cluster's admin.</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> GetAsync(string context, string path)
    {
        using var response = await AdminAsync(context, HttpMethod.Get, path, null);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<HttpResponseMessage> AdminAsync(string context, HttpMethod method, string path, string? json)
    {
        var ca = X509Certificate2.CreateFromPem(PemFromBase64(CertificateAuthorityData));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = Servers[context] };
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminTokenOf(context));
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string PemFromBase64(string data) => Encoding.UTF8.GetString(Convert.FromBase64String(data));

    public string Directory { get; }

    /// <summary>Path of the kubeconfig with one context per emulated cluster.</summary>
    public string Kubeconfig { get; }

    public IReadOnlyList<string> Contexts { get; }

    /// <summary>The Route 53 emulator started with <c>route53Zone</c>, else null.</summary>
    public EmulatedRoute53? Route53 { get; private init; }

    /// <param name="route53Zone">Also serve a Route 53 emulator holding this hosted zone (see <see cref="Route53"/>).</param>
    public static async Task<EmulatorProcess> StartAsync(int clusters, string namePrefix = "emu", string? crds = null, string? controllers = null,
        string? route53Zone = null)
    {
        var dll = Path.Combine(Repository.Root, "tests", "MultiCluster.Emulator", "bin", BuildConfiguration, "net10.0", "MultiCluster.Emulator.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("Build the solution first: the emulator is missing", dll);
        var directory = Path.Combine(Path.GetTempPath(), "mc-ps-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var kubeconfig = Path.Combine(directory, "kubeconfig");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--clusters", clusters.ToString(), "--kubeconfig", kubeconfig, "--name-prefix", namePrefix })
            info.ArgumentList.Add(arg);
        if (crds is not null) { info.ArgumentList.Add("--crds"); info.ArgumentList.Add(crds); }
        if (controllers is not null) { info.ArgumentList.Add("--controllers"); info.ArgumentList.Add(controllers); }
        if (route53Zone is not null) { info.ArgumentList.Add("--route53"); info.ArgumentList.Add(route53Zone); }

        var process = Process.Start(info)!;
        var contexts = new List<string>();
        var servers = new Dictionary<string, Uri>(StringComparer.Ordinal);
        var ready = false;
        EmulatedRoute53? route53 = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!ready)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null) break;
            if (line.Trim() == "READY") ready = true;
            else if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["ROUTE53", var endpoint, var zoneId, var credentials])
                route53 = new EmulatedRoute53(new Uri(endpoint), zoneId, credentials);
            else if (line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is [var name, var url, ..])
            {
                contexts.Add(name);
                servers[name] = new Uri(url);
            }
        }
        if (!ready)
        {
            var error = await process.StandardError.ReadToEndAsync();
            throw new InvalidOperationException("The emulator did not become ready: " + error);
        }
        var emulator = new EmulatorProcess(process, directory, kubeconfig, contexts, servers) { Route53 = route53 };
        process.ErrorDataReceived += (_, e) => { lock (emulator._stderr) emulator._stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        _ = DrainAsync(process.StandardOutput);
        return emulator;
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is not null) { }
    }

    private static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the emulator stops when its stdin closes
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One request an emulated cluster answered.</summary>
/// <summary>One answered request: <paramref name="Time"/> when it was answered, <paramref name="Started"/> when it came in.</summary>
public sealed record EmulatedRequest(DateTimeOffset Time, string Method, string Path, int Status, DateTimeOffset Started);

/// <summary>
/// The emulator process's Route 53: its endpoint, the hosted zone it holds, and the AWS shared
/// credentials file (profile <see cref="Profile"/>, readable by this user only) whose key it accepts.
/// </summary>
public sealed record EmulatedRoute53(Uri Endpoint, string ZoneId, string CredentialsFile)
{
    public const string Profile = "route53-emulator";
}
