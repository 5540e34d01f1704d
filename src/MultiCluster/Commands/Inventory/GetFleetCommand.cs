using System.Management.Automation;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Inventory;

/// <summary>Gets the session's fleet: the imported one, or the kubeconfig's contexts.</summary>
[Cmdlet(VerbsCommon.Get, "Fleet")]
[OutputType(typeof(Fleet))]
public sealed class GetFleetCommand : FleetCmdlet
{
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(RunspaceSessions.Current.GetFleet());
        }
        catch (Exception ex)
        {
            Terminate(ex);
        }
    }
}
