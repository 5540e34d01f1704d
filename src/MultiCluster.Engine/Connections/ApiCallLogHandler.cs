using System.Diagnostics;
using System.Globalization;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// Writes one Verbose line per HTTP call through the current <see cref="FleetCallContext.Reporter"/>:
/// <c>GET prod-euc1 /apis/apps/v1/namespaces/default/deployments/x -> 200 (12 ms)</c>.
/// Only well-known, harmless query parameters are shown; never headers or bodies.
/// </summary>
public sealed class ApiCallLogHandler(string cluster) : DelegatingHandler
{
    private static readonly HashSet<string> ShownQueryParameters = new(StringComparer.Ordinal)
    {
        "dryRun", "fieldManager", "force", "labelSelector", "fieldSelector", "limit", "watch", "propagationPolicy", "fieldValidation",
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var reporter = FleetCallContext.Reporter;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            reporter.Verbose($"{Describe(request)} -> {(int)response.StatusCode} ({Milliseconds(stopwatch)} ms)");
            return response;
        }
        catch (Exception e)
        {
            var outcome = e is OperationCanceledException ? "cancelled" : e.GetType().Name;
            reporter.Verbose($"{Describe(request)} -> {outcome} ({Milliseconds(stopwatch)} ms)");
            throw;
        }
    }

    internal string Describe(HttpRequestMessage request) => $"{request.Method.Method} {cluster} {SafePath(request.RequestUri)}";

    internal static string SafePath(Uri? uri)
    {
        if (uri is null) return "/";
        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?', 2)[0];
        var query = uri.IsAbsoluteUri ? uri.Query : (uri.OriginalString.Split('?', 2) is { Length: 2 } parts ? "?" + parts[1] : "");
        var shown = query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => ShownQueryParameters.Contains(Uri.UnescapeDataString(pair.Split('=', 2)[0])))
            .Where(pair => pair != "watch=false") // KubernetesClient adds it to every list call
            .ToList();
        return shown.Count == 0 ? path : $"{path}?{string.Join('&', shown)}";
    }

    private static string Milliseconds(Stopwatch stopwatch) =>
        stopwatch.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}
