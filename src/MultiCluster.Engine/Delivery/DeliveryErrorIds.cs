namespace MultiCluster.Engine.Delivery;

/// <summary>Stable error ids of the delivery cmdlets, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class DeliveryErrorIds
{
    /// <summary>The management cluster has no Argo CD namespace (Argo CD is not installed there, or in another namespace).</summary>
    public const string ArgoNamespaceNotFound = nameof(ArgoNamespaceNotFound);

    /// <summary>Applications still deploy to a cluster being unregistered (and -Force was not given).</summary>
    public const string ArgoClusterInUse = nameof(ArgoClusterInUse);

    /// <summary>The argocd-manager token Secret got no token in time.</summary>
    public const string TokenNotIssued = nameof(TokenNotIssued);

    /// <summary>A namespace of a namespaced registration does not exist in the cluster.</summary>
    public const string NamespaceNotFound = nameof(NamespaceNotFound);

    /// <summary>A template references a parameter that no generated element defines.</summary>
    public const string TemplateParameterUndefined = nameof(TemplateParameterUndefined);

    /// <summary>A -Parameter value names a cluster that is not one of the ApplicationSet's clusters.</summary>
    public const string ParameterClusterUnknown = nameof(ParameterClusterUnknown);

    /// <summary>A name that is not a valid Kubernetes object name, or a parameter name the generator cannot carry.</summary>
    public const string NameInvalid = nameof(NameInvalid);

    /// <summary>With -Wave, a cluster of the ApplicationSet is in no wave, so RollingSync would never sync it.</summary>
    public const string WaveIncomplete = nameof(WaveIncomplete);
}
