namespace MultiCluster;

/// <summary>The mesh or cross-cluster network a fleet uses.</summary>
public enum FleetMeshProvider
{
    Istio,
    Cilium,
    Submariner,
}
