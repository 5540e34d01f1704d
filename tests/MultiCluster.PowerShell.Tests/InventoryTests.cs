using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Import-Fleet, Get-Fleet, Get-FleetCluster, completion and Test-FleetArchitecture, as a user types them.</summary>
public sealed class InventoryTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void Clusters_are_selected_by_label_region_role_and_wildcard()
    {
        using var session = fixture.NewSession();
        Names(session.Run("Get-FleetCluster -Selector 'env=prod'")).Should().Equal("prod-a", "prod-b");
        Names(session.Run("Get-FleetCluster -Selector 'tier in (gold,bronze)'")).Should().Equal("prod-a");
        Names(session.Run("Get-FleetCluster -Selector '!tier'")).Should().Equal("dev-c");
        Names(session.Run("Get-FleetCluster -Region eu-*")).Should().Equal("prod-b", "dev-c");
        Names(session.Run("Get-FleetCluster -Role Management")).Should().Equal("prod-a");
        Names(session.Run("Get-FleetCluster 'PROD-*'")).Should().Equal("prod-a", "prod-b");
        Names(session.Run("'dev-c', 'prod-a' | Get-FleetCluster")).Should().Equal("prod-a", "dev-c");

        var cluster = session.Run("Get-FleetCluster prod-a").ThrowIfFailed().Output.Single().Should().BeOfType<FleetCluster>().Subject;
        cluster.Context.Should().Be(fixture.Contexts[0]);
        cluster.Labels.Should().Contain("tier", "gold");
        cluster.Fleet.Should().Be("test-fleet");
    }

    [Fact]
    public void An_unknown_name_is_a_non_terminating_ObjectNotFound_error_that_suggests_the_closest_names()
    {
        using var session = fixture.NewSession();
        var result = session.Run("Get-FleetCluster prod-x, dev-c");
        result.Terminating.Should().BeNull();
        result.Output.Cast<FleetCluster>().Select(c => c.Name).Should().Equal("dev-c");
        var error = result.Errors.Should().ContainSingle().Subject;
        error.FullyQualifiedErrorId.Should().StartWith("ClusterNotFound,");
        error.CategoryInfo.Category.Should().Be(ErrorCategory.ObjectNotFound);
        error.TargetObject.Should().Be("prod-x");
        error.Exception.Message.Should().Contain("prod-a").And.Contain("prod-b");
    }

    [Fact]
    public void A_malformed_fleet_file_is_a_terminating_error_with_line_and_column_and_keeps_the_previous_fleet()
    {
        using var session = fixture.NewSession();
        var result = session.Run("Import-Fleet -Content \"clusters:`n  - name: ok`n    regoin: us-east-1\"");
        var record = result.TerminatingRecord;
        record.Should().NotBeNull();
        record!.FullyQualifiedErrorId.Should().StartWith("FleetFileInvalid,");
        record.Exception.Message.Should().Contain("line 3").And.Contain("region");

        Names(session.Run("Get-FleetCluster")).Should().Equal("prod-a", "prod-b", "dev-c");
    }

    [Fact]
    public void Relative_kubeconfig_paths_in_fleet_content_resolve_against_the_PowerShell_location()
    {
        using var session = fixture.NewSession();
        var location = Directory.CreateTempSubdirectory("fleet-location-").FullName;
        try
        {
            Path.GetFullPath(location).Should().NotBe(Path.GetFullPath(Directory.GetCurrentDirectory()), "the PowerShell location differs from the process's");
            session.Run("Set-Location -LiteralPath $args[0]; Import-Fleet -Content 'clusters: [ { name: rel, kubeconfig: sub/kc.yaml } ]'", location).ThrowIfFailed();

            var cluster = session.Run("Get-FleetCluster rel").ThrowIfFailed().Output.Should().ContainSingle().Subject.Should().BeOfType<FleetCluster>().Subject;
            cluster.Kubeconfig.Should().Be(Path.Combine(location, "sub", "kc.yaml"));
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }

    [Fact]
    public void A_bad_selector_stops_before_anything_runs()
    {
        using var session = fixture.NewSession();
        var result = session.Run("Get-FleetCluster -Selector 'env in (prod'");
        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("SelectorInvalid,");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public void Cluster_names_and_regions_complete_from_the_fleet()
    {
        using var session = fixture.NewSession();
        Completions(session, "Get-FleetCluster -Name pro").Should().Equal("prod-a", "prod-b");
        Completions(session, "Test-FleetCluster -Cluster d").Should().Equal("dev-c");
        Completions(session, "Get-FleetCluster -Region eu").Should().Equal("eu-central-1");
    }

    [Fact]
    public void Get_Fleet_returns_the_imported_fleet_and_the_architecture_check_reports_findings()
    {
        using var session = fixture.NewSession();
        var fleet = session.Run("Get-Fleet").ThrowIfFailed().Output.Single().Should().BeOfType<Fleet>().Subject;
        fleet.Name.Should().Be("test-fleet");
        fleet.Clusters.Should().HaveCount(3);

        var findings = session.Run("Get-Fleet | Test-FleetArchitecture").ThrowIfFailed().Output.Cast<FleetArchitectureFinding>().ToList();
        findings.Should().Contain(f => f.Target == "prod-a" || f.Target == "prod-b", "production clusters without a DR peer are reported");
        findings.Should().OnlyContain(f => !string.IsNullOrEmpty(f.Message) && !string.IsNullOrEmpty(f.RuleId));
    }

    [Fact]
    public void Without_a_fleet_file_the_kubeconfig_contexts_are_the_fleet()
    {
        // Other tests pass their kubeconfig explicitly, so setting the variable does not disturb them.
        using var session = new PowerShellSession(environment: new Dictionary<string, string> { ["KUBECONFIG"] = fixture.Kubeconfig });
        var names = session.Run("Get-FleetCluster | ForEach-Object Name").ThrowIfFailed().Output.Cast<string>().ToList();
        names.Should().Equal(fixture.Contexts);
        session.Run("(Get-Fleet).Name").ThrowIfFailed().Output.Should().Equal("kubeconfig");
    }

    private static List<string> Names(PowerShellResult result) =>
        result.ThrowIfFailed().Output.Cast<FleetCluster>().Select(c => c.Name).ToList();

    private static List<string> Completions(PowerShellSession session, string input) =>
        session.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", input)
            .ThrowIfFailed().Output.Cast<string>().ToList();
}
