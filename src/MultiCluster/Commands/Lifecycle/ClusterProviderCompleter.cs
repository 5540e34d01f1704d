using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>Completes the infrastructure providers New-FleetCluster knows (a new provider shows up without touching this).</summary>
public sealed class ClusterProviderCompleter : FleetValueCompleter
{
    protected override IReadOnlyList<string> Values(Fleet fleet) => ClusterProviderCatalog.Default.Names;
}
