namespace MultiCluster.Engine.ClusterApi;

/// <summary>Stable error ids of what every capability meets when it talks to Cluster API.</summary>
public static class ClusterApiErrorIds
{
    /// <summary>The management cluster serves no (or not the requested) Cluster API version, or lacks the kubeadm providers.</summary>
    public const string ClusterApiNotInstalled = nameof(ClusterApiNotInstalled);

    /// <summary>No management cluster is named and the fleet has none, or several, with role management.</summary>
    public const string ManagementClusterNotFound = nameof(ManagementClusterNotFound);
}
