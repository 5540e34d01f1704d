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
        var management = ResolveManagementCluster();
        var confirmed = _names.Distinct(StringComparer.Ordinal)
            .Where(name => ShouldProcess($"cluster '{name}' on '{management.Name}'", $"Upgrade to {KubernetesVersion}"))
            .ToList();
        if (confirmed.Count == 0) return;
        var operations = new ClusterOperations(Sessions.Current.Connector);
        var settings = WaitSettings();
        RunEngine(cancel => Task.WhenAll(confirmed.Select(async name =>
        {
            try
            {
                Emit(await operations.UpgradeAsync(management, Namespace, name, KubernetesVersion, settings, cancel).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                EmitError(ex);
            }
        })));
    }
}
