using System.Management.Automation;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Deletes a cluster's Cluster object on its management cluster (Cluster API then deletes its
/// machines, control plane and infrastructure), with -Wait until it is gone, and removes the
/// cluster from the session's fleet.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FleetCluster", DefaultParameterSetName = InputSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetResourceResult))]
public sealed class RemoveFleetClusterCommand : LifecycleCmdlet
{
    /// <summary>Waits until Cluster API has deleted the cluster and its Cluster object is gone.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: how long to wait for each cluster.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 1800;

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        var confirmed = ResolveTargets()
            .Where(t => ShouldProcess($"Cluster {t.Namespace}/{t.Name} on management cluster '{t.Management.Name}' and all its machines", "delete"))
            .ToList();
        var operations = new ManagedClusterClient(RunspaceSessions.Current.Connector);
        var waiter = new ClusterWaiter(operations);
        var removed = new System.Collections.Concurrent.ConcurrentBag<string>();
        RunPerCluster(confirmed, async (target, cancel) =>
        {
            var existed = await operations.DeleteClusterAsync(target.Management, target.Namespace, target.Name, cancel).ConfigureAwait(false);
            if (existed && Wait)
                await waiter.WaitUntilGoneAsync(target.Management, target.Namespace, target.Name, TimeSpan.FromSeconds(TimeoutSeconds), cancel).ConfigureAwait(false);
            // A Cluster object that is not there leaves the fleet only if the fleet knew it as a
            // cluster of this management cluster: a wrong -Namespace must not drop a fleet member.
            if (existed || string.Equals(target.Known?.ManagementCluster, target.Management.Name, StringComparison.OrdinalIgnoreCase))
                removed.Add(target.Name);
            Emit(new FleetResourceResult
            {
                Cluster = target.Management.Name,
                ApiVersion = ClusterApiVersions.CoreGroup,
                Kind = "Cluster",
                Namespace = target.Namespace,
                Name = target.Name,
                Action = existed ? FleetResourceAction.Deleted : FleetResourceAction.NotFound,
                Message = existed ? (Wait ? "deleted with its machines" : "deletion started") : "no such Cluster",
            });
        });
        RunspaceSessions.Current.RemoveClusters(removed.ToList());
    }
}
