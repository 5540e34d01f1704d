using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Upgrades Cluster API clusters: the control plane first, waiting until Cluster API reports it
/// rolled, then each MachineDeployment in turn. A skipped minor version, a downgrade, or workers
/// left beyond the supported skew are refused before anything is touched. Clusters are upgraded
/// side by side within -ThrottleLimit; a failure is that cluster's error. More than one cluster
/// needs -MaxClusters.
/// </summary>
[Cmdlet(VerbsData.Update, "FleetCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetClusterUpgrade))]
public sealed class UpdateFleetClusterCommand : UpgradeCmdlet
{
    private readonly List<string> _names = new();

    /// <summary>Names of the Cluster objects to upgrade.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>The Kubernetes version to move to, for example v1.33.0.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string KubernetesVersion { get; set; } = "";

    /// <summary>How long one cluster's whole upgrade may take.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 3600;

    /// <summary>How often the control plane's and MachineDeployments' status is read.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int PollIntervalSeconds { get; set; } = 5;

    /// <summary>How many clusters to upgrade at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = FanOutOptions.DefaultThrottleLimit;

    /// <summary>How many clusters one call may upgrade; one unless raised on purpose.</summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int MaxClusters { get; set; } = ClusterCircuitBreaker.DefaultMaxClusters;

    /// <summary>Upgrades without asking for confirmation; the -MaxClusters limit still holds.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => _names.AddRange(Name);

    protected override void EndProcessing()
    {
        RequireKubernetesVersion(KubernetesVersion);
        // A cluster New-FleetCluster made is known to the fleet with its management cluster and
        // namespace; they are used unless -ManagementCluster or -Namespace say otherwise.
        var namespaceGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Namespace));
        var requests = _names.Distinct(StringComparer.Ordinal)
            .Select(name => new LifecycleRequest(name, ManagementCluster, namespaceGiven ? Namespace : null, null));
        IReadOnlyList<LifecycleTarget> targets;
        try
        {
            targets = LifecycleTarget.Resolve(RunspaceSessions.Current.GetFleet().Clusters, requests);
            ClusterCircuitBreaker.Check($"upgrade to {KubernetesVersion}", targets.Select(t => t.Name).ToList(), MaxClusters);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            return;
        }
        var action = $"Upgrade to {KubernetesVersion}";
        var confirmed = Force && !IsWhatIf ? targets : targets.Where(t => ShouldProcess($"cluster '{t.Name}' on '{t.Management.Name}'", action)).ToList();
        if (confirmed.Count == 0) return;
        var service = new ClusterLifecycleService(RunspaceSessions.Current);
        var settings = WaitSettings();
        var fanOut = new FanOutOptions { ThrottleLimit = ThrottleLimit };
        RunEngine(async cancel =>
        {
            await foreach (var outcome in service.UpgradeAsync(confirmed, KubernetesVersion, settings, fanOut, cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else Emit(outcome.Value);
            }
        });
    }

    /// <summary>The wait settings from -TimeoutSeconds and -PollIntervalSeconds.</summary>
    private ClusterUpgradeOptions WaitSettings() => new()
    {
        Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds),
    };
}
