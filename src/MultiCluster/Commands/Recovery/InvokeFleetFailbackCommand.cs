using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// Goes back after a failover once the primary is up again: backs up the standby now, restores
/// that backup over the primary, switches traffic back (only after the restore Completed) and
/// verifies, with the failover's steps, audit and resume. -From is the standby now serving,
/// -To the recovered primary.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "FleetFailback", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetFailoverResult))]
public sealed class InvokeFleetFailbackCommand : FailoverCmdlet
{
    /// <summary>The standby's ReadWrite backup storage location the failback's backup goes to; its default location when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StorageLocation { get; set; }

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
                $"-From and -To both name '{From}': a failback needs the standby (-From) and the recovered primary (-To)."));
        var traffic = TrafficSwitch(request.From, request.To);

        var service = new FailbackService(RunspaceSessions.Current.Connector);
        FleetFailoverResult? plan = null;
        RunEngine(async cancel => plan = await service.RunAsync(request, StorageLocation, traffic, whatIf: true, null, cancel).ConfigureAwait(false));
        if (plan is null) return;
        if (plan.Status == "AlreadyComplete" || IsWhatIf)
        {
            WriteObject(plan);
            return;
        }
        var action = $"back up {From} now, restore it over {To}" + (traffic is null ? "" : $" and switch {traffic.Description}");
        if (!ShouldProcess($"Cluster {From} -> {To}", action)) return;
        RunEngine(async cancel =>
        {
            var result = await service.RunAsync(request, StorageLocation, traffic, whatIf: false, new StepProgress(this), cancel).ConfigureAwait(false);
            Emit(result);
            if (result.Status == "Failed")
                EmitError(new FleetException(result.ErrorId!, FleetErrorCategory.InvalidOperation, To, result.Message!));
        });
    }

    /// <summary>Each step shown as progress on the pipeline thread.</summary>
    private sealed class StepProgress(InvokeFleetFailbackCommand cmdlet) : IProgress<string>
    {
        public void Report(string value) =>
            cmdlet.OnPipeline(() => cmdlet.WriteProgress(new ProgressRecord(1, $"Failback {cmdlet.From} -> {cmdlet.To}", value)));
    }
}
