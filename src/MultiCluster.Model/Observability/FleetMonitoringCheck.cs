namespace MultiCluster;

/// <summary>One check of the fleet's monitoring wiring for one cluster, with what to do when it does not pass.</summary>
public sealed class FleetMonitoringCheck
{
    /// <summary>The workload cluster (or, for an Extra target, the cluster name the config gives it).</summary>
    public required string Cluster { get; init; }

    /// <summary>Target (the cluster is in the config), Labels (its external labels are its own), Endpoint (it answers).</summary>
    public required string Check { get; init; }

    /// <summary>Pass, Warn or Fail.</summary>
    public required string Status { get; init; }

    /// <summary>Missing, Extra, Duplicate or Unreachable when the check does not pass; empty otherwise.</summary>
    public string Problem { get; init; } = "";

    /// <summary>The address the config gives the cluster (host:port), when it gives one.</summary>
    public string? Endpoint { get; init; }

    /// <summary>What was found.</summary>
    public required string Detail { get; init; }

    /// <summary>What to do; empty when it passes.</summary>
    public string Action { get; init; } = "";

    public override string ToString() => $"{Cluster}: {Check} {Status}";
}
