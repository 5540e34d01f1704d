using System.Management.Automation;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Upgrades Cluster API clusters: the control plane first, waiting until Cluster API reports it
/// rolled, then each MachineDeployment in turn. A skipped minor version, a downgrade, or workers
/// left beyond the supported skew are refused before anything is touched. Clusters are upgraded
/// side by side; a failure is that cluster's error.
/// </summary>
[Cmdlet(VerbsData.Update, "FleetCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetClusterUpgrade))]
public sealed class UpdateFleetClusterCommand : RollingUpgradeCmdlet
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

    protected override void ProcessRecord() => _names.AddRange(Name);

    protected override void EndProcessing()
    {
        RequireKubernetesVersion(KubernetesVersion);
        // A cluster New-FleetCluster made is known to the fleet with its management cluster and
        // namespace; they are used unless -ManagementCluster or -Namespace say otherwise.
        var fleet = RunspaceSessions.Current.GetFleet().Clusters;
        var namespaceGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Namespace));
        var targets = _names.Distinct(StringComparer.Ordinal).Select(name =>
        {
            var known = fleet.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            return (Name: name, Management: ResolveManagementCluster(known?.ManagementCluster),
                Namespace: namespaceGiven ? Namespace : known?.ClusterApiNamespace ?? Namespace);
        }).ToList();
        var confirmed = targets
            .Where(t => ShouldProcess($"cluster '{t.Name}' on '{t.Management.Name}'", $"Upgrade to {KubernetesVersion}"))
            .ToList();
        if (confirmed.Count == 0) return;
        var operations = new ManagedClusterClient(RunspaceSessions.Current.Connector);
        var settings = WaitSettings();
        RunEngine(cancel => Task.WhenAll(confirmed.Select(async target =>
        {
            try
            {
                Emit(await operations.UpgradeAsync(target.Management, target.Namespace, target.Name, KubernetesVersion, settings, cancel).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                EmitError(ex);
            }
        })));
    }
}
