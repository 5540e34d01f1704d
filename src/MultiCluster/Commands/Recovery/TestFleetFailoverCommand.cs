using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// A failover drill: restores the backup a failover would use into the standby under drill
/// namespaces (&lt;ns&gt;-drill-&lt;yyyyMMddHHmm&gt;), waits for the workloads, measures RPO and RTO,
/// and deletes the drill namespaces. Never touches the primary or traffic.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetFailover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetFailoverResult))]
public sealed class TestFleetFailoverCommand : FleetCmdlet
{
    /// <summary>The primary whose backup is drilled; a piped FleetCluster binds here.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string From { get; set; } = "";

    /// <summary>The standby the drill restores into.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string To { get; set; } = "";

    /// <summary>The namespaces to drill; all the backup names when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Namespace { get; set; } = [];

    /// <summary>The backup to drill; the newest Completed one the standby sees when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Backup { get; set; }

    /// <summary>Refuses a backup older than this.</summary>
    [Parameter]
    public TimeSpan MaxRpo { get; set; }

    /// <summary>The replicas a drilled workload kept at zero gets when it has no multicluster.io/standby-replicas annotation.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Replicas { get; set; }

    /// <summary>Leaves the drill namespaces in place for inspection.</summary>
    [Parameter]
    public SwitchParameter Keep { get; set; }

    /// <summary>How long the restored Deployments and StatefulSets may take to become available.</summary>
    [Parameter]
    public TimeSpan WorkloadTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The namespace Velero runs in.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string VeleroNamespace { get; set; } = "velero";

    protected override void EndProcessing()
    {
        FailoverRequest request;
        try
        {
            request = new FailoverRequest
            {
                From = FailoverCmdlet.One(From),
                To = FailoverCmdlet.One(To),
                Namespaces = Namespace,
                Backup = Backup,
                MaxRpo = MyInvocation.BoundParameters.ContainsKey(nameof(MaxRpo)) ? MaxRpo : null,
                VeleroNamespace = VeleroNamespace,
                Replicas = MyInvocation.BoundParameters.ContainsKey(nameof(Replicas)) ? Replicas : null,
                WorkloadTimeout = WorkloadTimeout,
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
                $"-From and -To both name '{From}': a drill restores the primary's backup into another cluster."));

        var service = new DrillService(RunspaceSessions.Current.Connector);
        FleetFailoverResult? plan = null;
        RunEngine(async cancel => plan = await service.RunAsync(request, Keep, whatIf: true, null, cancel).ConfigureAwait(false));
        if (plan is null) return;
        if (IsWhatIf)
        {
            WriteObject(plan);
            return;
        }
        if (!ShouldProcess($"Cluster {To}", $"drill: restore backup {plan.Backup} (RPO {plan.RpoText}) under drill namespaces{(Keep ? " and keep them" : ", then delete them")}")) return;
        RunEngine(async cancel =>
        {
            var result = await service.RunAsync(request, Keep, whatIf: false, new StepProgress(this), cancel).ConfigureAwait(false);
            Emit(result);
            if (result.Status == "Failed")
                EmitError(new FleetException(result.ErrorId!, FleetErrorCategory.InvalidOperation, To, result.Message!));
        });
    }

    /// <summary>Each step shown as progress on the pipeline thread.</summary>
    private sealed class StepProgress(TestFleetFailoverCommand cmdlet) : IProgress<string>
    {
        public void Report(string value) =>
            cmdlet.OnPipeline(() => cmdlet.WriteProgress(new ProgressRecord(1, $"Drill {cmdlet.From} -> {cmdlet.To}", value)));
    }
}
