using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing;

/// <summary>How to start one emulated cluster.</summary>
public sealed class EmulatedClusterOptions
{
    /// <summary>Context, cluster and user name in kubeconfigs.</summary>
    public string Name { get; init; } = "emu";
    /// <summary>gitVersion /version reports.</summary>
    public string KubernetesVersion { get; init; } = "v1.32.3";
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    /// <summary>The admin bearer token; a random one carrying <see cref="SecretCanary.Marker"/> when null.</summary>
    public string? AdminToken { get; init; }
    public IList<IAuthenticator> Authenticators { get; init; } = new List<IAuthenticator>();
    /// <summary>Defaults to <see cref="MastersOnlyAuthorizer"/>.</summary>
    public IAuthorizer? Authorizer { get; init; }
    public IList<IRequestHook> Hooks { get; init; } = new List<IRequestHook>();
    /// <summary>Started after the listener is up, stopped before it goes down.</summary>
    public IList<IController> Controllers { get; init; } = new List<IController>();
    public TestClock? Clock { get; init; }
}

/// <summary>
/// One emulated Kubernetes API server (one cluster) on https://127.0.0.1:PORT, with its own store.
/// </summary>
public sealed class EmulatedCluster : IAsyncDisposable
{
    private readonly object lifecycleGate = new();
    private readonly List<IController> controllers = new();
    private readonly Dictionary<(string Group, string Resource, string? Subresource), IRequestHook> hooks = new();
    private volatile IAuthenticator[] authenticators;
    private volatile IWriteAdmission[] writeAdmissions = [];
    private readonly ApiHandler handler;
    private WebApplication? app;
    private CancellationTokenSource listenerStopping = new();
    private volatile FaultSettings faults = FaultSettings.None;
    private readonly SemaphoreSlim faultsGate = new(1, 1);
    private CancellationTokenSource hangRelease = new();
    private bool disposed;

    private EmulatedCluster(EmulatedClusterOptions options)
    {
        Name = options.Name;
        KubernetesVersion = options.KubernetesVersion;
        AdminToken = options.AdminToken ?? SecretCanary.NewToken();
        Clock = options.Clock ?? new TestClock();
        Authorizer = options.Authorizer ?? new MastersOnlyAuthorizer();
        authenticators = [new StaticTokenAuthenticator(AdminToken, UserInfo.Admin), .. options.Authenticators];
        Registry = new ResourceRegistry();
        foreach (var type in BuiltinResources.All()) Registry.Add(type);
        Store = new ObjectStore(() => Clock.UtcNow) { TypeResolver = Registry.Find };
        Context = new ClusterContext(this);
        Crds = new CrdServing(this);
        foreach (var ns in BuiltinResources.InitialNamespaces)
            Store.Create(Registry.Find("", "namespaces")!, NamespaceObject(ns));
        foreach (var hook in DefaultHooks.All()) AddHook(hook);
        foreach (var hook in options.Hooks) AddHook(hook);
        handler = new ApiHandler(this);
        controllers.AddRange(options.Controllers);
    }

    public string Name { get; }
    /// <summary>gitVersion /version reports; a simulated upgrade changes it.</summary>
    public string KubernetesVersion { get; set; }
    public string AdminToken { get; }
    public int Port { get; private set; }
    public Uri Server => new($"https://127.0.0.1:{Port}");
    public ObjectStore Store { get; }

    /// <summary>The last API requests this instance answered, with when each started and finished (also served at /_emulator/requests).</summary>
    public RequestLog RequestLog { get; } = new();
    public ResourceRegistry Registry { get; }
    public TestClock Clock { get; }

    /// <summary>
    /// How long a list's continue token stays good on <see cref="Clock"/>: older ones get 410 Expired,
    /// as etcd's compaction (every 5 minutes by default) makes a real server answer.
    /// </summary>
    public TimeSpan ContinueTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public ClusterContext Context { get; }
    /// <summary>The authorizer; replace it to plug in RBAC.</summary>
    public IAuthorizer Authorizer { get; set; }
    /// <summary>Applies Impersonate-* headers after authentication; null ignores them.</summary>
    public IImpersonator? Impersonator { get; set; }
    internal CrdServing Crds { get; }

