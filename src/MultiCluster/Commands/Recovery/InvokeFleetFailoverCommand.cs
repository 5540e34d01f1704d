using System.Management.Automation;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Traffic;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Recovery;

/// <summary>
/// Fails over from a primary cluster to its standby: restores the newest usable Velero backup in
/// the standby, waits for the workloads, switches DNS (Route 53) and verifies, each step timed.
/// Resumable: run again after an interruption, it continues where it stopped.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "FleetFailover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetFailoverResult))]
public sealed class InvokeFleetFailoverCommand : FleetCmdlet
{
    /// <summary>The primary cluster (the one that failed); a piped FleetCluster binds here.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string From { get; set; } = "";

    /// <summary>The standby cluster that takes over.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string To { get; set; } = "";

    /// <summary>The namespaces to restore; all the backup holds when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Namespace { get; set; } = [];

    /// <summary>The backup to restore; the newest Completed one the standby sees when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Backup { get; set; }

    /// <summary>Refuses a backup older than this.</summary>
    [Parameter]
    public TimeSpan MaxRpo { get; set; }

    /// <summary>How traffic moves: Route53 (an UPSERT of -RecordName to -Target, waited until INSYNC) or None.</summary>
    [Parameter]
    [ValidateSet("Route53", "None")]
    public string TrafficProvider { get; set; } = "None";

    /// <summary>The Route 53 hosted zone's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ZoneName { get; set; }

    /// <summary>The record that carries the service's traffic.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RecordName { get; set; }

    /// <summary>The record's type.</summary>
    [Parameter]
    [ValidateSet("A", "AAAA", "CNAME")]
    public string RecordType { get; set; } = "A";

    /// <summary>The record set's identifier when it belongs to a weighted, failover or geolocation group.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SetIdentifier { get; set; }

    /// <summary>The standby's address or name the record points to after the switch.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    /// <summary>The AWS profile for Route 53; the default credential chain when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AwsProfile { get; set; }

    /// <summary>The Route 53 endpoint (China, GovCloud, or a test double); the global one when omitted.</summary>
    [Parameter]
    public Uri? Route53Endpoint { get; set; }

    /// <summary>A URL that must answer with success after the switch.</summary>
    [Parameter]
    public Uri? HealthUrl { get; set; }

    /// <summary>Fails over even though the primary is healthy (a planned failover).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The replicas a warm standby's workload kept at zero gets when it has no multicluster.io/standby-replicas annotation.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Replicas { get; set; }

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
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        if (string.Equals(From, To, StringComparison.OrdinalIgnoreCase))
            Terminate(new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, From,
                $"-From and -To both name '{From}': a failover needs two clusters."));
        ITrafficSwitch? traffic = null;
        if (TrafficProvider == "Route53")
        {
            if (ZoneName is null || RecordName is null || Target is null)
                Terminate(new FleetInputException(RecoveryErrorIds.FailoverInputInvalid, FleetErrorCategory.InvalidArgument, "TrafficProvider",
                    "-TrafficProvider Route53 needs -ZoneName, -RecordName and -Target."));
            traffic = new Route53TrafficSwitch(new Route53Client(AwsProfile, Route53Endpoint), ZoneName!, RecordName!, RecordType, Target!, SetIdentifier);
        }

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

    /// <summary>The one cluster a -From or -To names.</summary>
    internal static FleetCluster One(string name)
    {
        var selected = RunspaceSessions.Current.Select(new ClusterPlacement { Names = [name] });
        if (selected.NotFound.Count > 0) throw selected.NotFound[0];
        if (selected.Clusters.Count != 1)
        {
            throw new FleetException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.InvalidArgument, name,
                $"'{name}' names {selected.Clusters.Count} clusters; a failover, failback or drill needs exactly one on each side.");
        }
        return selected.Clusters[0];
    }

    /// <summary>Each step shown as progress on the pipeline thread.</summary>
    private sealed class StepProgress(InvokeFleetFailoverCommand cmdlet) : IProgress<string>
    {
        public void Report(string value) =>
            cmdlet.OnPipeline(() => cmdlet.WriteProgress(new ProgressRecord(1, $"Failover {cmdlet.From} -> {cmdlet.To}", value)));
    }
}
