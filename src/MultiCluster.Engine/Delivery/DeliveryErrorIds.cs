namespace MultiCluster.Engine.Delivery;

/// <summary>Stable error ids of the delivery cmdlets, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class DeliveryErrorIds
{
    /// <summary>The management cluster has no Argo CD namespace (Argo CD is not installed there, or in another namespace).</summary>
    public const string ArgoNamespaceNotFound = nameof(ArgoNamespaceNotFound);

    /// <summary>No -ManagementCluster was given and the fleet has no single cluster with role management.</summary>
    public const string ManagementClusterNotFound = nameof(ManagementClusterNotFound);

    /// <summary>Applications still deploy to a cluster being unregistered (and -Force was not given).</summary>
    public const string ArgoClusterInUse = nameof(ArgoClusterInUse);

    /// <summary>The argocd-manager token Secret got no token in time.</summary>
    public const string TokenNotIssued = nameof(TokenNotIssued);

    /// <summary>A namespace of a namespaced registration does not exist in the cluster.</summary>
    public const string NamespaceNotFound = nameof(NamespaceNotFound);
}
