using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// What the cmdlets that put Velero objects on clusters share: the Velero namespace, and the
/// flow that renders (-OutputPath) or confirms and applies per cluster and object.
/// </summary>
public abstract class VeleroApplyCmdlet : FanOutCmdlet
{
    /// <summary>The namespace Velero runs in.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string VeleroNamespace { get; set; } = "velero";

    /// <summary>Writes the manifests to this folder, one file per cluster, instead of applying them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    /// <summary>
    /// Renders to -OutputPath, or applies to every selected cluster what ShouldProcess allows. Velero
    /// objects are the module's alone, so a conflict with another field manager is overridden.
    /// </summary>
    protected void ApplyOrRender(IReadOnlyList<KubeObject> objects)
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        ApplyOrRender(clusters, objects, OutputPath, forceConflicts: true);
    }
}
