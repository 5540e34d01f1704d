using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Marks a Service global across a Cilium Cluster Mesh on the selected clusters, with the current
/// annotations or (-LegacyAnnotation) the older ones, and writes the Service as Cilium reads it back.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FleetGlobalService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetGlobalService))]
public sealed class SetFleetGlobalServiceCommand : FanOutCmdlet
{
    /// <summary>The Service, the same name in every cluster.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The Service's namespace.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "default";

    /// <summary>Which backends to prefer: local, remote or none (Cilium's default).</summary>
    [Parameter]
    [ValidateSet("local", "remote", "none")]
    public string Affinity { get; set; } = "none";

    /// <summary>Writes io.cilium/global-service and io.cilium/service-affinity instead of the service.cilium.io keys.</summary>
    [Parameter]
    public SwitchParameter LegacyAnnotation { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        try
        {
            CiliumGlobalServices.ValidateNames(Namespace, Name);
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var whatIf = IsWhatIf;
        var confirmed = whatIf ? clusters : clusters.Where(c => ShouldProcess(
            $"Cluster {c.Name}: mark Service {Namespace}/{Name} global (affinity {Affinity}{(LegacyAnnotation ? ", legacy annotations" : "")})", "Set-FleetGlobalService")).ToList();
        if (confirmed.Count == 0) return;
        var services = new CiliumGlobalServices(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            await foreach (var service in services.SetAsync(confirmed, Namespace, Name, Affinity.ToLowerInvariant(), LegacyAnnotation, whatIf, options, cancel).ConfigureAwait(false))
            {
                Emit(service);
                if (service.Error is { } error) EmitError(error);
            }
        });
    }
}
