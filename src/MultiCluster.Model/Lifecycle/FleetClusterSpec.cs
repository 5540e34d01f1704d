namespace MultiCluster;

/// <summary>The Cluster API version a manifest is written for.</summary>
public enum FleetClusterApiVersion
{
    /// <summary>Cluster API v1.10 and older (<c>cluster.x-k8s.io/v1beta1</c>).</summary>
    V1Beta1,

    /// <summary>Cluster API v1.11 and newer (<c>cluster.x-k8s.io/v1beta2</c>).</summary>
    V1Beta2,
}

/// <summary>
/// What New-FleetCluster asks for: a workload cluster to create with Cluster API. Defaults are the
/// ones clusterctl's templates use where they have one.
/// </summary>
public sealed class FleetClusterSpec
{
    /// <summary>The cluster name: a DNS-1123 label of at most 63 characters.</summary>
    public required string Name { get; init; }

    /// <summary>The infrastructure provider: AWS, Azure or Docker (case-insensitive).</summary>
    public required string Provider { get; init; }

    /// <summary>The cloud region (AWS region, Azure location); required by AWS and Azure.</summary>
    public string? Region { get; init; }

    /// <summary>The Kubernetes version, v1.x.y.</summary>
    public required string KubernetesVersion { get; init; }

    /// <summary>Control plane machines: 1, 3 or 5 (etcd needs an odd count for quorum).</summary>
    public int ControlPlaneReplicas { get; init; } = 1;

    public int WorkerReplicas { get; init; } = 2;

    /// <summary>Instance type or VM size of the control plane; the provider's default when null.</summary>
    public string? ControlPlaneMachineType { get; init; }

    /// <summary>Instance type or VM size of the workers; the provider's default when null.</summary>
    public string? WorkerMachineType { get; init; }

    public string PodCidr { get; init; } = "192.168.0.0/16";

    public string ServiceCidr { get; init; } = "10.96.0.0/12";

    /// <summary>AWS: the availability zones to spread subnets over (one public and one private subnet each).</summary>
    public IReadOnlyList<string> AvailabilityZones { get; init; } = Array.Empty<string>();

    /// <summary>AWS: the CIDR of the VPC the subnets are carved from.</summary>
    public string VpcCidr { get; init; } = "10.0.0.0/16";

    /// <summary>AWS: run a bastion host in the public subnets.</summary>
    public bool Bastion { get; init; }

    /// <summary>AWS: the EC2 key pair for the machines (and the bastion).</summary>
    public string? SshKeyName { get; init; }

    /// <summary>Labels of the Cluster object (ClusterResourceSets and placement select on them).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The namespace of the management cluster the objects live in.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Create a topology-based Cluster from this existing ClusterClass instead of the individual objects.</summary>
    public string? ClusterClass { get; init; }

    /// <summary>With <see cref="ClusterClass"/>: the worker class of the ClusterClass the machine deployment uses.</summary>
    public string WorkerClass { get; init; } = "default-worker";

    /// <summary>The Cluster API version to write for; null means the one the management cluster serves (or the newest when only rendering).</summary>
    public FleetClusterApiVersion? ApiVersion { get; init; }

    public override string ToString() => $"{Name} ({Provider}, {KubernetesVersion})";
}
