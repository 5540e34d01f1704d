using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>The three clusters of <see cref="EmulatorFixture"/>, with the emulator's deployment controller finishing rollouts at once.</summary>
public sealed class DeploymentControllerFixture() : EmulatorFixture("deployments");

/// <summary>Publish-FleetWorkload -Wave and Get-FleetWorkload -Wait against clusters whose Deployments roll out.</summary>
public sealed class WorkloadWaveTests(DeploymentControllerFixture fixture) : IClassFixture<DeploymentControllerFixture>
{
    // prod-a, then the rest of production, then the eu-central-1 region (dev-c).
    private const string Waves = "-Wave 'prod-a', @{ Selector = 'env=prod' }, @{ Region = 'eu-*' } -WaveTimeoutSeconds 3";
    private const string BrokenOnProdB = "-Override @{ 'prod-b' = @{ '/spec/template/spec/containers/0/image' = 'registry.invalid/web:2' } }";

    private static string Web(string ns, string image, string version) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: {{ns}}, annotations: { version: '{{version}}' } }
        spec:
          replicas: 2
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec: { containers: [ { name: web, image: '{{image}}' } ] }
        """;

    private static (PowerShellSession Session, string Namespace) Start(PowerShellSession session, string prefix)
    {
        var ns = prefix + "-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply", ns).ThrowIfFailed();
        return (session, ns);
    }

    [Fact]
    public void Three_waves_publish_in_order_and_Wait_returns_once_every_cluster_is_ready()
    {
        var (session, ns) = Start(fixture.NewSession(), "waves");
        using var _ = session;

        var run = session.Run($"$args[0] | Publish-FleetWorkload -Cluster * {Waves} -BakeTimeSeconds 1", Web(ns, "nginx:1.27", "1")).ThrowIfFailed();

        run.Output.Cast<FleetResourceResult>().Select(r => (r.Cluster, r.Action)).Should().Equal(
            ("prod-a", FleetResourceAction.Created), ("prod-b", FleetResourceAction.Created), ("dev-c", FleetResourceAction.Created));
        run.Information.Should().ContainInOrder(
            "Wave 1 of 3 (prod-a): publishing.", "Wave 1 of 3 (prod-a): ready; baking 1 s.", "Wave 1 of 3 (prod-a): done.",
            "Wave 2 of 3 (prod-b): publishing.", "Wave 3 of 3 (dev-c): done.");
        run.Progress.Should().Contain(p => p.StatusDescription == "Wave 2 of 3 (prod-b): publishing");

        var waited = session.Run("Get-FleetWorkload web -Namespace $args[0] -Wait -TimeoutSeconds 10", ns).ThrowIfFailed();
        waited.Output.Cast<FleetWorkloadStatus>().Should().HaveCount(3).And.OnlyContain(s => s.Ready && s.Replicas == "2/2" && s.UpdatedReplicas == 2);
        waited.Progress.Should().Contain(p => p.Activity == "Waiting for Deployment web to be ready" && p.StatusDescription == "3 of 3 ready");
    }

    [Fact]
    public void Wait_follows_a_stateful_set_whose_pods_the_emulator_starts_in_order()
    {
        var (session, ns) = Start(fixture.NewSession(), "sts");
        using var _ = session;
        var db = $$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: { name: db, namespace: {{ns}} }
            spec:
              replicas: 3
              serviceName: db
              selector: { matchLabels: { app: db } }
              template:
                metadata: { labels: { app: db } }
                spec: { containers: [ { name: db, image: 'postgres:17' } ] }
            """;
        session.Run("$args[0] | Publish-FleetWorkload -Cluster prod-a", db).ThrowIfFailed();

        var waited = session.Run("Get-FleetWorkload db StatefulSet -Namespace $args[0] -Cluster prod-a -Wait -TimeoutSeconds 10", ns).ThrowIfFailed();
        var status = waited.Output.Cast<FleetWorkloadStatus>().Should().ContainSingle().Subject;
        status.Ready.Should().BeTrue();
        status.Replicas.Should().Be("3/3");
        status.UpdatedReplicas.Should().Be(3);
        var pods = session.Run("Get-FleetResource Pod -Namespace $args[0] -Cluster prod-a -LabelSelector app=db | ForEach-Object { $_.Name }", ns)
            .ThrowIfFailed().Output.Select(o => o!.ToString()).Order().ToList();
        pods.Should().Equal("db-0", "db-1", "db-2");
    }

    [Fact]
    public void A_wave_that_never_becomes_ready_stops_before_the_next_wave_and_says_why()
    {
        var (session, ns) = Start(fixture.NewSession(), "stuck");
        using var _ = session;

        var run = session.Run($"$args[0] | Publish-FleetWorkload -Cluster * {Waves} {BrokenOnProdB}", Web(ns, "nginx:1.27", "1"));

        var error = run.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().StartWith("WaveFailed,");
        error.Exception.Message.Should().Be("Wave 2 of 3 (prod-b) did not become ready within 3 s: prod-b: Deployment " + ns + "/web 0/2 ready, 2/2 updated. " +
            "Wave 3 (dev-c) was not started.");
        run.Output.Cast<FleetResourceResult>().Select(r => r.Cluster).Should().Equal("prod-a", "prod-b");
        var statuses = session.Run("Get-FleetWorkload web -Namespace $args[0]", ns).ThrowIfFailed().Output.Cast<FleetWorkloadStatus>().ToList();
        statuses.Single(s => s.Cluster == "dev-c").Present.Should().BeFalse("wave 3 was never started");
        statuses.Single(s => s.Cluster == "prod-b").Should().BeEquivalentTo(new { Present = (bool?)true, Ready = false });
    }

    [Fact]
    public void Rollback_restores_the_previous_template_on_the_failed_wave_and_leaves_later_waves_untouched()
    {
        var (session, ns) = Start(fixture.NewSession(), "rollback");
        using var _ = session;
        session.Run($"$args[0] | Publish-FleetWorkload -Cluster * {Waves}", Web(ns, "nginx:1.27", "1")).ThrowIfFailed();

        var run = session.Run($"$args[0] | Publish-FleetWorkload -Cluster * {Waves} {BrokenOnProdB} -OnFailure Rollback", Web(ns, "nginx:1.28", "2"));

        run.TerminatingRecord!.Exception.Message.Should()
            .StartWith("Wave 2 of 3 (prod-b) did not become ready within 3 s: prod-b: Deployment " + ns + "/web 2/2 ready, 1/2 updated.")
            .And.EndWith("It was rolled back: the previous template is back on prod-b. Wave 3 (dev-c) was not started.");
        run.Output.Cast<FleetResourceResult>().Select(r => (r.Cluster, r.Action)).Should().Equal(
            ("prod-a", FleetResourceAction.Configured), ("prod-b", FleetResourceAction.Configured), ("prod-b", FleetResourceAction.Configured));
        var objects = session.Run("""
            Get-FleetResource -Kind Deployment -Name web -Namespace $args[0] |
              ForEach-Object { '{0} {1} {2}' -f $_.Cluster, $_.Object.spec.template.spec.containers[0].image, $_.Object.metadata.generation }
            """, ns).ThrowIfFailed().Output.Cast<string>();
        objects.Should().BeEquivalentTo(
            "prod-a nginx:1.28 2",  // wave 1 succeeded and keeps the new template
            "prod-b nginx:1.27 3",  // rolled back: the old template again, as a new generation
            "dev-c nginx:1.27 1");  // wave 3 was never touched
    }

    [Fact]
    public void WhatIf_shows_the_waves_and_changes_nothing()
    {
        var (session, ns) = Start(fixture.NewSession(), "whatif");
        using var _ = session;

        var run = session.Run($"$args[0] | Publish-FleetWorkload -Cluster * {Waves} -BakeTimeSeconds 30 -WhatIf", Web(ns, "nginx:1.27", "1")).ThrowIfFailed();

        run.Information.Should().Equal(
            "Wave 1 of 3 (prod-a): would publish, wait up to 3 s for ready, bake 30 s.",
            "Wave 2 of 3 (prod-b): would publish, wait up to 3 s for ready, bake 30 s.",
            "Wave 3 of 3 (dev-c): would publish, wait up to 3 s for ready, bake 30 s.");
        run.Output.Cast<FleetResourceResult>().Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        session.Run("Get-FleetWorkload web -Namespace $args[0]", ns).ThrowIfFailed().Output.Cast<FleetWorkloadStatus>()
            .Should().HaveCount(3).And.OnlyContain(s => s.Present == false);
    }

    [Fact]
    public void Wait_errors_per_cluster_that_is_still_not_ready_at_the_timeout()
    {
        var (session, ns) = Start(fixture.NewSession(), "wait");
        using var _ = session;
        session.Run($"$args[0] | Publish-FleetWorkload -Selector 'env=prod' {BrokenOnProdB}", Web(ns, "nginx:1.27", "1")).ThrowIfFailed();

        var run = session.Run("Get-FleetWorkload web -Namespace $args[0] -Selector 'env=prod' -Wait -TimeoutSeconds 2", ns);

        run.Output.Cast<FleetWorkloadStatus>().Select(s => (s.Cluster, s.Ready)).Should().BeEquivalentTo(new[] { ("prod-a", true), ("prod-b", false) });
        var error = run.Errors.Should().ContainSingle().Which;
        error.FullyQualifiedErrorId.Should().StartWith("WorkloadNotReady,");
        error.TargetObject.Should().Be($"prod-b: Deployment {ns}/web");
        error.Exception.Message.Should().Be("Workload web is not ready on cluster 'prod-b' after waiting 2 s: 0/2 ready, 2/2 updated.");
    }

    [Fact]
    public void Wave_options_without_Wave_and_waves_that_leave_out_a_placed_cluster_are_refused_before_anything_changes()
    {
        var (session, ns) = Start(fixture.NewSession(), "badwave");
        using var _ = session;

        var noWave = session.Run("$args[0] | Publish-FleetWorkload -Cluster * -OnFailure Rollback", Web(ns, "nginx:1.27", "1"));
        var missing = session.Run("$args[0] | Publish-FleetWorkload -Cluster * -Wave 'prod-*'", Web(ns, "nginx:1.27", "1"));

        noWave.TerminatingRecord!.Exception.Message.Should().Be("-OnFailure needs -Wave.");
        missing.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("WaveInvalid,");
        missing.TerminatingRecord.Exception.Message.Should().StartWith("The placed clusters dev-c are in no wave");
        session.Run("Get-FleetWorkload web -Namespace $args[0]", ns).ThrowIfFailed().Output.Cast<FleetWorkloadStatus>()
            .Should().HaveCount(3).And.OnlyContain(s => s.Present == false);
    }
}
