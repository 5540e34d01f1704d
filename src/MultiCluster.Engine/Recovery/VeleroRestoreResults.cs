using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// Velero's warnings and errors of one restore, one line each: "&lt;namespace&gt;: message",
/// "Velero: message" or "Cluster: message", as 'velero restore describe' groups them.
/// </summary>
internal sealed record RestoreResultLists(IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors);

/// <summary>
/// Fetches a restore's warnings and errors the way 'velero restore describe' does. The flow, as
/// read in vmware-tanzu/velero: pkg/cmd/util/output/restore_describer.go (describeRestoreResults,
/// only when status.warnings or status.errors is non-zero) calls
/// pkg/cmd/util/downloadrequest/downloadrequest.go (Stream): create a DownloadRequest
/// "&lt;restore&gt;-&lt;uuid&gt;" in the restore's namespace with spec.target {kind: RestoreResults,
/// name: &lt;restore&gt;}, poll until status.downloadURL is set (the controller also sets phase
/// Processed), GET that pre-signed URL, gunzip the body. The content is one JSON object written by
/// pkg/controller/restore_controller.go (putResults): {"warnings": Result, "errors": Result}, each a
/// pkg/util/results Result {"velero": [..], "cluster": [..], "namespaces": {"ns": [..]}}, empty
/// lists omitted. The pre-signed URL carries the storage credentials in its query: it is never
/// shown, not even in a failure's reason.
/// </summary>
internal static class VeleroRestoreResults
{
    public const string TargetKind = "RestoreResults";

    /// <summary>
    /// The restore's results, or null with the reason they could not be had (no DownloadRequest
    /// kind, no URL within <paramref name="timeout"/>, the download failing); never throws for that.
    /// The DownloadRequest is deleted afterwards.
    /// </summary>
    public static async Task<(RestoreResultLists? Results, string? Problem)> FetchAsync(ResourceClient client, HttpClient http, string ns, string restore,
        TimeSpan timeout, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var name = $"{restore}-{Guid.NewGuid():D}";
        if (name.Length > 253) name = $"{restore[..(253 - 37)]}-{Guid.NewGuid():D}";
        var request = new KubeObject(new JsonObject
        {
            ["apiVersion"] = VeleroKinds.ApiVersion,
            ["kind"] = "DownloadRequest",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
            },
            ["spec"] = new JsonObject { ["target"] = new JsonObject { ["kind"] = TargetKind, ["name"] = restore } },
        });
        try
        {
            await client.ApplyAsync(VeleroKinds.DownloadRequest, request, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetException e)
        {
            return (null, $"a DownloadRequest could not be created: {e.Message}");
        }
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                var url = await WaitForUrlAsync(client, ns, name, pollInterval, limit.Token).ConfigureAwait(false);
                return (await DownloadAsync(http, url, limit.Token).ConfigureAwait(false), null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, $"Velero gave no download within {BackupCron.Describe(timeout)}");
            }
            catch (ResultsUnavailableException e)
            {
                return (null, e.Message);
            }
            catch (FleetException e)
            {
                return (null, $"the DownloadRequest could not be read: {e.Message}");
            }
        }
        finally
        {
            try
            {
                await client.DeleteAsync(VeleroKinds.DownloadRequest, ns, name, dryRun: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (FleetException)
            {
                // Velero deletes expired DownloadRequests itself; a leftover one is harmless.
            }
        }
    }

    private static async Task<Uri> WaitForUrlAsync(ResourceClient client, string ns, string name, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await client.GetAsync(VeleroKinds.DownloadRequest, ns, name, cancellationToken).ConfigureAwait(false)
                          ?? throw new ResultsUnavailableException("the DownloadRequest was deleted before Velero processed it");
            if ((string?)current.Json["status"]?["downloadURL"] is { Length: > 0 } text)
            {
                return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                    ? url
                    : throw new ResultsUnavailableException("Velero's download URL is not an http(s) URL");
            }
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<RestoreResultLists> DownloadAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            // The status code only: the body of an object store's refusal may echo the signed request.
            if (!response.IsSuccessStatusCode)
                throw new ResultsUnavailableException($"the download answered HTTP {(int)response.StatusCode}");
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // The error kind only: the exception's text may name the URL.
            throw new ResultsUnavailableException($"the download failed ({e.HttpRequestError})");
        }
        try
        {
            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            var results = await JsonNode.ParseAsync(gzip, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
                          ?? throw new ResultsUnavailableException("the results file is not a JSON object");
            return new RestoreResultLists(Lines(results["warnings"]), Lines(results["errors"]));
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw new ResultsUnavailableException("the results file is not gzip-compressed JSON");
        }
    }

    /// <summary>One Result as lines: Velero's own, the cluster's, then each namespace's in name order.</summary>
    internal static IReadOnlyList<string> Lines(JsonNode? result)
    {
        var lines = new List<string>();
        static IEnumerable<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>();
        lines.AddRange(Strings(result?["velero"]).Select(m => "Velero: " + m));
        lines.AddRange(Strings(result?["cluster"]).Select(m => "Cluster: " + m));
        foreach (var (ns, messages) in (result?["namespaces"] as JsonObject ?? []).OrderBy(n => n.Key, StringComparer.Ordinal))
            lines.AddRange(Strings(messages).Select(m => $"{ns}: {m}"));
        return lines;
    }

    /// <summary>The first <paramref name="max"/> lines, indented, and how many more there are.</summary>
    internal static string Describe(string heading, IReadOnlyList<string> lines, int max)
    {
        if (lines.Count == 0) return "";
        var text = $"\n{heading}:" + string.Concat(lines.Take(max).Select(l => $"\n  {l}"));
        return lines.Count > max ? text + $"\n  ... and {lines.Count - max} more" : text;
    }

    private sealed class ResultsUnavailableException(string message) : Exception(message);
}

/// <summary>A restore that ended PartiallyFailed or Failed, with Velero's warnings and errors when they could be fetched.</summary>
internal sealed class RestoreFailedException(string cluster, string message, RestoreResultLists? results)
    : FleetClusterException(RecoveryErrorIds.FailoverRestoreFailed, FleetErrorCategory.InvalidData, cluster, message)
{
    public RestoreResultLists? Results { get; } = results;
}
