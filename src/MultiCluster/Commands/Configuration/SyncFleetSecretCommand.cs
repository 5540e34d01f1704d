using System.Management.Automation;
using MultiCluster.Engine.Configuration;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Configuration;

/// <summary>
/// Copies Secrets (or ConfigMaps) to the selected clusters with server-side apply, each copy
/// carrying a content-hash annotation, its source and the module's labels; reports per cluster
/// Created, Configured or Unchanged. -Prune removes this sync's copies the source no longer has;
/// -RolloutRestart restarts the Deployments that use a copy whose content changed, wave by wave.
/// Values never appear in output, errors, verbose, debug or -WhatIf text: keys do.
/// </summary>
[Cmdlet(VerbsData.Sync, "FleetSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetSecretSyncResult), typeof(FleetResourceResult))]
public sealed class SyncFleetSecretCommand : SecretSourceCmdlet
{
    /// <summary>Removes this sync's copies (managed-by label and synced-by marker) that the source no longer has.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Prunes without asking. It raises no limit: -MaxClusters and -MaxObjects do.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>How many clusters -Prune may remove copies from (default 1); given explicitly, it also lifts the half-the-fleet limit.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxClusters { get; set; } = 1;

    /// <summary>How many copies -Prune may remove from one cluster (default 10); given explicitly, it also allows removing every object of the kind in the namespace.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxObjects { get; set; } = DeleteOptions.DefaultMaxObjects;

    /// <summary>Restarts the Deployments that mount or read a copy whose content changed, as kubectl rollout restart does.</summary>
    [Parameter]
    public SwitchParameter RolloutRestart { get; set; }

    /// <summary>
    /// Ordered groups of the target clusters, one wave each: cluster names (wildcards; a string or
    /// an array) or a hashtable with Cluster, Selector, Region and Role. Each wave is synced (and
    /// its restarted Deployments awaited) before the next.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Wave { get; set; }

    /// <summary>How long each wave's restarted Deployments may take to become ready.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int WaveTimeoutSeconds { get; set; } = 300;

    protected override void EndProcessing()
    {
        var source = ReadSource();
        var clusters = SelectClusters();
        if (clusters.Count == 0 || source.Objects.Count == 0) return;
        var targets = SecretSyncService.Plan(clusters, source);
        if (targets.Count == 0)
        {
            WriteWarning($"Nothing to sync: the only selected cluster, '{source.SkippedCluster}', holds the source.");
            return;
        }
        IReadOnlyList<IReadOnlyList<FleetCluster>> waves = [];
        if (Wave is not null)
        {
            try
            {
                var placements = WaveReader.Read(Wave.Select(PowerShellObjects.ToPlain).ToList());
                waves = SecretSyncService.SplitWaves(targets.Select(t => t.Cluster).DistinctBy(c => c.Name).ToList(), placements);
            }
            catch (Exception ex)
            {
                Terminate(ex);
            }
        }

        var whatIf = IsWhatIf;
        // Asked under -WhatIf as well: its "What if:" line names cluster, namespace and keys.
        var confirmed = targets.Where(t => ShouldProcess(t.Description, "sync")).ToList();
        if (whatIf) confirmed = targets.ToList();
        var service = new SecretSyncService(RunspaceSessions.Current.Connector);
        if (confirmed.Count > 0)
        {
            var options = new SecretSyncOptions
            {
                WhatIf = whatIf,
                RolloutRestart = RolloutRestart,
                Waves = waves,
                WaveTimeout = TimeSpan.FromSeconds(WaveTimeoutSeconds),
                FanOut = FanOutSettings(),
            };
            RunEngine(async cancel =>
            {
                await foreach (var result in service.SyncAsync(confirmed, options, cancel).ConfigureAwait(false))
                {
                    Emit(result);
                    if (result.Error is { } error) EmitError(error);
                }
            });
        }
        if (!Prune) return;
        var pruneOptions = DeleteSettings(whatIf, MaxClusters, MaxObjects);
        RunDelete("prune", whatIf, Force,
            cancel => service.PlanPruneAsync(clusters, source, Kind, Namespace ?? SourceNamespace, pruneOptions, cancel),
            (pruned, cancel) => service.PruneAsync(pruned, pruneOptions, cancel));
    }
}
