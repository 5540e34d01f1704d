using System.Management.Automation;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// What the upgrade cmdlets share: the management cluster running Cluster API (-ManagementCluster,
/// else the fleet's only cluster with role management), the namespace of the Cluster objects, and
/// the checks every upgrade cmdlet makes before it starts.
/// </summary>
public abstract class UpgradeCmdlet : FleetCmdlet
{
    /// <summary>The management cluster running Cluster API; the fleet's cluster with role management when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? ManagementCluster { get; set; }

    /// <summary>The namespace of the Cluster objects (and of the rollout checkpoints) on the management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "default";

    /// <summary>The management cluster named by -ManagementCluster (else <paramref name="known"/>) or the fleet's role; terminates when there is none or it is ambiguous.</summary>
    protected FleetCluster ResolveManagementCluster(string? known = null)
    {
        try
        {
            return ManagementClusters.Resolve(RunspaceSessions.Current.GetFleet().Clusters, ManagementCluster ?? known);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            throw; // not reached: Terminate throws
        }
    }

    /// <summary>Terminates unless <paramref name="version"/> is of the form v1.x.y.</summary>
    protected void RequireKubernetesVersion(string version)
    {
        if (ClusterSpecValidator.TryParseKubernetesVersion(version, out _)) return;
        Terminate(new FleetInputException(LifecycleErrorIds.KubernetesVersionInvalid, FleetErrorCategory.InvalidArgument, version,
            $"-KubernetesVersion '{version}' is not a Kubernetes version of the form v1.x.y, for example v1.32.3."));
    }
}
