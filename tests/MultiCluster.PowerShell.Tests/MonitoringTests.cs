using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Monitoring;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// New-FleetMonitoringConfig and Test-FleetMonitoring in a real runspace over prod-a (management),
/// prod-b and dev-c, with local endpoints standing in for the clusters' Prometheus servers.
/// </summary>
public sealed class MonitoringTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string ReadConfig =
        "Get-FleetResource ConfigMap -Namespace default -Cluster prod-a | Where-Object Name -eq 'multicluster-federation' | ForEach-Object { $_.Object.data.'federation.yml' }";

    [Fact]
    public void WhatIf_previews_each_target_and_changes_nothing()
    {
        using var session = fixture.NewSession();

        var federation = session.Run("New-FleetMonitoringConfig Prometheus -Namespace kube-system -WhatIf");
        var thanos = session.Run("New-FleetMonitoringConfig Thanos -Namespace kube-system -WhatIf");
        var after = session.Run("Get-FleetResource ConfigMap -Namespace kube-system -Cluster prod-a | Where-Object Name -in 'multicluster-federation', 'thanos-query-endpoints'");

        federation.Errors.Should().BeEmpty();
        var previewed = federation.Output.Cast<FleetResourceResult>().ToList();
        previewed.Should().HaveCount(1);
        previewed[0].Should().Match<FleetResourceResult>(r => r.Cluster == "prod-a" && r.Kind == "ConfigMap" && r.Namespace == "kube-system"
            && r.Name == "multicluster-federation" && r.Action == FleetResourceAction.WouldCreate);

        // Thanos: the endpoint file on prod-a, and each other cluster's Prometheus, which these clusters cannot take (no prometheus-operator).
        var thanosResults = thanos.Output.Cast<FleetResourceResult>().OrderBy(r => r.Cluster, StringComparer.Ordinal).ToList();
        thanosResults.Should().HaveCount(3);
        thanosResults.Select(r => (r.Cluster, r.Kind, r.Name, r.Action)).Should().Equal(
            ("dev-c", "Prometheus", "k8s", FleetResourceAction.Failed), ("prod-a", "ConfigMap", "thanos-query-endpoints", FleetResourceAction.WouldCreate),
            ("prod-b", "Prometheus", "k8s", FleetResourceAction.Failed));
        thanos.Errors.Should().HaveCount(2);
        thanos.Errors.Select(e => e.TargetObject?.ToString()).Order().Should().Equal("dev-c: monitoring.coreos.com/v1 Prometheus", "prod-b: monitoring.coreos.com/v1 Prometheus");
        thanos.Errors.Should().OnlyContain(e => e.FullyQualifiedErrorId.StartsWith("ResourceKindUnknown,"));

        after.Errors.Should().BeEmpty();
        after.Output.Should().BeEmpty("-WhatIf creates nothing");
    }

    [Fact]
    public void Applied_again_it_is_Unchanged_and_the_test_passes_the_answering_cluster_and_fails_the_silent_one()
    {
        using var answering = new ReadyEndpoint();
        var silent = new ReadyEndpoint();
        var silentAddress = silent.Address;
        silent.Dispose();
        using var session = fixture.NewSession();
        var apply = $"New-FleetMonitoringConfig Prometheus -Namespace default -Endpoint @{{ 'prod-b' = '{answering.Address}'; 'dev-c' = '{silentAddress}' }}";

        var first = session.Run(apply);
        var second = session.Run(apply);
        var checks = session.Run("Test-FleetMonitoring Prometheus -Namespace default -ProbeTimeoutSeconds 2");
        var onlyProdB = session.Run("Get-FleetCluster prod-b | Test-FleetMonitoring Prometheus -Namespace default");

        first.Errors.Should().BeEmpty();
        first.Output.Cast<FleetResourceResult>().Select(r => (r.Cluster, r.Name, r.Action)).Should().Equal(("prod-a", "multicluster-federation", FleetResourceAction.Created));
        second.Output.Cast<FleetResourceResult>().Select(r => r.Action).Should().Equal(FleetResourceAction.Unchanged);

        checks.Errors.Should().BeEmpty();
        var rows = checks.Output.Cast<FleetMonitoringCheck>().ToList();
        rows.Should().HaveCount(6);
        rows.Select(r => $"{r.Cluster} {r.Check} {r.Status} {r.Problem}".TrimEnd()).Should().Equal(
            "prod-b Target Pass", "prod-b Labels Pass", "prod-b Endpoint Pass", "dev-c Target Pass", "dev-c Labels Pass", "dev-c Endpoint Fail Unreachable");
        rows[1].Detail.Should().Be("{cluster=\"prod-b\",region=\"eu-central-1\"}");
        rows[5].Endpoint.Should().Be(silentAddress);
        rows[5].Detail.Should().StartWith($"http://{silentAddress}/-/ready cannot be reached:");
        rows[5].Action.Should().NotBeEmpty();
        answering.Requests.Should().AllBe("/-/ready").And.HaveCount(2);

        onlyProdB.Errors.Should().BeEmpty();
        onlyProdB.Output.Cast<FleetMonitoringCheck>().Select(r => r.Cluster).Should().Equal("prod-b", "prod-b", "prod-b");
    }

    [Fact]
    public void A_cluster_removed_from_the_fleet_loses_its_target_on_the_next_run()
    {
        using var session = fixture.NewSession();
        session.Run("New-FleetMonitoringConfig Prometheus -Namespace kube-node-lease -RegionLabel '' -Match 'up'").ThrowIfFailed();
        var before = session.Run(ReadConfig.Replace("default", "kube-node-lease"));
        var shrunk = fixture.FleetYaml[..fixture.FleetYaml.IndexOf("  - name: dev-c", StringComparison.Ordinal)];

        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", shrunk, fixture.Kubeconfig).ThrowIfFailed();
        var next = session.Run("New-FleetMonitoringConfig Prometheus -Namespace kube-node-lease -RegionLabel '' -Match 'up'");
        var after = session.Run(ReadConfig.Replace("default", "kube-node-lease"));
        var checks = session.Run("Test-FleetMonitoring Prometheus -Namespace kube-node-lease -ProbeTimeoutSeconds 1");

        before.Output.Should().ContainSingle().Which!.ToString().Should().Contain("cluster: dev-c");
        next.Errors.Should().BeEmpty();
        next.Output.Cast<FleetResourceResult>().Select(r => r.Action).Should().Equal(FleetResourceAction.Configured);
        var config = after.Output.Should().ContainSingle().Which!.ToString()!;
        config.Should().Contain("cluster: prod-b").And.NotContain("dev-c");
        checks.Output.Cast<FleetMonitoringCheck>().Select(r => r.Cluster).Distinct().Should().Equal("prod-b");
    }

    [Theory]
    [InlineData("-Match '{job=~\".*\"}'", "", "MatchSelectorInvalid", ErrorCategory.InvalidArgument, "{job=~\".*\"}",
        "-Match '{job=~\".*\"}' is not an instant-vector selector: it has no metric name and every matcher matches the empty string, which selects every series (Prometheus refuses it); use for example {job=~\".+\"}. Nothing was changed.")]
    [InlineData("", "dev-c", "ClusterRegionMissing", ErrorCategory.InvalidData, "dev-c",
        "Cluster 'dev-c' has no region in the fleet file, so its 'region' label cannot be set. Nothing was changed.")]
    [InlineData("-ExternalLabel @{ cluster = 'prod' }", "", "ExternalLabelsNotUnique", ErrorCategory.InvalidArgument, "cluster",
        "-ExternalLabel 'cluster' would give every cluster the same 'cluster', which must tell clusters (or replicas) apart. Nothing was changed.")]
    [InlineData("-Endpoint @{ 'prod-x' = '10.0.0.1' }", "", "EndpointInvalid", ErrorCategory.InvalidArgument, "prod-x",
        "-Endpoint names 'prod-x', which is not a selected cluster. Nothing was changed.")]
    public void Bad_input_stops_the_command_before_anything_changes(string options, string clusterWithoutRegion, string errorId, ErrorCategory category,
        string target, string message)
    {
        using var session = fixture.NewSession();
        if (clusterWithoutRegion.Length > 0)
        {
            var fleet = fixture.FleetYaml.Replace("region: eu-central-1\n    labels: { env: dev }", "labels: { env: dev }");
            fleet.Should().NotBe(fixture.FleetYaml);
            session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fleet, fixture.Kubeconfig).ThrowIfFailed();
        }

        var result = session.Run($"New-FleetMonitoringConfig Prometheus -Namespace kube-public {options}");
        var after = session.Run("Get-FleetResource ConfigMap -Namespace kube-public -Cluster prod-a | Where-Object Name -eq 'multicluster-federation'");

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord!;
        error.Should().NotBeNull();
        error.FullyQualifiedErrorId.Should().Be($"{errorId},MultiCluster.Commands.Observability.NewFleetMonitoringConfigCommand");
        error.CategoryInfo.Category.Should().Be(category);
        error.TargetObject.Should().Be(target);
        error.Exception.Message.Should().Be(message);
        after.Output.Should().BeEmpty("nothing was applied");
    }

    [Fact]
    public void A_config_that_is_not_there_stops_the_test_naming_the_cluster_and_the_ConfigMap()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Test-FleetMonitoring Thanos -Namespace kube-system");

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().Be("MonitoringConfigNotFound,MultiCluster.Commands.Observability.TestFleetMonitoringCommand");
        error.CategoryInfo.Category.Should().Be(ErrorCategory.ObjectNotFound);
        error.TargetObject.Should().Be("prod-a: v1 ConfigMap kube-system/thanos-query-endpoints");
    }

    [Fact]
    public async Task A_management_cluster_that_does_not_answer_stops_the_test_at_TimeoutSeconds_with_ClusterTimeout()
    {
        using var session = fixture.NewSession();
        await fixture.Emulator.SetFaultsAsync(fixture.Contexts[0], """{"hanging":true}""");
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = session.Run("Test-FleetMonitoring Prometheus -TimeoutSeconds 1");

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the read stops at its one-second timeout");
            result.Output.Should().BeEmpty();
            var error = result.TerminatingRecord!;
            error.FullyQualifiedErrorId.Should().Be("ClusterTimeout,MultiCluster.Commands.Observability.TestFleetMonitoringCommand");
            error.CategoryInfo.Category.Should().Be(ErrorCategory.OperationTimeout);
            error.Exception.Message.Should().Be("Cluster 'prod-a' did not finish within 1 seconds.");
        }
        finally
        {
            await fixture.Emulator.SetFaultsAsync(fixture.Contexts[0], "{}");
        }
    }
}
