namespace MultiCluster.Engine.Mesh;

/// <summary>Stable error ids of the mesh cmdlets, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class MeshErrorIds
{
    /// <summary>A Cilium cluster id is outside 1-255 (1-511 with extended ids) or not a number.</summary>
    public const string ClusterIdInvalid = nameof(ClusterIdInvalid);

    /// <summary>Two members would get the same Cilium cluster id or name.</summary>
    public const string ClusterIdDuplicate = nameof(ClusterIdDuplicate);

    /// <summary>A cluster name Cilium or Istio would refuse.</summary>
    public const string ClusterNameInvalid = nameof(ClusterNameInvalid);

    /// <summary>The same cluster is given twice.</summary>
    public const string ClusterDuplicate = nameof(ClusterDuplicate);

    /// <summary>The mesh id asked for differs from the one a member already runs.</summary>
    public const string MeshIdMismatch = nameof(MeshIdMismatch);

    /// <summary>A mesh id that is not a valid label value.</summary>
    public const string MeshIdInvalid = nameof(MeshIdInvalid);

    /// <summary>A network name that is not a valid label value.</summary>
    public const string NetworkInvalid = nameof(NetworkInvalid);

    /// <summary>Members' pod or service ranges overlap where the provider cannot route them.</summary>
    public const string CidrOverlap = nameof(CidrOverlap);

    /// <summary>A remote secret or its token does not work (Test-FleetMesh, rotation).</summary>
    public const string MeshLinkBroken = nameof(MeshLinkBroken);

    /// <summary>No -Provider was given and the fleet names none.</summary>
    public const string ProviderMissing = nameof(ProviderMissing);

    /// <summary>A service or namespace name that is not a DNS label.</summary>
    public const string ServiceNameInvalid = nameof(ServiceNameInvalid);

    /// <summary>A Service MCS cannot export (ExternalName).</summary>
    public const string ServiceNotExportable = nameof(ServiceNotExportable);

    /// <summary>-Wait ended with members of the cluster set still lacking the ServiceImport.</summary>
    public const string ServiceImportMissing = nameof(ServiceImportMissing);

    /// <summary>A Cilium member holds another CA than the mesh's (kube-system/cilium-ca).</summary>
    public const string CiliumCaMismatch = nameof(CiliumCaMismatch);

    /// <summary>A Globalnet range, cluster size or recorded global CIDR that cannot be used.</summary>
    public const string GlobalnetInvalid = nameof(GlobalnetInvalid);

    /// <summary>The Globalnet range has no free block of the cluster size left.</summary>
    public const string GlobalnetExhausted = nameof(GlobalnetExhausted);

    /// <summary>A Submariner member has no node labelled submariner.io/gateway=true (and -LabelGatewayNode was not given).</summary>
    public const string GatewayNodeMissing = nameof(GatewayNodeMissing);

    /// <summary>No -BrokerCluster and not exactly one management cluster to run the Submariner broker.</summary>
    public const string BrokerClusterMissing = nameof(BrokerClusterMissing);

    /// <summary>A member does not serve Istio's kinds (networking.istio.io Gateway): Istio must be installed first.</summary>
    public const string IstioNotInstalled = nameof(IstioNotInstalled);

    /// <summary>A Submariner cluster id asked for differs from the one the cluster already runs.</summary>
    public const string ClusterIdMismatch = nameof(ClusterIdMismatch);
}
