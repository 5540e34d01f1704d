namespace MultiCluster.Engine.Lifecycle;

/// <summary>Stable error ids of the cluster lifecycle (kept beside the feature; the shared ones are in FleetErrorIds).</summary>
public static class LifecycleErrorIds
{
    public const string ClusterNameInvalid = nameof(ClusterNameInvalid);
    public const string KubernetesVersionInvalid = nameof(KubernetesVersionInvalid);
    public const string CidrInvalid = nameof(CidrInvalid);
    public const string CidrOverlap = nameof(CidrOverlap);
    public const string ControlPlaneReplicasInvalid = nameof(ControlPlaneReplicasInvalid);
    public const string WorkerReplicasInvalid = nameof(WorkerReplicasInvalid);
    public const string ProviderUnknown = nameof(ProviderUnknown);
    public const string ProviderParameterInvalid = nameof(ProviderParameterInvalid);
    public const string NamespaceInvalid = nameof(NamespaceInvalid);
    public const string ClusterClassInvalid = nameof(ClusterClassInvalid);
    public const string UpgradeNotAllowed = nameof(UpgradeNotAllowed);
    public const string ClusterApiProviderNotInstalled = nameof(ClusterApiProviderNotInstalled);
    public const string AwsCredentialsInvalid = nameof(AwsCredentialsInvalid);
    public const string UpgradePolicyInvalid = nameof(UpgradePolicyInvalid);
    public const string ClusterProvisioningFailed = nameof(ClusterProvisioningFailed);
    public const string LabelInvalid = nameof(LabelInvalid);
    public const string UpgradeTimedOut = nameof(UpgradeTimedOut);
    public const string UpgradeCheckFailed = nameof(UpgradeCheckFailed);
    public const string UpgradeRolloutExists = nameof(UpgradeRolloutExists);
    public const string UpgradeRolloutNotFound = nameof(UpgradeRolloutNotFound);
    public const string UpgradeRolloutInvalid = nameof(UpgradeRolloutInvalid);
    public const string KubeconfigPathRequired = nameof(KubeconfigPathRequired);
    public const string UpgradeVersionUnresolved = nameof(UpgradeVersionUnresolved);
}
