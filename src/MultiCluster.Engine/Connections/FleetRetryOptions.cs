namespace MultiCluster.Engine.Connections;

/// <summary>How API calls are retried on 429, 5xx and dropped connections.</summary>
public sealed class FleetRetryOptions
{
    /// <summary>Attempts in all, the first included (1 turns retries off).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Delay before the first retry; doubled at each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between two attempts, a server's Retry-After included.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public bool UseJitter { get; init; } = true;

    public static FleetRetryOptions Default { get; } = new();
}
