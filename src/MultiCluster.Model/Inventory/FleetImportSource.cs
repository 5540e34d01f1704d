namespace MultiCluster;

/// <summary>Where Import-Fleet -From discovers a fleet that already lives somewhere.</summary>
public enum FleetImportSource
{
    /// <summary>Cluster API Clusters on a management cluster, with their kubeconfig secrets.</summary>
    ClusterApi,

    /// <summary>KubeFedCluster objects of a KubeFed host cluster, with their token secrets.</summary>
    KubeFed,

    /// <summary>Argo CD's cluster secrets (label argocd.argoproj.io/secret-type=cluster).</summary>
    ArgoCD,

    /// <summary>Karmada's Cluster objects (cluster.karmada.io), with their secrets.</summary>
    Karmada,
}
