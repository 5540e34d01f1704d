namespace MultiCluster;

/// <summary>The role a cluster plays in the fleet.</summary>
public enum FleetClusterRole
{
    Workload,
    Management,
    Dr,
}

/// <summary>Network facts of a cluster, used by the mesh and by overlap checks.</summary>
public sealed class FleetClusterNetwork
{
    public string? PodCidr { get; init; }
    public string? ServiceCidr { get; init; }
    public int? ClusterId { get; init; }
    public string? MeshNetwork { get; init; }

    public override string ToString() =>
        string.Join(", ", new[] { PodCidr, ServiceCidr, ClusterId?.ToString(), MeshNetwork }.Where(s => !string.IsNullOrEmpty(s)));
}

/// <summary>
/// One cluster of the fleet: what the fleet file says of it. Binds down the pipeline by
/// <c>Name</c> (alias <c>ClusterName</c>) into every cmdlet that acts on clusters. A record, so
/// the lifecycle cmdlets hand on an updated copy (<c>cluster with { Phase = ... }</c>).
/// </summary>
public sealed record FleetCluster
{
    public required string Name { get; init; }

    /// <summary>
    /// Other names the cluster goes by (the name KubeFed joined it under, <c>kubefedctl join prod-use1</c>):
    /// placements, -Cluster and overrides that say one of them mean this cluster.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The kubeconfig context; the name when the fleet file gives none.</summary>
    public string Context { get; init; } = "";

    /// <summary>Path of the kubeconfig file holding the context; null means the session's kubeconfig.</summary>
    public string? Kubeconfig { get; init; }

    public string? Region { get; init; }
    public FleetClusterRole Role { get; init; } = FleetClusterRole.Workload;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public string? Provider { get; init; }
    public FleetClusterNetwork Network { get; init; } = new();
    public string? DrPeer { get; init; }

    /// <summary>Name of the fleet this cluster came from (null when the kubeconfig contexts are the fleet).</summary>
    public string? Fleet { get; init; }

    /// <summary>Kubernetes version the fleet file declares (reference-architecture <c>k8s_version</c>), if any.</summary>
    public string? KubernetesVersion { get; init; }

    /// <summary>What the cluster is for (reference-architecture <c>purpose</c>), if given.</summary>
    public string? Purpose { get; init; }

    /// <summary>Declared size (reference-architecture <c>size</c>, for example a node count), if given.</summary>
    public string? Size { get; init; }

    /// <summary>
    /// The Cluster API phase (Pending, Provisioning, Provisioned, Deleting, Failed) when the
    /// lifecycle cmdlets created or read the cluster; null for clusters known only from the fleet file.
    /// </summary>
    public string? Phase { get; init; }

    /// <summary>The management cluster whose Cluster API runs this cluster, when known.</summary>
    public string? ManagementCluster { get; init; }

    /// <summary>The namespace of this cluster's Cluster object on its management cluster, when known.</summary>
    public string? ClusterApiNamespace { get; init; }

    /// <summary>The labels as kubectl prints them: <c>env=prod,tier=gold</c> (a display column).</summary>
    public string LabelText => string.Join(",", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    /// <summary>The aliases as one comma-separated text, empty when there are none (a display column).</summary>
    public string AliasText => string.Join(",", Aliases);

    /// <summary>Same as <see cref="Name"/>; lets objects that carry ClusterName bind to -Cluster.</summary>
    public string ClusterName => Name;

    public override string ToString() => Name;
}
