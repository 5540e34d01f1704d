using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Creates a workload cluster with Cluster API: renders the objects its provider needs (or a
/// topology Cluster from a ClusterClass) for the Cluster API version the management cluster
/// serves, applies them there and emits the cluster in phase Pending. -OutputPath renders them
/// to a file instead. Specs can be piped in (one cluster per record, by property name); every
/// one of them is checked before anything is created.
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetCluster), typeof(FleetManifest), typeof(FleetResourceResult))]
public sealed class NewFleetClusterCommand : FleetCmdlet
{
    /// <summary>The cluster name: a DNS-1123 label of at most 63 characters.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>The infrastructure provider: AWS, Azure or Docker.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterProviderCompleter))]
    public string Provider { get; set; } = "";

    /// <summary>The AWS region or Azure location; required for AWS and Azure.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    /// <summary>The Kubernetes version, v1.x.y.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string KubernetesVersion { get; set; } = "";

    /// <summary>Control plane machines: 1, 3 or 5.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int ControlPlaneReplicas { get; set; } = 1;

    /// <summary>Worker machines.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int WorkerReplicas { get; set; } = 2;

    /// <summary>Instance type or VM size of the control plane machines; the provider's default when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ControlPlaneMachineType { get; set; }

    /// <summary>Instance type or VM size of the worker machines; the provider's default when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? WorkerMachineType { get; set; }

    /// <summary>The pod network range; must not overlap the service range or another cluster's pods.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string PodCidr { get; set; } = "192.168.0.0/16";

    /// <summary>The service network range.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string ServiceCidr { get; set; } = "10.96.0.0/12";

    /// <summary>AWS: the availability zones to spread the public and private subnets over.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[] AvailabilityZone { get; set; } = [];

    /// <summary>AWS: the VPC's address range the subnets are carved from.</summary>
    [Parameter]
    public string VpcCidr { get; set; } = "10.0.0.0/16";

    /// <summary>AWS: runs a bastion host in the public subnets.</summary>
    [Parameter]
    public SwitchParameter Bastion { get; set; }

    /// <summary>AWS: the EC2 key pair of the machines.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? SshKeyName { get; set; }

    /// <summary>Labels of the Cluster object.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Hashtable? Labels { get; set; }

    /// <summary>The management cluster to create the cluster on; the fleet's cluster with role management when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? ManagementCluster { get; set; }

    /// <summary>The namespace of the management cluster the objects go to.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string Namespace { get; set; } = "default";

    /// <summary>Creates a topology-based Cluster from this existing ClusterClass instead of the individual objects.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ClusterClass { get; set; }

    /// <summary>With -ClusterClass: the ClusterClass's worker class the machine deployment uses.</summary>
    [Parameter]
    public string WorkerClass { get; set; } = "default-worker";

    /// <summary>Renders the objects to DIR/NAME.yaml and emits them as FleetManifest objects; nothing is sent to a cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>The Cluster API version to write (V1Beta2, V1Beta1); the one the management cluster serves, or the newest with -OutputPath, when omitted.</summary>
    [Parameter]
    public FleetClusterApiVersion? ApiVersion { get; set; }

    /// <summary>AWS: also writes CAPA's bootstrap credentials secret from the standard AWS credential chain.</summary>
    [Parameter]
    public SwitchParameter BootstrapCredentials { get; set; }

    /// <summary>With -BootstrapCredentials: the AWS profile to read; the standard chain's choice when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AwsProfile { get; set; }

    /// <summary>How many clusters to create at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = FanOutOptions.DefaultThrottleLimit;

    /// <summary>How long creating each cluster may take; 0 means no limit.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int TimeoutSeconds { get; set; }

    private readonly List<(FleetClusterSpec Spec, string? ManagementName)> _requests = new();

    protected override void ProcessRecord() => _requests.Add((BuildSpec(), ManagementCluster));

    protected override void EndProcessing()
    {
        var session = RunspaceSessions.Current;
        var creator = new ClusterCreator(session.Connector);
        var fleet = session.GetFleet().Clusters;
        IReadOnlyList<ClusterCreation> creations;
        try
        {
            creations = creator.Check(_requests, fleet, BootstrapCredentials, AwsProfile, renderOnly: OutputPath is not null);
            if (OutputPath is not null)
            {
                var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
                foreach (var manifest in creator.Render(_requests.Select(r => r.Spec), fleet, directory))
                    WriteObject(manifest);
                return;
            }
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            return;
        }

        var whatIf = IsWhatIf;
        var confirmed = creations
            .Where(c => ShouldProcess($"Cluster {c.Spec.Namespace}/{c.Spec.Name} ({c.Spec.Provider}, {c.Spec.KubernetesVersion}) on management cluster '{c.Management.Name}'", "create")
                        || whatIf)
            .ToList();
        if (confirmed.Count == 0) return;
        var fanOut = new FanOutOptions { ThrottleLimit = ThrottleLimit, TimeoutSeconds = TimeoutSeconds > 0 ? TimeoutSeconds : null };
        RunEngine(async cancel =>
        {
            await foreach (var outcome in creator.CreateAllAsync(confirmed, fleet, whatIf, fanOut, cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } failure)
                {
                    EmitError(failure);
                    continue;
                }
                foreach (var result in outcome.Value!.Results)
                {
                    if (whatIf) Emit(result);
                    else OnPipeline(() => WriteVerbose($"{result.Cluster}: {result.Kind} {result.Namespace}/{result.Name} {result.Action}"));
                    if (result.Error is { } error) EmitError(error);
                }
                if (outcome.Value.Created is { } created) Emit(created);
            }
        });
    }

    private FleetClusterSpec BuildSpec() => new()
    {
        Name = Name,
        Provider = Provider,
        Region = Region,
        KubernetesVersion = KubernetesVersion,
        ControlPlaneReplicas = ControlPlaneReplicas,
        WorkerReplicas = WorkerReplicas,
        ControlPlaneMachineType = ControlPlaneMachineType,
        WorkerMachineType = WorkerMachineType,
        PodCidr = PodCidr,
        ServiceCidr = ServiceCidr,
        AvailabilityZones = AvailabilityZone,
        VpcCidr = VpcCidr,
        Bastion = Bastion,
        SshKeyName = SshKeyName,
        Labels = ToLabels(Labels),
        Namespace = Namespace,
        ClusterClass = ClusterClass,
        WorkerClass = WorkerClass,
        ApiVersion = ApiVersion,
    };

    private static Dictionary<string, string> ToLabels(Hashtable? labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in labels ?? new Hashtable())
            result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] =
                Convert.ToString(entry.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return result;
    }
}
