using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Error translation for resource operations: API server statuses and transport failures to
/// <see cref="FleetClusterException"/>s with the ids of STYLE.md. Mirrors the connections
/// layer's translation so both report the same ids; the lead may route this to it once merged.
/// </summary>
internal static class ResourceErrors
{
    public static FleetClusterException FromResponse(KubeApiResponse response, string cluster, string? objectRef)
    {
        var code = (int)response.Status;
        var detail = StatusMessage(response.Body) is { Length: > 0 } message ? $": {message}" : "";
        var what = objectRef is null ? $"cluster '{cluster}'" : $"{objectRef} on cluster '{cluster}'";
        return code switch
        {
            401 => Fail(FleetErrorIds.ClusterAuthenticationFailed, FleetErrorCategory.AuthenticationError, cluster, objectRef,
                $"Cluster '{cluster}' rejected the credentials (401 Unauthorized).",
                "Refresh the credentials of this context (token, client certificate or exec plugin)."),
            403 => Fail(FleetErrorIds.ClusterAccessDenied, FleetErrorCategory.PermissionDenied, cluster, objectRef,
                $"Access denied to {what} (403 Forbidden){detail}"),
            404 => Fail(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster, objectRef, $"Not found: {what}{detail}"),
            409 => Fail(FleetErrorIds.ApplyConflict, FleetErrorCategory.ResourceExists, cluster, objectRef, $"Conflict on {what}{detail}",
                "Another field manager owns these fields; use -ForceConflicts to take them over."),
            400 or 422 => Fail(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, cluster, objectRef,
                $"Cluster '{cluster}' rejected {objectRef ?? "the request"} as invalid ({code}){detail}"),
            408 or 504 => Fail(FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout, cluster, objectRef,
                $"Cluster '{cluster}' timed out ({code}){detail}"),
            429 or >= 500 => Fail(FleetErrorIds.ServerError, FleetErrorCategory.ResourceUnavailable, cluster, objectRef,
                $"Cluster '{cluster}' answered {code}{detail}"),
            _ => Fail(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.InvalidOperation, cluster, objectRef,
                $"Cluster '{cluster}' answered {code} for {what}{detail}"),
        };
    }

    /// <summary>
    /// The fleet exception for anything thrown while working on a cluster. A cancellation is a
    /// timeout unless <paramref name="callerToken"/> (the user's Ctrl+C) was cancelled.
    /// </summary>
    public static FleetException FromException(Exception exception, string cluster, string? objectRef, CancellationToken callerToken)
    {
        switch (exception)
        {
            case FleetException fleet:
                return fleet;
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return FromException(aggregate.InnerExceptions[0], cluster, objectRef, callerToken);
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return Fail(FleetErrorIds.OperationCancelled, FleetErrorCategory.OperationStopped, cluster, objectRef,
                    $"The operation on cluster '{cluster}' was cancelled.", inner: exception);
            case OperationCanceledException or TimeoutException:
                return Fail(FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout, cluster, objectRef,
                    $"Cluster '{cluster}' did not answer in time.", "Check the cluster's API server, or raise -TimeoutSeconds.", exception);
        }
        if (Find<AuthenticationException>(exception) is not null)
        {
            return Fail(FleetErrorIds.ClusterCertificateInvalid, FleetErrorCategory.ConnectionError, cluster, objectRef,
                $"The TLS certificate of cluster '{cluster}' is not trusted by the kubeconfig's certificate authority.", inner: exception);
        }
        if (exception is HttpRequestException or SocketException or IOException)
        {
            return Fail(FleetErrorIds.ClusterUnreachable, FleetErrorCategory.ConnectionError, cluster, objectRef,
                $"Cannot reach cluster '{cluster}': {FirstLine(Find<SocketException>(exception)?.Message ?? exception.Message)}",
                "Check that the API server is up and that its address in the kubeconfig is right.", exception);
        }
        return Fail(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.NotSpecified, cluster, objectRef,
            $"The request to cluster '{cluster}' failed: {FirstLine(exception.Message)}", inner: exception);
    }

    /// <summary>The message (and causes) of a <c>kind: Status</c> body; null when the body is not one.</summary>
    internal static string? StatusMessage(string body)
    {
        if (!body.TrimStart().StartsWith('{')) return null;
        try
        {
            if (JsonNode.Parse(body) is not JsonObject status) return null;
            var message = status["message"]?.GetValue<string>()?.Trim();
            var causes = (status["details"]?["causes"] as JsonArray)?
                .OfType<JsonObject>()
                .Select(c => (Field: c["field"]?.GetValue<string>(), Message: c["message"]?.GetValue<string>()))
                .Select(c => string.IsNullOrEmpty(c.Field) ? c.Message : $"{c.Field}: {c.Message}")
                .Where(c => !string.IsNullOrWhiteSpace(c) && (message is null || !message.Contains(c!, StringComparison.Ordinal)))
                .ToList();
            if (causes is { Count: > 0 })
            {
                message = string.IsNullOrEmpty(message) ? string.Join("; ", causes) : $"{message} ({string.Join("; ", causes)})";
            }
            return string.IsNullOrWhiteSpace(message) ? status["reason"]?.GetValue<string>() : message;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static FleetClusterException Fail(string id, FleetErrorCategory category, string cluster, string? objectRef, string message,
        string? action = null, Exception? inner = null) =>
        new(id, category, cluster, message.TrimEnd().EndsWith('.') ? message.TrimEnd() : message.TrimEnd() + ".", inner, action, objectRef);

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
        }
        return null;
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
