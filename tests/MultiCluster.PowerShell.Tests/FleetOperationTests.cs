using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Test-FleetCluster, Invoke-FleetApply, Get-FleetResource and Remove-FleetResource against emulated clusters.</summary>
public sealed class FleetOperationTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void Test_FleetCluster_checks_every_piped_cluster()
    {
        using var session = fixture.NewSession();
        var health = session.Run("Get-FleetCluster | Test-FleetCluster").ThrowIfFailed().Output.Cast<FleetClusterHealth>().ToList();

        health.Select(h => h.Cluster).Should().BeEquivalentTo("prod-a", "prod-b", "dev-c");
        health.Should().OnlyContain(h => h.Status == FleetHealthStatus.Healthy && h.Reachable && h.Ready == true);
        health.Should().OnlyContain(h => h.ServerVersion!.StartsWith("v1.") && h.RoundTripMs >= 0);
    }

    [Fact]
    public void Apply_previews_creates_then_reports_unchanged_and_shows_the_fields_a_change_would_make()
    {
        using var session = fixture.NewSession();
        var ns = "app-" + Guid.NewGuid().ToString("N")[..6];
        var manifest = Path.Combine(fixture.Emulator.Directory, ns + ".yaml");
        File.WriteAllText(manifest, $"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: {ns}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: {ns}
            data:
              color: blue
            """);

        var preview = Results(session.Run("Invoke-FleetApply -Path $args[0] -Selector 'env=prod' -WhatIf", manifest));
        preview.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        session.Run("Get-FleetResource -Kind Namespace -Name $args[0] -Cluster prod-a", ns).Output.Should().BeEmpty("-WhatIf changed nothing");

        var created = Results(session.Run("Invoke-FleetApply -Path $args[0] -Selector 'env=prod'", manifest));
        created.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        created.Select(r => r.Cluster).Distinct().Should().BeEquivalentTo("prod-a", "prod-b");

        var again = Results(session.Run("Invoke-FleetApply -Path $args[0] -Selector 'env=prod'", manifest));
        again.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var change = session.Run("""
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[0] }; data = @{ color = 'green' } } |
              Invoke-FleetApply -Cluster prod-a -WhatIf
            """, ns);
        var wouldChange = Results(change).Should().ContainSingle().Subject;
        wouldChange.Action.Should().Be(FleetResourceAction.WouldChange);
        wouldChange.Changes.Should().ContainSingle(c => c.Path == "data.color")
            .Which.Should().Match<FleetFieldChange>(c => Equals(c.Before, "blue") && Equals(c.After, "green"));

        var found = session.Run("Get-FleetResource ConfigMap settings -Namespace $args[0] -Selector 'env=prod'", ns)
            .ThrowIfFailed().Output.Cast<FleetResource>().ToList();
        found.Select(r => r.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
        found.Should().OnlyContain(r => r.Labels["app.kubernetes.io/managed-by"] == "multicluster");
    }

    [Fact]
    public void Deleting_from_several_clusters_needs_a_raised_MaxClusters_that_Force_does_not_give_and_a_single_cluster_delete_does_not()
    {
        using var session = fixture.NewSession();
        var ns = "del-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply", ns).ThrowIfFailed();

        var refused = session.Run("Remove-FleetResource Namespace $args[0] -Confirm:$false", ns);
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("DeletionLimitExceeded,");
        session.Run("Get-FleetResource Namespace $args[0]", ns).Output.Should().HaveCount(3, "nothing was deleted");
        var forced = session.Run("Remove-FleetResource Namespace $args[0] -Force", ns);
        forced.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("DeletionLimitExceeded,", "-Force only silences the prompts");
        forced.TerminatingRecord.CategoryInfo.Category.Should().Be(ErrorCategory.LimitsExceeded);
        session.Run("Get-FleetResource Namespace $args[0]", ns).Output.Should().HaveCount(3, "nothing was deleted");

        var preview = Results(session.Run("Remove-FleetResource Namespace $args[0] -MaxClusters 3 -WhatIf", ns));
        preview.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldDelete);

        var one = Results(session.Run("Remove-FleetResource Namespace $args[0] -Cluster dev-c -Confirm:$false", ns));
        one.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Deleted);

        var rest = Results(session.Run("Get-FleetResource Namespace $args[0] -Cluster prod-a, prod-b | Remove-FleetResource -MaxClusters 2 -Force", ns));
        rest.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted);
    }

    [Fact]
    public void A_malformed_manifest_stops_before_any_cluster_is_touched()
    {
        using var session = fixture.NewSession();
        var file = Path.Combine(fixture.Emulator.Directory, "broken-" + Guid.NewGuid().ToString("N")[..6] + ".yaml");
        File.WriteAllText(file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n");
        var result = session.Run("Invoke-FleetApply -Path $args[0]", file);
        var record = result.TerminatingRecord!;
        record.FullyQualifiedErrorId.Should().StartWith("ManifestParseFailed,");
        record.CategoryInfo.Category.Should().Be(ErrorCategory.ParserError);
        record.Exception.Message.Should().Contain(Path.GetFileName(file)).And.Contain("line");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public void Verbose_shows_one_line_per_API_call_and_no_stream_ever_carries_a_secret()
    {
        using var session = fixture.NewSession();
        var result = session.Run("""
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            Get-FleetCluster | Test-FleetCluster
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'probe'; namespace = 'default' }; data = @{ a = '1' } } | Invoke-FleetApply -Cluster prod-a -WhatIf
            Get-FleetCluster nope
            Import-Fleet -Content 'clusters: [ { name: x, context: missing-context } ]' -Kubeconfig $args[0]
            Test-FleetCluster
            """, fixture.Kubeconfig);
        result.Verbose.Should().Contain(line => line.Contains("GET") && line.Contains("/readyz"));

        var text = result.AllText();
        fixture.Emulator.AdminTokens.Should().HaveCount(3, "one admin token per emulated cluster");
        foreach (var token in fixture.Emulator.AdminTokens)
            text.Should().NotContain(token);
        text.Should().NotContain(fixture.Emulator.CertificateAuthorityData[..40]);
    }

    [Fact]
    public void Apply_writes_fleet_progress_with_a_child_record_per_cluster()
    {
        using var session = fixture.NewSession();
        var result = session.Run("""
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'progress'; namespace = 'default' }; data = @{ a = '1' } } |
              Invoke-FleetApply -WhatIf
            """);
        Results(result).Should().HaveCount(3);
        var fleet = result.Progress.Where(p => p.ParentActivityId == -1).ToList();
        fleet.Should().HaveCount(4, "one record as each of the three clusters finishes, then the completed one").And.OnlyContain(p => p.ActivityId == 1);
        fleet.Last().RecordType.Should().Be(ProgressRecordType.Completed);
        var children = result.Progress.Where(p => p.ParentActivityId == 1).ToList();
        children.Select(p => p.CurrentOperation).Distinct().Should().BeEquivalentTo("prod-a", "prod-b", "dev-c");
        children.GroupBy(p => p.ActivityId).Should().HaveCount(3, "each cluster has its own child record");
    }

    private static List<FleetResourceResult> Results(PowerShellResult result)
    {
        result.Terminating.Should().BeNull(result.Terminating?.ToString());
        result.Errors.Should().BeEmpty(string.Join("; ", result.Errors.Select(e => e.ToString())));
        return result.Output.Cast<FleetResourceResult>().ToList();
    }
}
