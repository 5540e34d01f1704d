using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// The guards of the lifecycle commands whose damage grows with every cluster: Remove-, Update- and
/// Resize-FleetCluster refuse more than one cluster unless -MaxClusters is raised, and -Force only
/// skips the prompts.
/// </summary>
public sealed class LifecycleGuardTests(ClusterApiFixture fixture) : IClassFixture<ClusterApiFixture>
{
    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    [RequiresSharedCrdsFact]
    public void Two_clusters_without_MaxClusters_are_refused_even_with_Force_and_nothing_changes()
    {
        using var session = fixture.NewSession();
        var (first, second) = (NewName("g1"), NewName("g2"));
        session.Run("""
            New-FleetCluster $args[0] -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 1 -PodCidr 10.80.0.0/16
            New-FleetCluster $args[1] -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 1 -PodCidr 10.81.0.0/16
            """, first, second).ThrowIfFailed();

        var commands = new[]
        {
            "Remove-FleetCluster $args[0], $args[1] -Force",
            "Update-FleetCluster $args[0], $args[1] -KubernetesVersion v1.33.0 -Force",
            "Resize-FleetCluster $args[0], $args[1] -WorkerReplicas 3 -Force",
            "Remove-FleetCluster $args[0], $args[1] -Confirm:$false -WhatIf",
        };
        foreach (var command in commands)
        {
            var refused = session.Run(command, first, second);
            refused.Output.Should().BeEmpty(command);
            var record = refused.TerminatingRecord;
            record.Should().NotBeNull(command);
            record!.FullyQualifiedErrorId.Should().StartWith("ClusterLimitExceeded,", command);
            record.CategoryInfo.Category.Should().Be(ErrorCategory.LimitsExceeded, command);
            record.TargetObject.Should().Be($"{first}, {second}", command);
            record.ErrorDetails.RecommendedAction.Should().Contain("-MaxClusters 2", command);
        }

        var clusters = session.Run("Get-FleetResource Cluster -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt").ThrowIfFailed()
            .Output.OfType<FleetResource>().Where(r => r.Name == first || r.Name == second).ToList();
        clusters.Should().HaveCount(2, "nothing was deleted");
        var workers = session.Run("Get-FleetResource MachineDeployment -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt").ThrowIfFailed()
            .Output.OfType<FleetResource>().Where(r => r.Name.StartsWith(first) || r.Name.StartsWith(second)).ToList();
        workers.Should().HaveCount(2);
        workers.Select(w => Convert.ToInt32(((System.Collections.IDictionary)w.Object["spec"]!)["replicas"])).Should().Equal(1, 1);
        workers.Select(w => (string?)((System.Collections.IDictionary)((System.Collections.IDictionary)((System.Collections.IDictionary)w.Object["spec"]!)["template"]!)["spec"]!)["version"])
            .Should().Equal("v1.32.3", "v1.32.3");

        var removed = session.Run("Remove-FleetCluster $args[0], $args[1] -MaxClusters 2 -Force", first, second);
        removed.Errors.Should().BeEmpty();
        removed.Output.OfType<FleetResourceResult>().Select(r => (r.Name, r.Action)).Should()
            .BeEquivalentTo([(first, FleetResourceAction.Deleted), (second, FleetResourceAction.Deleted)], "an explicit raise lets both through, and -Force asks nothing");
    }

    [RequiresSharedCrdsFact]
    public void Update_FleetCluster_changes_a_version_and_asks_as_the_other_upgrade_cmdlets_do()
    {
        using var session = fixture.NewSession();
        var impacts = session.Run("""
            'Update-FleetCluster', 'Start-FleetUpgrade', 'Remove-FleetCluster' | ForEach-Object {
              (Get-Command $_).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact.ToString()
            }
            """).ThrowIfFailed().Output.Cast<string>().ToList();

        impacts.Should().Equal("High", "High", "High");
    }
}