    /// <summary>PEM of the CA that signed the server certificate.</summary>
    public static string CertificateAuthorityPem => ServerCertificates.CertificateAuthorityPem;

    /// <summary>Faults in force now.</summary>
    public FaultSettings Faults => faults;

    /// <summary>True while the listener is up (not stopped by a fault or disposal).</summary>
    public bool IsListening => app is not null;

    public static async Task<EmulatedCluster> StartAsync(EmulatedClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        var cluster = new EmulatedCluster(options ?? new EmulatedClusterOptions());
        try
        {
            if (options?.Port is { } port) await cluster.StartListenerAsync(port, cancellationToken).ConfigureAwait(false);
            else await cluster.StartOnFreePortAsync(cancellationToken).ConfigureAwait(false);
            // A snapshot: a starting controller may add others (they start as they are added).
            List<IController> initial;
            lock (cluster.lifecycleGate) initial = cluster.controllers.ToList();
            foreach (var controller in initial) controller.Start(cluster.Context);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Adds an authenticator asked after the admin token and the ones before it.</summary>
    public void AddAuthenticator(IAuthenticator authenticator) => authenticators = [.. authenticators, authenticator];

    /// <summary>Adds a check every create and update goes through (RBAC's escalation check, for one).</summary>
    public void AddWriteAdmission(IWriteAdmission admission) => writeAdmissions = [.. writeAdmissions, admission];

    internal IReadOnlyList<IWriteAdmission> WriteAdmissions => writeAdmissions;

    /// <summary>Registers (or replaces) the hook for its resource/subresource.</summary>
    public void AddHook(IRequestHook hook)
    {
        lock (hooks) hooks[(hook.Group, hook.Resource, hook.Subresource)] = hook;
    }

    /// <summary>Starts a controller now (instance running) and stops it with the instance.</summary>
    public void AddController(IController controller)
    {
        lock (lifecycleGate) controllers.Add(controller);
        controller.Start(Context);
    }

    internal IRequestHook? FindHook(string group, string resource, string? subresource)
    {
        lock (hooks) return hooks.GetValueOrDefault((group, resource, subresource));
    }

    internal UserInfo? Authenticate(string token)
    {
        foreach (var authenticator in authenticators)
            if (authenticator.Authenticate(token) is { } user) return user;
        return null;
    }

    internal CancellationToken ListenerStopping => listenerStopping.Token;
    internal CancellationToken HangReleased => hangRelease.Token;

    /// <summary>
    /// Changes the faults in force. Stopped fails every request at once, on open connections too
    /// (their streams are reset), then closes the listener (new connections are refused); clearing
    /// it listens again on the same port. Clearing Hanging releases the requests that hang.
    /// </summary>
    public async Task SetFaultsAsync(FaultSettings settings, CancellationToken cancellationToken = default)
    {
        await faultsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Apply(settings);
            if (settings.Stopped && app is not null) await StopListenerAsync().ConfigureAwait(false);
            else if (!settings.Stopped && app is null && !disposed) await RestartListenerAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            faultsGate.Release();
        }
    }

    /// <summary>
    /// Goes down (<paramref name="stopped"/> in force before <paramref name="answer"/> runs, so no
    /// later request is served), answers the request that asked for it, then closes the listener in
    /// the background; the task returned completes once the listener is closed. Fault changes
    /// asked meanwhile wait for the close.
    /// </summary>
    internal async Task<Task> StopAfterAnsweringAsync(FaultSettings stopped, Func<Task> answer)
    {
        await faultsGate.WaitAsync().ConfigureAwait(false);
        Apply(stopped);
        Task stopping;
        try
        {
            await answer().ConfigureAwait(false);
        }
        finally
        {
            // The listener waits for this request to end before it closes, hence in the background.
            stopping = Task.Run(async () =>
            {
                try { await StopListenerAsync().ConfigureAwait(false); }
                finally { faultsGate.Release(); }
            });
        }
        return stopping;
    }

    private void Apply(FaultSettings settings)
    {
        var previous = faults;
        faults = settings;
        if (previous.Hanging && !settings.Hanging)
        {
            var release = Interlocked.Exchange(ref hangRelease, new CancellationTokenSource());
            release.Cancel();
            release.Dispose();
        }
    }

    /// <summary>A down instance serves nothing: requests still reaching it on open connections are reset.</summary>
    private Task ServeAsync(HttpContext http)
    {
        if (faults.Stopped)
        {
            http.Abort();
            return Task.CompletedTask;
        }
        return RequestLog.RecordAsync(http, handler.HandleAsync);
    }

    public Task ClearFaultsAsync() => SetFaultsAsync(FaultSettings.None);

    /// <summary>A kubeconfig with this instance as its only (and current) context.</summary>
    public string Kubeconfig(string? contextName = null) => KubeconfigWriter.Write([(contextName ?? Name, this)]);

    /// <summary>
    /// Creates an object as a client's POST would (name, namespace, defaults, CRD schema), as the
    /// admin; throws <see cref="ApiStatusException"/> as the server would answer.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject CreateObject(System.Text.Json.Nodes.JsonObject obj) => handler.CreateDirect(obj);

    private int nextClusterIp = 10;

    internal string AllocateClusterIp()
    {
        var n = Interlocked.Increment(ref nextClusterIp);
        return $"10.96.{n / 250 % 250}.{n % 250 + 1}";
    }

    // Ports below Linux's ephemeral range (32768-60999 by default), where the kernel never picks the local port of
    // an outbound connection: a cluster a test stops can listen again on the port its kubeconfig names, which one of
    // the suite's thousands of client connections could otherwise hold by then. Each process starts at its own
    // random place in the range and skips ports in use.
    private const int FirstListenerPort = 20000;
    private const int ListenerPortCount = 12000;
    private static int nextListenerPort = Random.Shared.Next(ListenerPortCount);

    private async Task StartOnFreePortAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FirstListenerPort + (int)((uint)Interlocked.Increment(ref nextListenerPort) % ListenerPortCount);
            try
            {
                await StartListenerAsync(port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (IOException e) when (IsAddressInUse(e) && attempt < 100)
            {
            }
        }
    }

    // Another emulator of another test process may have taken the port meanwhile; only for a moment, usually.
    private async Task RestartListenerAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartListenerAsync(Port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (IOException e) when (IsAddressInUse(e) && attempt < 50)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
                return true;
        return false;
    }

    private async Task StartListenerAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(ServerCertificates.Server));
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var webApp = builder.Build();
        webApp.Run(ServeAsync);
        lock (lifecycleGate)
        {
            if (listenerStopping.IsCancellationRequested) listenerStopping = new CancellationTokenSource();
        }
        try
        {
            await webApp.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await webApp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var address = webApp.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        app = webApp;
    }

