using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>What each selected cluster grants under the roles this module manages, and to whom.</summary>
[Cmdlet(VerbsCommon.Get, "FleetRbac")]
[OutputType(typeof(FleetRbacGrant))]
public sealed class GetFleetRbacCommand : FanOutCmdlet
{
    /// <summary>RBAC definition names to report; wildcards allowed. All managed roles when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Reports only the Roles of this namespace.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var patterns = (Name ?? ["*"]).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var service = new RbacService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            await foreach (var outcome in service.GetAsync(clusters, options, cancel).ConfigureAwait(false))
            {
                if (outcome.Error is { } error) EmitError(error);
                else if (outcome.Value is { } grant && patterns.Any(p => p.IsMatch(grant.Rbac))
                         && (Namespace is null || grant.Namespace == Namespace))
                    Emit(grant);
            }
        });
    }
}
