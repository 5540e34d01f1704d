using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>Which machines a machine template is for.</summary>
public enum MachineRole
{
    ControlPlane,
    Worker,
}

/// <summary>
/// One Cluster API infrastructure provider: the kinds it serves and the provider-specific parts
/// of a cluster's manifests. Everything common (Cluster, KubeadmControlPlane, MachineDeployment,
/// KubeadmConfigTemplate) is built by <see cref="ClusterManifestRenderer"/>, so adding a provider
/// is one class registered in <see cref="ClusterProviderCatalog"/>.
/// </summary>
public interface IClusterProvider
{
    /// <summary>The name users give to -Provider (matched case-insensitively): AWS, Azure, Docker.</summary>
    string Name { get; }

    /// <summary>The provider's name for <c>clusterctl init --infrastructure NAME</c>.</summary>
    string ClusterctlName { get; }

    /// <summary>The infrastructure cluster kind (AWSCluster), in group infrastructure.cluster.x-k8s.io.</summary>
    string ClusterKind { get; }

    /// <summary>The machine template kind (AWSMachineTemplate), in group infrastructure.cluster.x-k8s.io.</summary>
    string MachineTemplateKind { get; }

    /// <summary>The infrastructure API versions this provider writes, newest first.</summary>
    IReadOnlyList<string> InfrastructureVersions { get; }

    /// <summary>Checks the provider's own parameters; throws <see cref="Errors.FleetInputException"/> naming the parameter.</summary>
    void Validate(FleetClusterSpec spec);

    /// <summary>The spec of the infrastructure cluster object, written for <paramref name="infrastructureVersion"/>.</summary>
    JsonObject ClusterSpec(FleetClusterSpec spec, string infrastructureVersion);

    /// <summary>The <c>spec.template.spec</c> of a machine template for <paramref name="role"/>.</summary>
    JsonObject MachineSpec(FleetClusterSpec spec, MachineRole role, string infrastructureVersion);

    /// <summary>Kubelet flags every node of this provider needs (cloud-provider=external, ...), in order.</summary>
    IReadOnlyList<KeyValuePair<string, string>> KubeletExtraArgs { get; }

    /// <summary>Controller manager flags this provider needs, in order.</summary>
    IReadOnlyList<KeyValuePair<string, string>> ControllerManagerExtraArgs { get; }

    /// <summary>The node name kubeadm registers (a cloud-init template), or null for kubeadm's default.</summary>
    string? NodeName { get; }
}