    private async Task StopListenerAsync()
    {
        var webApp = app;
        if (webApp is null) return;
        app = null;
        listenerStopping.Cancel();
        await webApp.StopAsync().ConfigureAwait(false);
        await webApp.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        List<IController> toStop;
        lock (lifecycleGate) toStop = controllers.ToList();
        foreach (var controller in toStop)
        {
            try { controller.Stop(); }
            catch (Exception e) { Console.Error.WriteLine($"emulator {Name}: controller {controller.Name} failed to stop: {e.Message}"); }
        }
        hangRelease.Cancel();
        Store.CloseAllWatches();
        await StopListenerAsync().ConfigureAwait(false);
    }

    internal static System.Text.Json.Nodes.JsonObject NamespaceObject(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = name,
            ["labels"] = new System.Text.Json.Nodes.JsonObject { ["kubernetes.io/metadata.name"] = name },
        },
        ["spec"] = new System.Text.Json.Nodes.JsonObject { ["finalizers"] = new System.Text.Json.Nodes.JsonArray("kubernetes") },
        ["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Active" },
    };

    public override string ToString() => $"{Name} ({(Port == 0 ? "not listening" : Server.ToString())})";
}

/// <summary>Accepts exactly one token.</summary>
public sealed class StaticTokenAuthenticator(string token, UserInfo user) : IAuthenticator
{
    private readonly byte[] expected = Encoding.UTF8.GetBytes(token);

    public UserInfo? Authenticate(string bearerToken) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(bearerToken), expected) ? user : null;
}
