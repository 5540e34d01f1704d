using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MultiCluster.Testing.Monitoring;

/// <summary>
/// Stands in for a cluster's Prometheus (or Thanos sidecar HTTP port) on 127.0.0.1: answers
/// <c>GET /-/ready</c> as Prometheus does (200 "Prometheus Server is Ready."; 503 while
/// <see cref="Ready"/> is false), 404 elsewhere, and keeps the paths it was asked for.
/// Dependency-free so the PowerShell tests compile it in too.
/// </summary>
public sealed class ReadyEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public ReadyEndpoint()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>host:port, as a monitoring config names it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public bool Ready { get; set; } = true;

    /// <summary>The paths asked for, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var path = context.Request.Url?.AbsolutePath ?? "";
            Requests.Enqueue(path);
            var (status, body) = path == "/-/ready"
                ? Ready ? (200, "Prometheus Server is Ready.\n") : (503, "Service Unavailable\n")
                : (404, "404 page not found\n");
            context.Response.StatusCode = status;
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
