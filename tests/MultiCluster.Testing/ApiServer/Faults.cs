namespace MultiCluster.Testing.ApiServer;

/// <summary>Faults an instance injects, changeable while a test runs (<see cref="EmulatedCluster.SetFaultsAsync"/>).</summary>
public sealed record FaultSettings
{
    public static readonly FaultSettings None = new();

    /// <summary>Listener closed: clients get connection refused until cleared (same port again).</summary>
    public bool Stopped { get; init; }
    /// <summary>Added before every answer.</summary>
    public TimeSpan Latency { get; init; }
    /// <summary>A random extra delay between zero and this, on top of <see cref="Latency"/>.</summary>
    public TimeSpan LatencyJitter { get; init; }
    /// <summary>Share of requests (0..1) answered with <see cref="FailureStatusCode"/> (or one of <see cref="FailureStatusCodes"/>), before any processing.</summary>
    public double FailureRate { get; init; }
    /// <summary>500 (InternalError) or 429 (TooManyRequests, with Retry-After).</summary>
    public int FailureStatusCode { get; init; } = 500;
    /// <summary>A mix instead of <see cref="FailureStatusCode"/>: each failure takes one of these (500, 429) with equal chance.</summary>
    public IReadOnlyList<int>? FailureStatusCodes { get; init; }
    /// <summary>
    /// Makes the failures repeatable: whether the n-th request with a given method, path and query fails,
    /// and with which code, follows from the seed alone, whatever order concurrent requests arrive in.
    /// Null draws from a shared random source.
    /// </summary>
    public int? Seed { get; init; }
    public int RetryAfterSeconds { get; init; } = 1;
    /// <summary>Requests are accepted and never answered until this is cleared or the instance stops.</summary>
    public bool Hanging { get; init; }
    /// <summary>HTTP methods the faults apply to (GET, DELETE ...); null means every request.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    public bool IsNone => this == None;

    /// <summary>The codes an injected failure may take.</summary>
    public IReadOnlyList<int> FailureCodes => FailureStatusCodes is { Count: > 0 } codes ? codes : [FailureStatusCode];

    /// <summary>True when the faults apply to a request with this method.</summary>
    public bool AppliesTo(string method) => Methods is null || Methods.Contains(method, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Decides which requests fail under one <see cref="FaultSettings"/>: by the settings' seed (the n-th
/// request with the same method, path and query always draws the same), or at random without one.
/// </summary>
internal sealed class FailureDraw(FaultSettings settings)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);

    public FaultSettings Settings => settings;

    /// <summary>The status code to fail this request with before it is processed, or null to serve it.</summary>
    public int? Next(string method, string pathAndQuery)
    {
        if (settings.FailureRate <= 0) return null;
        double roll, pick;
        if (settings.Seed is { } seed)
        {
            var key = method + " " + pathAndQuery;
            var n = _seen.AddOrUpdate(key, 1, (_, count) => count + 1);
            roll = Unit(Hash($"{seed}|fail|{n}|{key}"));
            pick = Unit(Hash($"{seed}|code|{n}|{key}"));
        }
        else
        {
            roll = Random.Shared.NextDouble();
            pick = Random.Shared.NextDouble();
        }
        if (roll >= settings.FailureRate) return null;
        var codes = settings.FailureCodes;
        return codes[Math.Min((int)(pick * codes.Count), codes.Count - 1)];
    }

    // FNV-1a, then SplitMix64's finaliser so every bit depends on every input byte.
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }

    private static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));
}
