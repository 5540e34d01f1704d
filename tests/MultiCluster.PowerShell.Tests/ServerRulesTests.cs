using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// What a real API server refuses, the module does not send: an object read from one cluster applies
/// to another, and a binding whose roleRef changes is replaced under ShouldProcess.
/// </summary>
public sealed class ServerRulesTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void An_object_saved_from_one_cluster_applies_to_another_that_holds_its_own()
    {
        using var session = fixture.NewSession();
        var name = "copy-" + Guid.NewGuid().ToString("N")[..6];
        var file = Path.Combine(Path.GetTempPath(), name + ".yaml");
        try
        {
            session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' }; data = @{ mode = 'blue' } } | Invoke-FleetApply -Cluster prod-a", name).ThrowIfFailed();
            session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' }; data = @{ mode = 'green' } } | Invoke-FleetApply -Cluster prod-b", name).ThrowIfFailed();
            session.Run("(Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a).ToYaml() | Set-Content -LiteralPath $args[1]", name, file).ThrowIfFailed();
            File.ReadAllText(file).Should().Contain("uid:").And.Contain("resourceVersion:", "the saved object carries prod-a's server-owned metadata");

            var fromFile = session.Run("Invoke-FleetApply -Path $args[0] -Cluster prod-b", file).ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
            var fromObject = session.Run("(Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a).Object | Invoke-FleetApply -Cluster prod-b", name)
                .ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();

            fromFile.Should().ContainSingle().Which.Should().Match<FleetResourceResult>(r => r.Cluster == "prod-b" && r.Action == FleetResourceAction.Configured);
            fromObject.Should().ContainSingle().Which.Should().Match<FleetResourceResult>(r => r.Cluster == "prod-b" && r.Action == FleetResourceAction.Unchanged);
            var uids = session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a, prod-b | ForEach-Object { $_.Object.metadata.uid }", name)
                .ThrowIfFailed().Output.Select(o => o?.ToString()).ToList();
            uids.Should().HaveCount(2);
            uids.Distinct().Should().HaveCount(2, "prod-b's object is still its own");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_binding_whose_roleRef_changes_is_previewed_WouldReplace_and_Replaced()
    {
        using var session = fixture.NewSession();
        var name = "readers-" + Guid.NewGuid().ToString("N")[..6];
        const string binding = """
            $name, $role = $args
            @{ apiVersion = 'rbac.authorization.k8s.io/v1'; kind = 'RoleBinding'; metadata = @{ name = $name; namespace = 'default' }
               roleRef = @{ apiGroup = 'rbac.authorization.k8s.io'; kind = 'ClusterRole'; name = $role }
               subjects = @(@{ apiGroup = 'rbac.authorization.k8s.io'; kind = 'User'; name = 'alice' }) }
            """;
        session.Run(binding + " | Invoke-FleetApply -Cluster prod-a", name, "view").ThrowIfFailed();

        var preview = session.Run(binding + " | Invoke-FleetApply -Cluster prod-a -WhatIf", name, "edit").ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
        var replaced = session.Run(binding + " | Invoke-FleetApply -Cluster prod-a -Confirm:$false", name, "edit").ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
        var again = session.Run(binding + " | Invoke-FleetApply -Cluster prod-a", name, "edit").ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();

        preview.Should().ContainSingle().Which.Should().Match<FleetResourceResult>(r => r.Action == FleetResourceAction.WouldReplace
            && r.Message == "roleRef changes from ClusterRole view to ClusterRole edit: the binding would be deleted and recreated.");
        replaced.Should().ContainSingle().Which.Should().Match<FleetResourceResult>(r => r.Cluster == "prod-a" && r.Name == name
            && r.Action == FleetResourceAction.Replaced && r.Message == "roleRef changed from ClusterRole view to ClusterRole edit: deleted and recreated.");
        again.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
        var live = session.Run("(Get-FleetResource RoleBinding $args[0] -Namespace default -Cluster prod-a).Object.roleRef.name", name).ThrowIfFailed();
        live.Output.Should().ContainSingle().Which.Should().Be("edit");
    }
}
