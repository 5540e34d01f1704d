namespace MultiCluster;

/// <summary>How Join-FleetMesh renders Istio's install configuration (-Format).</summary>
public enum IstioConfigFormat
{
    /// <summary>IstioOperator resources for <c>istioctl install -f</c>.</summary>
    IstioOperator,

    /// <summary>Values files for the istiod and gateway Helm charts.</summary>
    Helm,
}
