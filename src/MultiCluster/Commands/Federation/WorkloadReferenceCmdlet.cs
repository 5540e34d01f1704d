using System.Management.Automation;
using MultiCluster.Engine.Federation;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Federation;

/// <summary>What the cmdlets that name a published workload share: its name, kind, apiVersion and namespace.</summary>
public abstract class WorkloadReferenceCmdlet : FanOutCmdlet
{
    /// <summary>The workload's name (the name of its template object).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The kind of the template object.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Kind { get; set; } = "Deployment";

    /// <summary>The apiVersion; known for the built-in workload kinds.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiVersion { get; set; }

    /// <summary>The namespace; the context's namespace when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    /// <summary>The workload the parameters name; terminates on a kind whose apiVersion is not known.</summary>
    protected WorkloadReference ResolveWorkload()
    {
        try { return WorkloadReference.Named(ApiVersion, Kind, Namespace, Name); }
        catch (Exception ex) { Terminate(ex); throw; } // not reached: Terminate throws
    }
}
