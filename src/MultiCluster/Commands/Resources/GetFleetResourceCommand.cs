using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Resources;

/// <summary>Gets objects of any kind the clusters serve, from every selected cluster in parallel.</summary>
[Cmdlet(VerbsCommon.Get, "FleetResource")]
[OutputType(typeof(FleetResource))]
public sealed class GetFleetResourceCommand : FanOutCmdlet
{
    /// <summary>The kind: Deployment, deployments, deploy, or Kind.group (Cluster.cluster.x-k8s.io).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Kind { get; set; } = "";

    /// <summary>The object's name; all objects of the kind when omitted.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The apiVersion, when the kind is served by more than one group or version.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiVersion { get; set; }

    /// <summary>The namespace; the context's namespace when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Lists namespaced objects across all namespaces.</summary>
    [Parameter]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>A label selector over the objects' labels.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LabelSelector { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        // Parsed here as the API server would, so a typo stops once, before any request, not once per cluster.
        if (LabelSelector is not null)
        {
            try
            {
                MultiCluster.Engine.Inventory.LabelSelector.Parse(LabelSelector);
            }
            catch (Exception ex)
            {
                Terminate(ex);
                return;
            }
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var query = new ResourceQuery
        {
            Kind = Kind, Name = Name, ApiVersion = ApiVersion, Namespace = Namespace,
            AllNamespaces = AllNamespaces, LabelSelector = LabelSelector,
        };
        var service = new FleetResourceReader(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            await foreach (var outcome in service.GetAsync(clusters, query, options, cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else await EmitAsync(outcome.Value).ConfigureAwait(false);
            }
        });
    }
}
