using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Authentication;
using k8s.KubeConfigModels;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Connections;

/// <summary>What an exec credential plugin returned.</summary>
internal sealed record ExecCredential(string? Token, string? ClientCertificateData, string? ClientKeyData, DateTimeOffset? Expiration);

/// <summary>Anything that hands out bearer tokens (and maybe client certificates) for a cluster.</summary>
internal interface ICredentialSource
{
    Task<ExecCredential> GetAsync(CancellationToken cancellationToken);

    /// <summary>Forgets the cached credential (the server refused it), so the next call fetches a new one.</summary>
    void Invalidate();
}

/// <summary>Adapts a credential source to KubernetesClient's token provider.</summary>
internal sealed class CredentialTokenProvider(ICredentialSource source) : ITokenProvider
{
    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        var credential = await source.GetAsync(cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", credential.Token);
    }
}

/// <summary>
/// Runs a kubeconfig exec credential plugin (client.authentication.k8s.io/v1 and v1beta1) the way
/// kubectl does: command, arguments and environment from the kubeconfig, <c>KUBERNETES_EXEC_INFO</c>
/// set, the ExecCredential read from stdout and cached until it expires. Failures are
/// CredentialPluginFailed with stderr trimmed and scrubbed; stdout (which holds the token) is never shown.
/// </summary>
/// <remarks>
/// KubernetesClient 21 runs plugins itself, but joins arguments with spaces (breaking arguments
/// that contain one), waits 5 ms for exit, fails on any stderr output (plugins log there) and puts
/// the raw stderr and deserializer text in its exceptions, so the engine runs them itself.
/// </remarks>
internal sealed partial class ExecCredentialPlugin : ICredentialSource
{
    internal static readonly string[] SupportedApiVersions = { "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1" };

    private readonly string _cluster;
    private readonly ExternalExecution _exec;
    private readonly TimeSpan _timeout;
    private readonly Func<DateTimeOffset> _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ExecCredential? _cached;

    public ExecCredentialPlugin(string cluster, ExternalExecution exec, TimeSpan? timeout = null, Func<DateTimeOffset>? clock = null)
    {
        _cluster = cluster;
        _exec = exec;
        _timeout = timeout ?? TimeSpan.FromSeconds(60);
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        if (string.IsNullOrWhiteSpace(exec.Command))
            throw Fail("the kubeconfig user's exec section has no command");
        if (!SupportedApiVersions.Contains(exec.ApiVersion, StringComparer.Ordinal))
            throw Fail($"the exec apiVersion '{exec.ApiVersion}' is not supported (use {string.Join(" or ", SupportedApiVersions)})");
    }

    public int Runs { get; private set; }

    public async Task<ExecCredential> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_cached) is { } hit) return hit;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_cached) is { } again) return again;
            _cached = await RunAsync(cancellationToken).ConfigureAwait(false);
            return _cached;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _cached = null;

    private ExecCredential? Fresh(ExecCredential? credential) =>
        credential is not null && (credential.Expiration is null || credential.Expiration > _clock().AddSeconds(10)) ? credential : null;

    private async Task<ExecCredential> RunAsync(CancellationToken cancellationToken)
    {
        Runs++;
        Reporting.FleetCallContext.Reporter.Debug($"Cluster '{_cluster}': running the credential plugin '{Path.GetFileName(_exec.Command)}'.");
        var start = new ProcessStartInfo(_exec.Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in _exec.Arguments ?? Array.Empty<string>()) start.ArgumentList.Add(argument);
        start.Environment["KUBERNETES_EXEC_INFO"] = JsonSerializer.Serialize(new
        {
            apiVersion = _exec.ApiVersion,
            kind = "ExecCredential",
            spec = new { interactive = false },
        });
        foreach (var variable in _exec.EnvironmentVariables ?? new List<Dictionary<string, string>>())
        {
            if (!variable.TryGetValue("name", out var name) || string.IsNullOrEmpty(name))
                throw Fail("an exec env entry has no name");
            start.Environment[name] = variable.TryGetValue("value", out var value) ? value : "";
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            var hint = string.IsNullOrWhiteSpace(_exec.InstallHint) ? "" : " " + Scrub(_exec.InstallHint.Trim());
            throw Fail($"cannot start '{_exec.Command}': {e.Message}.{hint}", e);
        }
        process.StandardInput.Close();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            throw Fail($"'{Path.GetFileName(_exec.Command)}' did not finish within {_timeout.TotalSeconds:0} seconds");
        }

        if (process.ExitCode != 0)
        {
            var error = Scrub(stderr.Result);
            throw Fail($"'{Path.GetFileName(_exec.Command)}' exited with code {process.ExitCode}" + (error.Length == 0 ? "" : $": {error}"));
        }
        return Parse(stdout.Result);
    }

    private ExecCredential Parse(string stdout)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(stdout).RootElement;
        }
        catch (JsonException)
        {
            throw Fail("the plugin's output is not an ExecCredential (not JSON)");
        }
        if (root.ValueKind != JsonValueKind.Object || Text(root, "kind") != "ExecCredential")
            throw Fail("the plugin's output is not an ExecCredential (kind is missing or different)");
        var apiVersion = Text(root, "apiVersion");
        if (apiVersion != _exec.ApiVersion)
            throw Fail($"the plugin answered apiVersion '{apiVersion}' where the kubeconfig asks for '{_exec.ApiVersion}'");
        if (!root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
            throw Fail("the plugin's ExecCredential has no status");

        var token = Text(status, "token");
        var certificate = Text(status, "clientCertificateData");
        var key = Text(status, "clientKeyData");
        if (string.IsNullOrEmpty(token) && (string.IsNullOrEmpty(certificate) || string.IsNullOrEmpty(key)))
            throw Fail("the plugin's ExecCredential has neither status.token nor status.clientCertificateData with clientKeyData");

        DateTimeOffset? expiration = null;
        if (Text(status, "expirationTimestamp") is { Length: > 0 } expiry)
        {
            if (!DateTimeOffset.TryParse(expiry, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                throw Fail($"the plugin's status.expirationTimestamp '{expiry}' is not an RFC 3339 time");
            expiration = parsed;
        }
        return new ExecCredential(NullIfEmpty(token), NullIfEmpty(certificate), NullIfEmpty(key), expiration);
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private FleetClusterException Fail(string what, Exception? inner = null) =>
        new(FleetErrorIds.CredentialPluginFailed, FleetErrorCategory.AuthenticationError, _cluster,
            $"The credential plugin of cluster '{_cluster}' failed: {what.TrimEnd('.')}.", inner,
            "Run the plugin by hand (its command is in the kubeconfig user's exec section) to see what it needs.");

    [GeneratedRegex(@"(?i)(bearer\s+)\S+")]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"(?i)password|token|secret|key")]
    private static partial Regex SecretWord();

    [GeneratedRegex(@"k8s-aws-v1\.[A-Za-z0-9_\-]+|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-.]+|[A-Za-z0-9+/_\-]{32,}={0,2}")]
    private static partial Regex TokenLike();

    /// <summary>
    /// The first line of a plugin's stderr, cut after the first of "password", "token", "secret"
    /// or "key" (what follows such a word is taken for its value), with bearer tokens, JWTs, EKS
    /// tokens and long base64 runs before it replaced. Later lines are never shown.
    /// </summary>
    internal static string Scrub(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        if (SecretWord().Match(line) is { Success: true } word)
            line = line[..(word.Index + word.Length)] + " ***";
        line = BearerToken().Replace(line, "$1***");
        line = TokenLike().Replace(line, "***");
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
