using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MultiCluster.Testing.ApiServer;

internal sealed partial class ApiHandler
{
    private async Task DiscoveryAsync(HttpContext http, string path, string[] segments)
    {
        JsonNode? document = null;
        if (path == "/api") document = Discovery.ApiVersions(cluster.Port);
        else if (path == "/apis") document = Discovery.GroupList(cluster.Registry);
        else if (segments[0] == "api" && segments.Length == 2) document = Discovery.ResourceList(cluster.Registry, "", segments[1]);
        else if (segments[0] == "apis" && segments.Length == 2) document = Discovery.GroupDocument(cluster.Registry, segments[1]);
        else if (segments[0] == "apis" && segments.Length == 3) document = Discovery.ResourceList(cluster.Registry, segments[1], segments[2]);
        else if (path == "/openapi/v3") document = OpenApi.Index(cluster);
        else if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
            document = OpenApi.Document(cluster, path["/openapi/v3/".Length..]);
        if (document is null) throw ApiStatusException.PathNotFound();
        await WriteJsonAsync(http, 200, document).ConfigureAwait(false);
    }

    // ---- faults ------------------------------------------------------------------------------

    private async Task InjectFaultsAsync(HttpContext http)
    {
        var faults = cluster.Faults;
        if (faults.IsNone || !faults.AppliesTo(http.Request.Method)) return;
        if (faults.Hanging)
        {
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cluster.ListenerStopping, cluster.HangReleased);
            try
            {
                await Task.Delay(Timeout.Infinite, hang.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested && !cluster.ListenerStopping.IsCancellationRequested)
            {
                // Released: the hang was cleared, answer normally.
            }
        }
        var delay = faults.Latency;
        if (faults.LatencyJitter > TimeSpan.Zero) delay += TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * faults.LatencyJitter.Ticks));
        if (delay > TimeSpan.Zero)
        {
            using var slow = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cluster.ListenerStopping);
            await Task.Delay(delay, slow.Token).ConfigureAwait(false);
        }
        if (DrawFor(faults).Next(http.Request.Method, http.Request.Path.Value + http.Request.QueryString.Value) is { } code)
        {
            throw code == 429
                ? ApiStatusException.TooManyRequests(faults.RetryAfterSeconds)
                : ApiStatusException.Internal("injected fault");
        }
    }

    private FailureDraw? failureDraw;

    // One draw per settings in force, so a seeded run starts counting afresh whenever the faults change.
    private FailureDraw DrawFor(FaultSettings faults)
    {
        var current = Volatile.Read(ref failureDraw);
        if (current is not null && ReferenceEquals(current.Settings, faults)) return current;
        var fresh = new FailureDraw(faults);
        return Interlocked.CompareExchange(ref failureDraw, fresh, current) == current ? fresh : Volatile.Read(ref failureDraw)!;
    }

    // ---- admin -------------------------------------------------------------------------------

    private async Task AdminAsync(HttpContext http, string path)
    {
        var user = Authenticate(http);
        if (!user.Groups.Contains("system:masters"))
            throw new ApiStatusException(403, "Forbidden", $"forbidden: User \"{user.Name}\" cannot {http.Request.Method.ToLowerInvariant()} path \"{path}\"", new JsonObject());
        switch (http.Request.Method, path.TrimEnd('/'))
        {
            case ("GET", "/_emulator/state"):
                await WriteJsonAsync(http, 200, State()).ConfigureAwait(false);
                return;
            case ("POST", "/_emulator/faults"):
            {
                var body = await ReadOptionalObjectAsync(http).ConfigureAwait(false) ?? new JsonObject();
                var settings = FaultsFrom(body);
                var stopFor = body["stoppedForSeconds"] is JsonValue v && v.TryGetValue<double>(out var s) ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
                if (settings.Stopped || stopFor is not null)
                {
                    // Down before the answer leaves, so no request after it is served; the listener closes after.
                    var restartAfter = stopFor;
                    var stopping = await cluster.StopAfterAnsweringAsync(settings with { Stopped = true }, async () =>
                    {
                        await WriteJsonAsync(http, 202, FaultsJson(settings with { Stopped = true })).ConfigureAwait(false);
                        await http.Response.CompleteAsync().ConfigureAwait(false);
                    }).ConfigureAwait(false);
                    if (restartAfter is { } wait)
                    {
                        _ = Task.Run(async () =>
                        {
                            await stopping.ConfigureAwait(false);
                            await Task.Delay(wait).ConfigureAwait(false);
                            await cluster.SetFaultsAsync(settings with { Stopped = false }).ConfigureAwait(false);
                        });
                    }
                    return;
                }
                await cluster.SetFaultsAsync(settings).ConfigureAwait(false);
                await WriteJsonAsync(http, 200, FaultsJson(settings)).ConfigureAwait(false);
                return;
            }
            case ("GET", "/_emulator/requests"):
                await WriteJsonAsync(http, 200, new JsonObject
                {
                    ["items"] = new JsonArray(cluster.RequestLog.Requests.Select(r => (JsonNode?)new JsonObject
                    {
                        ["time"] = r.Finished.ToString("o", CultureInfo.InvariantCulture),
                        ["started"] = r.Started.ToString("o", CultureInfo.InvariantCulture),
                        ["method"] = r.Method,
                        ["path"] = r.Path + r.Query,
                        ["status"] = r.StatusCode,
                    }).ToArray()),
                }).ConfigureAwait(false);
                return;
            case ("POST", "/_emulator/clock"):
            {
                var body = await ReadOptionalObjectAsync(http).ConfigureAwait(false) ?? new JsonObject();
                var seconds = body["advanceSeconds"] is JsonValue v && v.TryGetValue<double>(out var s) ? s
                    : throw ApiStatusException.BadRequest("advanceSeconds (a number) is required");
                cluster.Clock.Advance(TimeSpan.FromSeconds(seconds));
                await WriteJsonAsync(http, 200, new JsonObject { ["now"] = cluster.Clock.UtcNow.ToString("o", CultureInfo.InvariantCulture) }).ConfigureAwait(false);
                return;
            }
            default:
                throw ApiStatusException.PathNotFound();
        }
    }

    /// <summary>Fault settings from the admin JSON: stopped, latencyMs, latencyJitterMs, failureRate, failureStatusCode, failureStatusCodes, seed, retryAfterSeconds, hanging, methods.</summary>
    internal static FaultSettings FaultsFrom(JsonObject body)
    {
        double Number(string name) => body[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : 0;
        bool Flag(string name) => body[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        var code = (int)Number("failureStatusCode");
        if (code is not (0 or 500 or 429)) throw ApiStatusException.BadRequest("failureStatusCode must be 500 or 429");
        var codes = body["failureStatusCodes"] is JsonArray list
            ? list.Select(c => c is JsonValue v && v.TryGetValue<int>(out var n) && n is 500 or 429 ? n
                : throw ApiStatusException.BadRequest("failureStatusCodes must hold only 500 and 429")).ToList()
            : null;
        var rate = Number("failureRate");
        if (rate is < 0 or > 1) throw ApiStatusException.BadRequest("failureRate must be between 0 and 1");
        return new FaultSettings
        {
            Stopped = Flag("stopped"),
            Latency = TimeSpan.FromMilliseconds(Number("latencyMs")),
            LatencyJitter = TimeSpan.FromMilliseconds(Number("latencyJitterMs")),
            FailureRate = rate,
            FailureStatusCode = code == 0 ? 500 : code,
            FailureStatusCodes = codes,
            Seed = body["seed"] is JsonValue seed && seed.TryGetValue<int>(out var s) ? s : null,
            RetryAfterSeconds = body["retryAfterSeconds"] is null ? 1 : (int)Number("retryAfterSeconds"),
            Hanging = Flag("hanging"),
            Methods = body["methods"] is JsonArray methods ? methods.Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList() : null,
        };
    }

    private static JsonObject FaultsJson(FaultSettings f) => new()
    {
        ["stopped"] = f.Stopped,
        ["latencyMs"] = f.Latency.TotalMilliseconds,
        ["latencyJitterMs"] = f.LatencyJitter.TotalMilliseconds,
        ["failureRate"] = f.FailureRate,
        ["failureStatusCode"] = f.FailureStatusCode,
        ["failureStatusCodes"] = f.FailureStatusCodes is null ? null : new JsonArray(f.FailureStatusCodes.Select(c => (JsonNode?)c).ToArray()),
        ["seed"] = f.Seed,
        ["retryAfterSeconds"] = f.RetryAfterSeconds,
        ["hanging"] = f.Hanging,
        ["methods"] = f.Methods is null ? null : new JsonArray(f.Methods.Select(m => (JsonNode?)m).ToArray()),
    };

    private JsonObject State()
    {
        var counts = new JsonObject();
        foreach (var type in cluster.Registry.All.OrderBy(t => t.QualifiedResource, StringComparer.Ordinal))
        {
            if (!type.Supports("list")) continue;
            var count = cluster.Store.List(type, null).Items.Count;
            if (count > 0) counts[type.QualifiedResource] = count;
        }
        return new JsonObject
        {
            ["name"] = cluster.Name,
            ["server"] = cluster.Server.ToString(),
            ["kubernetesVersion"] = cluster.KubernetesVersion,
            ["resourceVersion"] = cluster.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture),
            ["clock"] = cluster.Clock.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["faults"] = FaultsJson(cluster.Faults),
            ["objects"] = counts,
        };
    }
}
