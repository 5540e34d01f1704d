using Microsoft.AspNetCore.Http;

namespace MultiCluster.Testing.ApiServer;

/// <summary>One request an instance answered: what was asked, when it came in and when it was answered; 499 means the client went away first.</summary>
/// <param name="Protocol">The HTTP version the client used ("HTTP/2", "HTTP/1.1").</param>
/// <param name="ConnectionId">The server's id of the TCP connection that carried the request.</param>
public sealed record LoggedRequest(string Method, string Path, string Query, DateTimeOffset Started, DateTimeOffset Finished, int StatusCode,
    string Protocol = "", string ConnectionId = "");

/// <summary>
/// The last <see cref="Capacity"/> API requests an instance answered (its own /_emulator/ calls
/// left out), in the order they finished: what a test reads to see what a command asked of a
/// cluster, and how much at once.
/// </summary>
public sealed class RequestLog
{
    /// <summary>Oldest entries are dropped beyond this, so a long-lived instance stays small.</summary>
    public const int Capacity = 5000;

    private readonly Queue<LoggedRequest> _requests = new();

    public IReadOnlyList<LoggedRequest> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    public void Clear()
    {
        lock (_requests) _requests.Clear();
    }

    /// <summary>The most requests matching <paramref name="filter"/> that were in flight at the same moment.</summary>
    public int MaxInFlight(Func<LoggedRequest, bool>? filter = null)
    {
        var events = Requests.Where(filter ?? (_ => true))
            .SelectMany(r => new[] { (At: r.Started, Change: 1), (At: r.Finished, Change: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Change); // an answer at the same tick as a new request frees its place first
        int inFlight = 0, most = 0;
        foreach (var (_, change) in events) most = Math.Max(most, inFlight += change);
        return most;
    }

    internal async Task RecordAsync(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith("/_emulator/", StringComparison.Ordinal))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        var started = DateTimeOffset.UtcNow;
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            var status = http.RequestAborted.IsCancellationRequested ? 499 : http.Response.StatusCode;
            var entry = new LoggedRequest(http.Request.Method, path, http.Request.QueryString.Value ?? "", started, DateTimeOffset.UtcNow, status,
                http.Request.Protocol, http.Connection.Id);
            lock (_requests)
            {
                _requests.Enqueue(entry);
                while (_requests.Count > Capacity) _requests.Dequeue();
            }
        }
    }
}
