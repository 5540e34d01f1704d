using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// Turns what KubernetesClient and HttpClient throw into <see cref="FleetClusterException"/>s with
/// stable ids, at the engine boundary. Messages are short, say what and where, and never carry
/// request bodies, tokens or kubeconfig content.
/// </summary>
public static class KubernetesErrors
{
    /// <summary>
    /// The fleet exception for <paramref name="exception"/> raised while working on <paramref name="cluster"/>
    /// (and <paramref name="objectRef"/>, for example "apps/v1 Deployment default/web"). A cancellation
    /// is a timeout unless <paramref name="callerToken"/> was cancelled, which makes it OperationCancelled.
    /// </summary>
    public static FleetException Translate(Exception exception, string cluster, string? objectRef = null, CancellationToken callerToken = default)
    {
        switch (exception)
        {
            case FleetException fleet:
                return fleet;
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return Translate(aggregate.InnerExceptions[0], cluster, objectRef, callerToken);
            // Neither is kept as InnerException: an HttpOperationException's Request carries the
            // Authorization header and the body. Only status, reason and message are copied.
            case HttpOperationException http:
                return FromServerStatus((int)http.Response.StatusCode, StatusOf(http.Response.Content), cluster, objectRef);
            case KubernetesException kubernetes when kubernetes.Status is { Code: { } code } status:
                return FromServerStatus(code, StatusOf(status), cluster, objectRef);
            case KubeConfigException:
                return Fail(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidData, cluster, objectRef,
                    $"The kubeconfig entry of cluster '{cluster}' cannot be used: {FirstLine(exception.Message)}", exception);
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return Fail(FleetErrorIds.OperationCancelled, FleetErrorCategory.OperationStopped, cluster, objectRef,
                    $"The operation on cluster '{cluster}' was cancelled.", exception);
            case OperationCanceledException or TimeoutException:
                return Fail(FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout, cluster, objectRef,
                    $"Cluster '{cluster}' did not answer in time.", exception, "Check the cluster's API server, or raise -TimeoutSeconds.");
            case HttpRequestException { StatusCode: { } statusCode }:
                return FromStatus((int)statusCode, null, cluster, objectRef, exception);
        }

        if (Find<AuthenticationException>(exception) is not null)
            return Fail(FleetErrorIds.ClusterCertificateInvalid, FleetErrorCategory.SecurityError, cluster, objectRef,
                $"The TLS certificate of cluster '{cluster}' is not trusted by the kubeconfig's certificate authority.", exception,
                "Check certificate-authority-data in the kubeconfig for this cluster.");

        if (exception is HttpRequestException or SocketException or IOException)
        {
            var socket = Find<SocketException>(exception);
            var reason = socket?.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
                SocketError.TimedOut => "the connection timed out",
                SocketError.ConnectionReset => "the connection was reset",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "the network is unreachable",
                _ => FirstLine(exception.Message),
            };
            return Fail(FleetErrorIds.ClusterUnreachable, FleetErrorCategory.ConnectionError, cluster, objectRef,
                $"Cannot reach cluster '{cluster}': {reason}.", exception, "Check that the API server is up and that its address in the kubeconfig is right.");
        }

