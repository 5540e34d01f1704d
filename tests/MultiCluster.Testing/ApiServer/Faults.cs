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
    /// <summary>Share of requests (0..1) answered with <see cref="FailureStatusCode"/>.</summary>
    public double FailureRate { get; init; }
    /// <summary>500 (InternalError) or 429 (TooManyRequests, with Retry-After).</summary>
    public int FailureStatusCode { get; init; } = 500;
    public int RetryAfterSeconds { get; init; } = 1;
    /// <summary>Requests are accepted and never answered until this is cleared or the instance stops.</summary>
    public bool Hanging { get; init; }
    /// <summary>HTTP methods the faults apply to (GET, DELETE ...); null means every request.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    public bool IsNone => this == None;

    /// <summary>True when the faults apply to a request with this method.</summary>
    public bool AppliesTo(string method) => Methods is null || Methods.Contains(method, StringComparer.OrdinalIgnoreCase);
}
