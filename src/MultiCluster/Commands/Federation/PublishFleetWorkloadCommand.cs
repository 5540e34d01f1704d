using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>
/// Publishes workload templates to the clusters they are placed on, with per-cluster overrides;
/// renders them to files or Karmada policies instead when asked, and prunes unplaced clusters.
/// With -Wave, publishes one wave of clusters at a time and waits for each to be ready.
/// </summary>
[Cmdlet(VerbsData.Publish, "FleetWorkload", DefaultParameterSetName = PathSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class PublishFleetWorkloadCommand : WorkloadTemplateCmdlet
{
    /// <summary>Deletes the workload from clusters of the fleet it is no longer placed on.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Writes the rendered objects to files in this folder instead of sending them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>Clusters (default): publish to each cluster. Karmada: render the Karmada template and policies.</summary>
    [Parameter]
    [ValidateSet("Clusters", "Karmada")]
    public string As { get; set; } = "Clusters";

    /// <summary>
    /// Ordered groups of the placed clusters, one wave each: cluster names (wildcards; a string or
    /// an array) or a hashtable with Cluster, Selector, Region and Role.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Wave { get; set; }

    /// <summary>How long each wave may take to become ready.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int WaveTimeoutSeconds { get; set; } = 300;

    /// <summary>How long to wait after a wave is ready before checking it again and going on.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int BakeTimeSeconds { get; set; }

    /// <summary>Stop (default): leave the failed wave as it is. Rollback: restore what its clusters had before it, then stop.</summary>
    [Parameter]
    [ValidateSet("Stop", "Rollback")]
    public string OnFailure { get; set; } = "Stop";

    protected override void EndProcessing()
    {
        RefuseWaveOptionsWithoutWave();
        var plans = PlanWorkloads();
        if (As == "Karmada" || OutputPath is not null)
        {
            var directory = OutputPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            var manifests = As == "Karmada" ? WorkloadRenderer.RenderKarmada(plans, directory) : WorkloadRenderer.RenderClusters(plans, directory);
            foreach (var manifest in manifests) WriteObject(manifest);
            return;
        }
        var service = new WorkloadService(RunspaceSessions.Current.Connector);
        var whatIf = IsWhatIf;
        var fanOut = FanOutSettings();
        if (Wave is not null)
        {
            PublishInWaves(service, plans, whatIf, fanOut);
            if (Prune) PruneUnplaced(service, plans, whatIf, fanOut);
            return;
        }
        var targets = service.PlanPublish(plans);
        var confirmed = whatIf ? targets : targets.Where(t => ShouldProcess(t.Description, "publish")).ToList();
        if (confirmed.Count > 0)
        {
            var options = new ApplyOptions
            {
                WhatIf = whatIf,
                FanOut = fanOut,
                ConfirmReplace = description => OnPipelineAsync(() => ShouldProcess(description, "replace")),
            };
            RunEngine(async cancel =>
            {
                await foreach (var result in service.PublishAsync(confirmed, options, cancel).ConfigureAwait(false))
                {
                    Emit(result);
                    if (result.Error is { } error) EmitError(error);
                }
            });
        }
        if (Prune) PruneUnplaced(service, plans, whatIf, fanOut);
    }

    private void RefuseWaveOptionsWithoutWave()
    {
        var given = new[] { nameof(WaveTimeoutSeconds), nameof(BakeTimeSeconds), nameof(OnFailure) }.Where(MyInvocation.BoundParameters.ContainsKey).ToList();
        string? problem = null;
        if (Wave is null && given.Count > 0) problem = $"-{string.Join(", -", given)} {(given.Count == 1 ? "needs" : "need")} -Wave.";
        else if (Wave is not null && (OutputPath is not null || As == "Karmada")) problem = "-Wave publishes to clusters; it cannot be combined with -OutputPath or -As Karmada.";
        if (problem is not null)
        {
            Terminate(new FleetInputException(FederationErrorIds.WaveInvalid, FleetErrorCategory.InvalidArgument, "(waves)", problem,
                recommendedAction: "Give -Wave for a progressive rollout, or leave the wave parameters out."));
        }
    }

    // Every target of every wave is confirmed up front; a declined one is left out of its wave.
    private void PublishInWaves(WorkloadService service, IReadOnlyList<WorkloadPlan> plans, bool whatIf, FanOutOptions fanOut)
    {
        IReadOnlyList<WorkloadWave> waves;
        try { waves = WavePlanner.Split(plans, WaveReader.Read(Wave!.Select(PowerShellObjects.ToPlain).ToList())); }
        catch (Exception ex) { Terminate(ex); return; }
        if (!whatIf) waves = waves.Select(w => w.Keep(t => ShouldProcess(t.Description, $"publish (wave {w.Number})"))).OfType<WorkloadWave>().ToList();
        if (waves.Count == 0) return;
        var options = new WaveRolloutOptions
        {
            WaveTimeout = TimeSpan.FromSeconds(WaveTimeoutSeconds),
            BakeTime = TimeSpan.FromSeconds(BakeTimeSeconds),
            RollbackOnFailure = OnFailure == "Rollback",
            WhatIf = whatIf,
            FanOut = fanOut,
        };
        RunEngine(async cancel =>
        {
            await foreach (var result in new WaveRollout(service).RunAsync(waves, options, Log, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });

        // Each step of each wave on the information stream; under -WhatIf also as PowerShell's "What if:" line.
        void Log(string line) => OnPipeline(() =>
        {
            WriteInformation(line, ["MultiCluster", "Wave"]);
            if (whatIf) ShouldProcess(line, line, "Publish-FleetWorkload");
        });
    }

    private void PruneUnplaced(WorkloadService service, IReadOnlyList<WorkloadPlan> plans, bool whatIf, FanOutOptions fanOut)
    {
        var options = new DeleteOptions { WhatIf = whatIf, FanOut = fanOut };
        foreach (var plan in plans)
        {
            RunDelete("prune", whatIf, force: false,
                cancel => service.PlanPruneAsync(plan, options, cancel),
                (confirmed, cancel) => service.DeleteAsync(confirmed, options, cancel));
        }
    }
}
