using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MultiCluster.Testing.Controllers.Velero;

/// <summary>One backup as Velero keeps it in object storage: the Backup object and the items it holds.</summary>
/// <param name="Name">The Backup's name.</param>
/// <param name="Backup">The Backup object (metadata labels, spec, status) as uploaded when it finished.</param>
/// <param name="Items">Every object backed up, with the (group, plural) it was read as.</param>
public sealed record VeleroStoredBackup(string Name, JsonObject Backup, IReadOnlyList<VeleroStoredItem> Items);

/// <summary>One object inside a stored backup.</summary>
public sealed record VeleroStoredItem(string Group, string Resource, bool Namespaced, JsonObject Object);

/// <summary>
/// The object store (S3 buckets) that the simulated Velero servers of several emulated clusters
/// share: a backup uploaded by one cluster is seen by every cluster whose BackupStorageLocation
/// names the same provider, bucket and prefix. <see cref="Shared"/> is the process-wide one (the
/// emulator console and docs use it); tests that must not see each other make their own.
/// Besides backups it keeps files under object keys (a restore's results), handed out as S3-style
/// pre-signed URLs (<see cref="Presign"/>) served over HTTP on 127.0.0.1 by a listener started on
/// first use: a GET needs the exact signature issued for that key, before it expires.
/// </summary>
public sealed class VeleroObjectStorage : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Provider, string Bucket, string Prefix), Dictionary<string, VeleroStoredBackup>> _locations = [];
    private readonly Dictionary<(string Provider, string Bucket, string Prefix, string Key), byte[]> _files = [];
    private readonly Dictionary<string, (string Path, (string, string, string, string) File, DateTimeOffset Expires)> _signatures = new(StringComparer.Ordinal);
    private readonly List<string> _downloads = [];
    private WebApplication? _server;
    private Uri? _endpoint;

    /// <summary>The storage of the whole process.</summary>
    public static VeleroObjectStorage Shared { get; } = new();

    /// <summary>Raised after a backup is uploaded or deleted, with the location it changed.</summary>
    public event Action<(string Provider, string Bucket, string Prefix)>? Changed;

    public void Upload((string Provider, string Bucket, string Prefix) location, VeleroStoredBackup backup)
    {
        lock (_gate)
        {
            if (!_locations.TryGetValue(location, out var backups))
                _locations[location] = backups = new Dictionary<string, VeleroStoredBackup>(StringComparer.Ordinal);
            backups[backup.Name] = backup with { Backup = backup.Backup.DeepClone().AsObject() };
        }
        Changed?.Invoke(location);
    }

    public bool Delete((string Provider, string Bucket, string Prefix) location, string name)
    {
        bool removed;
        lock (_gate)
            removed = _locations.TryGetValue(location, out var backups) && backups.Remove(name);
        if (removed) Changed?.Invoke(location);
        return removed;
    }

    /// <summary>The backups under a location, by name.</summary>
    public IReadOnlyList<VeleroStoredBackup> List((string Provider, string Bucket, string Prefix) location)
    {
        lock (_gate)
            return _locations.TryGetValue(location, out var backups) ? backups.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToList() : [];
    }

    public VeleroStoredBackup? Find((string Provider, string Bucket, string Prefix) location, string name)
    {
        lock (_gate)
            return _locations.TryGetValue(location, out var backups) ? backups.GetValueOrDefault(name) : null;
    }

    /// <summary>Stores a file under <paramref name="key"/> (relative to the location's prefix), as Velero's PutRestoreResults does.</summary>
    public void PutFile((string Provider, string Bucket, string Prefix) location, string key, byte[] content)
    {
        lock (_gate) _files[(location.Provider, location.Bucket, location.Prefix, key)] = content.ToArray();
    }

    public byte[]? GetFile((string Provider, string Bucket, string Prefix) location, string key)
    {
        lock (_gate) return _files.GetValueOrDefault((location.Provider, location.Bucket, location.Prefix, key));
    }

    /// <summary>
    /// A pre-signed GET URL for a file (whether or not it exists yet, as S3 signs any key), valid
    /// for <paramref name="ttl"/> of real time; its query carries the signature that lets it in.
    /// </summary>
    public Uri Presign((string Provider, string Bucket, string Prefix) location, string key, TimeSpan ttl)
    {
        var endpoint = EnsureServer();
        var path = "/" + string.Join("/", new[] { location.Bucket, location.Prefix, key }.Where(p => p.Length > 0));
        var signature = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var now = DateTimeOffset.UtcNow;
        lock (_gate) _signatures[signature] = (path, (location.Provider, location.Bucket, location.Prefix, key), now + ttl);
        var query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEMULATOREXAMPLE%2F"
                    + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "%2Fus-east-1%2Fs3%2Faws4_request"
                    + "&X-Amz-Date=" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
                    + "&X-Amz-Expires=" + (long)ttl.TotalSeconds + "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + signature;
        return new Uri(endpoint, path + "?" + query);
    }

    /// <summary>Every signature <see cref="Presign"/> issued: the secret part of the URLs, for tests that they are never shown.</summary>
    public IReadOnlyList<string> IssuedSignatures
    {
        get
        {
            lock (_gate) return _signatures.Keys.ToList();
        }
    }

    /// <summary>Every GET of a pre-signed URL, as "status path" (no query).</summary>
    public IReadOnlyList<string> Downloads
    {
        get
        {
            lock (_gate) return _downloads.ToList();
        }
    }

    private Uri EnsureServer()
    {
        lock (_gate)
        {
            if (_endpoint is not null) return _endpoint;
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.Run(ServeAsync);
            app.StartAsync().GetAwaiter().GetResult();
            var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            _server = app;
            return _endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var signature = context.Request.Query["X-Amz-Signature"].ToString();
        byte[]? content = null;
        int status;
        lock (_gate)
        {
            if (!HttpMethods.IsGet(context.Request.Method)) status = 405;
            else if (!_signatures.TryGetValue(signature, out var signed) || signed.Path != path || signed.Expires < DateTimeOffset.UtcNow) status = 403;
            else status = (content = _files.GetValueOrDefault(signed.File)) is null ? 404 : 200;
            _downloads.Add($"{status} {path}");
        }
        context.Response.StatusCode = status;
        if (content is not null)
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(content).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        WebApplication? server;
        lock (_gate)
        {
            server = _server;
            _server = null;
            _endpoint = null;
        }
        if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
    }
}
