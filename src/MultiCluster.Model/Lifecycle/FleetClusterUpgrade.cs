namespace MultiCluster;

/// <summary>
/// One Cluster API cluster moved to a new Kubernetes version (Update-FleetCluster, and each
/// cluster of a rollout): the control plane rolled first, then each MachineDeployment.
/// </summary>
public sealed class FleetClusterUpgrade
{
    /// <summary>The Cluster object's name on the management cluster.</summary>
    public required string Cluster { get; init; }

    public required string ManagementCluster { get; init; }

    public string Namespace { get; init; } = "default";

    /// <summary>The control plane's version before the upgrade.</summary>
    public string? FromVersion { get; init; }

    public required string KubernetesVersion { get; init; }

    /// <summary>The KubeadmControlPlane, or null for a topology cluster whose control plane is not yet named.</summary>
    public string? ControlPlane { get; init; }

    /// <summary>The MachineDeployments rolled, in the order they were upgraded.</summary>
    public IReadOnlyList<string> MachineDeployments { get; init; } = Array.Empty<string>();

    /// <summary>True when the control plane and every MachineDeployment report the version on all their machines.</summary>
    public bool Rolled { get; init; }

    public TimeSpan Duration { get; init; }

    public override string ToString() => $"{Cluster}: {FromVersion} -> {KubernetesVersion}{(Rolled ? "" : " (not rolled)")}";
}
