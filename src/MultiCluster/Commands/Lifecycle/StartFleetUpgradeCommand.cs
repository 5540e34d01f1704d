using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Runs an upgrade plan wave by wave: for each cluster the pre-checks, the upgrade (control plane,
/// then workers), the post-checks; stops at the first failing wave and says which cluster and
/// check failed. Asks before each wave (ConfirmImpact High) and always before a manual-approval
/// wave; a refused manual wave is skipped and recorded. Progress is checkpointed in a ConfigMap on
/// the management cluster, so -Resume continues a run that was cut off without redoing anything.
/// -WhatIf returns the waves still to run and changes nothing.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "FleetUpgrade", DefaultParameterSetName = ResumeSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetUpgradeStatus), typeof(FleetUpgradeWave))]
public sealed class StartFleetUpgradeCommand : UpgradeCmdlet
{
    private const string PolicySet = "Policy";
    private const string PlanSet = "Plan";
    private const string ResumeSet = "Resume";
    private readonly List<FleetUpgradeWave> _plan = new();

    /// <summary>Path of the upgrade policy (YAML, or a ConfigMap with a policy.yaml key).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PolicySet)]
    [ValidateNotNullOrEmpty]
    public string Policy { get; set; } = "";

    /// <summary>The Kubernetes version to upgrade to, for example v1.33.0; optional when every wave's track chooses one.</summary>
    [Parameter(ParameterSetName = PolicySet)]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersion { get; set; }

    /// <summary>The waves to run, from Get-FleetUpgradePlan.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet)]
    [ValidateNotNull]
    public FleetUpgradeWave[] Plan { get; set; } = [];

    /// <summary>The rollout's id; its checkpoint is the ConfigMap fleet-upgrade-ID. Defaults to the version with dots as dashes (v1-33-0).</summary>
    [Parameter(ParameterSetName = PolicySet)]
    [Parameter(ParameterSetName = PlanSet)]
    [Parameter(Mandatory = true, ParameterSetName = ResumeSet)]
    [ValidateNotNullOrEmpty]
    public string? RolloutId { get; set; }

    /// <summary>Continue the checkpointed rollout: waves and clusters that succeeded are skipped, the plan is the one recorded.</summary>
    [Parameter(ParameterSetName = PolicySet)]
    [Parameter(ParameterSetName = PlanSet)]
    [Parameter(Mandatory = true, ParameterSetName = ResumeSet)]
    public SwitchParameter Resume { get; set; }

    /// <summary>Checks the policy names, as name = script block; each gets the cluster and the wave, and fails by throwing or returning $false.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable Check { get; set; } = new();

    /// <summary>
    /// Manual-approval waves approved in advance, by name (wildcards allowed): what a runbook passes
    /// once a person has approved the change elsewhere, since it has no one to ask.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ApproveWave { get; set; } = [];

    /// <summary>Runs waves whose maintenance window is closed instead of stopping before them.</summary>
    [Parameter]
    public SwitchParameter IgnoreSchedule { get; set; }

    /// <summary>How long one cluster's whole upgrade may take.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 3600;

    /// <summary>How often the control plane's and MachineDeployments' status is read.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int PollIntervalSeconds { get; set; } = 5;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PlanSet) _plan.AddRange(Plan);
    }

    protected override void EndProcessing()
    {
        var session = RunspaceSessions.Current;
        IReadOnlyList<FleetUpgradeWave>? plan = null;
        UpgradePlan? planned = null;
        if (ParameterSetName == PolicySet)
        {
            if (KubernetesVersion is not null) RequireKubernetesVersion(KubernetesVersion);
            UpgradePolicy policy;
            try
            {
                policy = UpgradePolicy.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Policy));
            }
            catch (Exception ex)
            {
                Terminate(ex);
                return;
            }
            RunEngine(async cancel => planned = await new UpgradePlanReader(session.Connector).PlanAsync(policy, session.GetFleet().Clusters,
                KubernetesVersion, ManagementCluster, Namespace, DateTimeOffset.UtcNow, cancel).ConfigureAwait(false));
            if (planned is null) return;
        }
        string rolloutId;
        try
        {
            if (planned is not null)
                plan = UpgradeStart.PlanFromWaves(planned.Waves);
            else if (ParameterSetName == PlanSet)
                plan = UpgradeStart.PlanFromWaves(_plan);
            rolloutId = RolloutId ?? UpgradeStart.DefaultRolloutId(plan);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }

        var whatIf = IsWhatIf;
        var options = new UpgradeRolloutOptions
        {
            ManagementCluster = ResolveManagementCluster(),
            Namespace = Namespace,
            RolloutId = rolloutId,
            Resume = Resume,
            Checks = ScriptChecks(),
            IgnoreSchedule = IgnoreSchedule,
            Upgrade = WaitSettings(),
            Approve = (wave, _) => OnPipelineAsync(() => Approve(wave)),
            Proceed = (wave, _) => OnPipelineAsync(() => ShouldProcess(WaveTarget(wave), $"Upgrade to {wave.KubernetesVersion}")),
        };
        UpgradeStartResult? result = null;
        RunEngine(async cancel => result = await new UpgradeStart(session.Connector).RunAsync(plan, session.GetFleet().Clusters, options, whatIf, cancel)
            .ConfigureAwait(false));
        if (result is null) return;

        // -WhatIf: the plan still to run, as objects and as what-if lines.
        foreach (var pending in result.Pending)
        {
            WriteObject(pending.Wave);
            foreach (var cluster in pending.Clusters)
                ShouldProcess($"cluster '{cluster}' (wave {pending.Wave.Order} '{pending.Wave.Name}', {Describe(pending.Wave)})", $"Upgrade to {pending.Wave.KubernetesVersion}");
        }
        if (result.Status is { } status) WriteObject(status);
        if (result.Failure is { } failure) WriteError(ErrorRecords.From(failure));
    }

    private static string WaveTarget(FleetUpgradeWave wave) =>
        $"wave {wave.Order} '{wave.Name}': {(wave.Clusters.Count == 0 ? "no clusters" : string.Join(", ", wave.Clusters))}";

    private static string Describe(FleetUpgradeWave wave)
    {
        var parts = new List<string> { $"{wave.Approval} approval", $"at most {wave.MaxUnavailable} at once" };
        if (wave.WindowStart is { } start) parts.Add($"window {start:u} for {wave.Window}");
        if (wave.PreChecks.Count > 0) parts.Add($"pre-checks {string.Join(", ", wave.PreChecks)}");
        if (wave.PostChecks.Count > 0) parts.Add($"post-checks {string.Join(", ", wave.PostChecks)}");
        return string.Join("; ", parts);
    }

    /// <summary>A manual wave asks even with -Confirm:$false unless -ApproveWave names it; a host that cannot ask counts as a refusal.</summary>
    private bool Approve(FleetUpgradeWave wave)
    {
        if (ApproveWave.Any(pattern => WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase).IsMatch(wave.Name)))
        {
            WriteVerbose($"Wave '{wave.Name}' needs manual approval: approved in advance with -ApproveWave.");
            return true;
        }
        try
        {
            return ShouldContinue($"Upgrade {WaveTarget(wave)} to {wave.KubernetesVersion}? The policy wants a person to approve this wave.",
                $"Approve wave '{wave.Name}'");
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or System.Management.Automation.Host.HostException or NotImplementedException)
        {
            WriteWarning($"Wave '{wave.Name}' needs manual approval and this host cannot ask ({ex.Message}).");
            return false;
        }
    }

    /// <summary>-Check as engine checks: each script block runs on the pipeline thread with the cluster and the wave.</summary>
    private IReadOnlyDictionary<string, UpgradeCheck> ScriptChecks()
    {
        var checks = new Dictionary<string, UpgradeCheck>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in Check)
        {
            var name = entry.Key?.ToString() ?? "";
            if ((entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value) is not ScriptBlock block)
            {
                Terminate(new FleetInputException(LifecycleErrorIds.UpgradeCheckFailed, FleetErrorCategory.InvalidArgument, name,
                    $"-Check '{name}' is not a script block; give @{{ '{name}' = {{ param($Cluster, $Wave) ... }} }}."));
                continue; // not reached: Terminate throws
            }
            checks[name] = (context, cancel) => RunCheckAsync(block, context, cancel);
        }
        return checks;
    }

    /// <summary>Null when a check's output says it passed: its last value is $true, or has a Passed or Success property that is $true.</summary>
    private static string? CheckVerdict(IReadOnlyList<PSObject?> output)
    {
        if (output.Count == 0 || output[^1] is null) return "the script block returned nothing; a check passes only by returning $true";
        var last = output[^1]!;
        if (last.BaseObject is bool verdict) return verdict ? null : "the script block returned $false";
        foreach (var name in new[] { "Passed", "Success" })
        {
            if (last.Properties[name]?.Value is { } value)
                return LanguagePrimitives.IsTrue(value) && value is bool or PSObject { BaseObject: bool } ? null : $"the script block's result has {name} = {value}";
        }
        return $"the script block returned '{last}', not $true";
    }

    private async Task<string?> RunCheckAsync(ScriptBlock block, UpgradeCheckContext context, CancellationToken cancel)
    {
        try
        {
            return await OnPipelineAsync(() =>
            {
                // Fail closed: any error the block writes stops it (and fails the check), and only
                // an explicit $true, or an object whose Passed/Success is $true, passes.
                var stopOnError = new List<PSVariable> { new("ErrorActionPreference", ActionPreference.Stop) };
                var output = block.InvokeWithContext(null, stopOnError, (object?)context.FleetCluster ?? context.Cluster, context.Wave);
                return CheckVerdict(output);
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PipelineStoppedException || cancel.IsCancellationRequested)
        {
            // Ctrl+C while the script block ran: the rollout records where it stopped.
            throw new OperationCanceledException(cancel);
        }
        catch (RuntimeException ex)
        {
            return ex.InnerException is { } inner && ex is MethodInvocationException ? inner.Message : ex.Message;
        }
    }

    /// <summary>The wait settings from -TimeoutSeconds and -PollIntervalSeconds.</summary>
    private ClusterUpgradeOptions WaitSettings() => new()
    {
        Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds),
    };
}
