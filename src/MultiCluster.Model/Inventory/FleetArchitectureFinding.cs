namespace MultiCluster;

public enum FleetFindingSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>One finding of the reference-architecture check (<c>Test-FleetArchitecture</c>).</summary>
public sealed class FleetArchitectureFinding
{
    /// <summary>Stable rule id, for example <c>DrPeerSameRegion</c>.</summary>
    public required string RuleId { get; init; }

    public FleetFindingSeverity Severity { get; init; }

    /// <summary>The object the finding is about: a cluster name, a region, or the fleet.</summary>
    public required string Target { get; init; }

    public required string Message { get; init; }

    /// <summary>What to change to resolve it.</summary>
    public string? Advice { get; init; }

    public override string ToString() => $"{Severity} {RuleId} {Target}: {Message}";
}
