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

    /// <summary>The MachineDeployments upgraded, in order (rolled, or with the OnDelete strategy set to roll as machines are deleted).</summary>
    public IReadOnlyList<string> MachineDeployments { get; init; } = Array.Empty<string>();

    /// <summary>True when the control plane and every MachineDeployment report the version on all their machines; false when OnDelete workers are still to be replaced.</summary>
    public bool Rolled { get; init; }

    public TimeSpan Duration { get; init; }

    public override string ToString() => $"{Cluster}: {FromVersion} -> {KubernetesVersion}{(Rolled ? "" : " (not rolled)")}";
}
