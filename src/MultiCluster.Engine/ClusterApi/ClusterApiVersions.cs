namespace MultiCluster.Engine.ClusterApi;

/// <summary>
/// The API versions a cluster's manifests are written for: the Cluster API core version (shared
/// by the cluster, bootstrap and control plane groups) and the provider's infrastructure version.
/// </summary>
public sealed record ClusterApiVersions(FleetClusterApiVersion Core, string Infrastructure)
{
    public const string CoreGroup = "cluster.x-k8s.io";
    public const string BootstrapGroup = "bootstrap.cluster.x-k8s.io";
    public const string ControlPlaneGroup = "controlplane.cluster.x-k8s.io";
    public const string InfrastructureGroup = "infrastructure.cluster.x-k8s.io";

    /// <summary>"v1beta1" or "v1beta2".</summary>
    public string CoreVersion => VersionName(Core);

    public string CoreApiVersion(string group) => $"{group}/{CoreVersion}";

    public string InfrastructureApiVersion => $"{InfrastructureGroup}/{Infrastructure}";

    public static string VersionName(FleetClusterApiVersion version) => version switch
    {
        FleetClusterApiVersion.V1Beta1 => "v1beta1",
        FleetClusterApiVersion.V1Beta2 => "v1beta2",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, null),
    };

    public override string ToString() => $"{CoreGroup}/{CoreVersion}, {InfrastructureApiVersion}";
}