        return Fail(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.NotSpecified, cluster, objectRef,
            $"The request to cluster '{cluster}' failed: {FirstLine(exception.Message)}", exception);
    }

    /// <summary>The fleet exception for an HTTP status the API server answered (with its message only).</summary>
    public static FleetClusterException FromStatus(int statusCode, string? serverMessage, string cluster, string? objectRef, Exception? inner = null) =>
        FromServerStatus(statusCode, new ServerStatus(serverMessage, null, false), cluster, objectRef, inner);

    /// <summary>
    /// The fleet exception for an HTTP status the API server answered with a <c>kind: Status</c>
    /// body. A 409 is ApplyConflict (with -ForceConflicts advice) only when the server names field
    /// manager conflicts; AlreadyExists and a stale resourceVersion have ids of their own.
    /// </summary>
    internal static FleetClusterException FromServerStatus(int statusCode, ServerStatus status, string cluster, string? objectRef, Exception? inner = null)
    {
        var serverMessage = status.Text;
        var what = objectRef is null ? $"cluster '{cluster}'" : $"{objectRef} on cluster '{cluster}'";
        var detail = string.IsNullOrWhiteSpace(serverMessage) ? "" : $": {serverMessage}";
        return statusCode switch
        {
            401 => Fail(FleetErrorIds.ClusterAuthenticationFailed, FleetErrorCategory.AuthenticationError, cluster, objectRef,
                $"Cluster '{cluster}' rejected the credentials (401 Unauthorized).", inner,
                "Refresh the credentials of this context (token, client certificate or exec plugin)."),
            403 => Fail(FleetErrorIds.ClusterAccessDenied, FleetErrorCategory.PermissionDenied, cluster, objectRef,
                $"Access denied to {what} (403 Forbidden){detail}", inner),
            // A write into a namespace the cluster lacks: the server names the namespace, not the object.
            404 when status.MissingNamespace is { } ns && objectRef is not null && objectRef.Contains($" {ns}/", StringComparison.Ordinal) =>
                Fail(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster, objectRef,
                    $"{objectRef} cannot be written to cluster '{cluster}': the namespace '{ns}' does not exist there", inner,
                    $"Create the namespace '{ns}' first (a Namespace in the same manifest is applied before the objects in it), or choose another namespace."),
            404 => Fail(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster, objectRef,
                $"{(objectRef ?? "The requested resource")} was not found on cluster '{cluster}'{detail}", inner),
            409 when status.FieldManagerConflict => Fail(FleetErrorIds.ApplyConflict, FleetErrorCategory.ResourceExists, cluster, objectRef,
                $"Conflict on {what}{detail}", inner, "Another field manager owns these fields; use -ForceConflicts to take them over."),
            409 when status.Reason == "AlreadyExists" => Fail(FleetErrorIds.ResourceAlreadyExists, FleetErrorCategory.ResourceExists, cluster, objectRef,
                $"{(objectRef ?? "The object")} already exists on cluster '{cluster}'{detail}", inner),
            409 => Fail(FleetErrorIds.ResourceChanged, FleetErrorCategory.InvalidOperation, cluster, objectRef,
                $"{(objectRef ?? "The object")} on cluster '{cluster}' was changed by someone else meanwhile (409){detail}", inner,
                "Run the command again: it reads the object afresh."),
            400 or 422 => Fail(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, cluster, objectRef,
                $"Cluster '{cluster}' rejected {(objectRef ?? "the object")} as invalid ({statusCode}){detail}", inner),
            408 or 504 => Fail(FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout, cluster, objectRef,
                $"Cluster '{cluster}' timed out ({statusCode}){detail}", inner),
            429 or >= 500 => Fail(FleetErrorIds.ServerError, FleetErrorCategory.ResourceUnavailable, cluster, objectRef,
                $"Cluster '{cluster}' answered {statusCode}{detail}", inner),
            _ => Fail(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.InvalidOperation, cluster, objectRef,
                $"Cluster '{cluster}' answered {statusCode} for {what}{detail}", inner),
        };
    }

    private static FleetClusterException Fail(string id, FleetErrorCategory category, string cluster, string? objectRef, string message,
        Exception? inner, string? action = null) =>
        new(id, category, cluster, Sentence(message), inner, action, objectRef);

    private static string Sentence(string message)
    {
        message = message.TrimEnd();
        return message.EndsWith('.') ? message : message + ".";
    }

    /// <summary>The API server's message and causes from a <c>kind: Status</c> body, or null when the body is not one.</summary>
    internal static string? StatusText(string? body) => StatusOf(body).Text;

    /// <summary>What a <c>kind: Status</c> body says: message with causes, reason, and whether it names field manager conflicts.</summary>
    internal static ServerStatus StatusOf(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || !body.TrimStart().StartsWith('{')) return new ServerStatus(null, null, false);
        try
        {
            return StatusOf(KubernetesJson.Deserialize<k8s.Models.V1Status>(body));
        }
        catch (JsonException)
        {
            return new ServerStatus(null, null, false);
        }
    }

    private static ServerStatus StatusOf(k8s.Models.V1Status? status) => new(
        StatusText(status),
        status?.Reason,
        status?.Details?.Causes?.Any(c => c.Reason == "FieldManagerConflict") == true,
        status is { Reason: "NotFound", Details: { Kind: "namespaces", Group: null or "", Name: { Length: > 0 } missing } } ? missing : null);

    private static string? StatusText(k8s.Models.V1Status? status)
    {
        if (status is null) return null;
        var message = status.Message?.Trim();
        var causes = status.Details?.Causes?
            .Select(c => string.IsNullOrEmpty(c.Field) ? c.Message : $"{c.Field}: {c.Message}")
            .Where(c => !string.IsNullOrWhiteSpace(c) && (message is null || !message.Contains(c!, StringComparison.Ordinal)))
            .ToList();
        if (causes is { Count: > 0 })
            message = string.IsNullOrEmpty(message) ? string.Join("; ", causes) : $"{message} ({string.Join("; ", causes)})";
        return string.IsNullOrWhiteSpace(message) ? status.Reason : message;
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}

/// <summary>
/// The parts of an API server's <c>kind: Status</c> answer that the error mapping reads; <paramref name="MissingNamespace"/>
/// is the namespace a 404 names (<c>namespaces "x" not found</c>, as NamespaceLifecycle refuses a write into it).
/// </summary>
internal sealed record ServerStatus(string? Text, string? Reason, bool FieldManagerConflict, string? MissingNamespace = null);
