using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// Fails over from a primary cluster to its standby: restores the newest usable Velero backup in
/// the standby, waits for the workloads, switches DNS (Route 53) and verifies, each step timed.
/// Resumable: run again after an interruption, it continues where it stopped.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "FleetFailover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetFailoverResult))]
public sealed class InvokeFleetFailoverCommand : FailoverCmdlet
{
    /// <summary>The backup to restore; the newest Completed one the standby sees when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Backup { get; set; }

    /// <summary>Refuses a backup older than this.</summary>
    [Parameter]
    public TimeSpan MaxRpo { get; set; }

    /// <summary>Fails over even though the primary is healthy (a planned failover).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        FailoverRequest request;
        try
        {
            request = new FailoverRequest
            {
                From = One(From),
                To = One(To),
                Namespaces = Namespace,
                Backup = Backup,
                MaxRpo = MyInvocation.BoundParameters.ContainsKey(nameof(MaxRpo)) ? MaxRpo : null,
                Force = Force,
                VeleroNamespace = VeleroNamespace,
                HealthUrl = HealthUrl,
                Replicas = MyInvocation.BoundParameters.ContainsKey(nameof(Replicas)) ? Replicas : null,
            };
            request.Validate();
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        if (string.Equals(From, To, StringComparison.OrdinalIgnoreCase))
            Terminate(new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, From,
                $"-From and -To both name '{From}': a failover needs two clusters."));
        var traffic = TrafficSwitch(request.From, request.To);

        var service = new FailoverService(RunspaceSessions.Current.Connector);
        FleetFailoverResult? plan = null;
        RunEngine(async cancel => plan = await service.RunAsync(request, traffic, whatIf: true, null, cancel).ConfigureAwait(false));
        if (plan is null) return;
        if (plan.Status == "AlreadyComplete" || IsWhatIf)
        {
            WriteObject(plan);
            return;
        }
        var action = $"restore backup {plan.Backup} (RPO {plan.RpoText}) into {To}" + (traffic is null ? "" : $" and switch {traffic.Description}");
        if (!ShouldProcess($"Cluster {From} -> {To}", action)) return;
        RunEngine(async cancel =>
        {
            var result = await service.RunAsync(request, traffic, whatIf: false, new StepProgress(this), cancel).ConfigureAwait(false);
            Emit(result);
            if (result.Status == "Failed")
                EmitError(new FleetException(result.ErrorId!, FleetErrorCategory.InvalidOperation, To, result.Message!));
        });
    }

    /// <summary>Each step shown as progress on the pipeline thread.</summary>
    private sealed class StepProgress(InvokeFleetFailoverCommand cmdlet) : IProgress<string>
    {
        public void Report(string value) =>
            cmdlet.OnPipeline(() => cmdlet.WriteProgress(new ProgressRecord(1, $"Failover {cmdlet.From} -> {cmdlet.To}", value)));
    }
}
