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

    /// <summary>Renders to -OutputPath, or applies to every selected cluster what ShouldProcess allows.</summary>
    protected void ApplyOrRender(IReadOnlyList<KubeObject> objects)
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        if (OutputPath is not null)
        {
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            foreach (var cluster in clusters)
                foreach (var manifest in ManifestWriter.Render(cluster.Name, objects, directory))
                    WriteObject(manifest);
            return;
        }
        var service = new BackupService(RunspaceSessions.Current.Connector);
        IReadOnlyList<FleetTarget> targets;
        try { targets = service.Plan(clusters, objects); }
        catch (Exception ex) { Terminate(ex); return; }
        var whatIf = IsWhatIf;
        var confirmed = whatIf ? targets : targets.Where(t => ShouldProcess(t.Description, "apply")).ToList();
        if (confirmed.Count == 0) return;
        var options = new ApplyOptions { WhatIf = whatIf, FanOut = FanOutSettings() };
        RunEngine(async cancel =>
        {
            await foreach (var result in service.ApplyAsync(confirmed, options, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
