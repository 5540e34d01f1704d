namespace MultiCluster;

/// <summary>One disaster-recovery readiness check of a primary and its standby, with what to do when it does not pass.</summary>
public sealed class FleetDrCheck
{
    /// <summary>The primary.</summary>
    public required string Cluster { get; init; }

    /// <summary>Its standby (the fleet's drPeer or -Standby); null when it has none.</summary>
    public string? Standby { get; init; }

    /// <summary>Reachable, VeleroInstalled, LocationAvailable, StandbySeesBackups, BackupAge, StorageClasses, WarmStandby.</summary>
    public required string Check { get; init; }

    /// <summary>Pass, Warn or Fail.</summary>
    public required string Status { get; init; }

    /// <summary>What was found.</summary>
    public required string Detail { get; init; }

    /// <summary>What to do; empty when it passes.</summary>
    public string Action { get; init; } = "";

    public override string ToString() => $"{Cluster}: {Check} {Status}";
}
