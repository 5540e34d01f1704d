using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Update-FleetCluster and the policy rollout (Get-FleetUpgradePlan, Start-FleetUpgrade, Get-FleetUpgradeStatus) on an emulated Cluster API management cluster.</summary>
public sealed class UpgradeTests(ClusterApiFixture fixture) : IClassFixture<ClusterApiFixture>
{
    private const string ToVersion = "v1.33.0";

    private static string PolicyFile(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), "policy-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string ServerVersion(PowerShellSession session, string cluster) =>
        ((FleetClusterHealth)session.Run("Test-FleetCluster -Cluster $args[0]", cluster).ThrowIfFailed().Output.Single()!).ServerVersion!;

    private static FleetUpgradeStatus Status(PowerShellResult result) => result.Output.OfType<FleetUpgradeStatus>().Single();

    [RequiresSharedCrdsFact]
    public void Update_FleetCluster_moves_the_cluster_and_its_API_server_reports_the_new_version()
    {
        using var session = fixture.NewSessionWithClusters(["up-dev-01"]);
        ServerVersion(session, "up-dev-01").Should().Be(ClusterApiClusters.FromVersion);

        var result = session.Run("Update-FleetCluster up-dev-01 -KubernetesVersion $args[0] -PollIntervalSeconds 1 -Confirm:$false", ToVersion).ThrowIfFailed();

        result.Output.Should().ContainSingle().Which.Should().BeOfType<FleetClusterUpgrade>().Which.Should().BeEquivalentTo(new
        {
            Cluster = "up-dev-01", ManagementCluster = "mgmt", FromVersion = ClusterApiClusters.FromVersion, KubernetesVersion = ToVersion,
            ControlPlane = "up-dev-01-control-plane", MachineDeployments = new[] { "up-dev-01-md-0" }, Rolled = true,
        });
        ServerVersion(session, "up-dev-01").Should().Be(ToVersion);
        var kubelets = session.Run("Get-FleetResource Node -Cluster up-dev-01 | ForEach-Object { $_.Object.status.nodeInfo.kubeletVersion }").ThrowIfFailed();
        kubelets.Output.Should().HaveCount(3).And.OnlyContain(v => (string)v! == ToVersion);
    }

    [RequiresSharedCrdsFact]
    public void Update_FleetCluster_refuses_bad_versions_and_skipped_minors_before_touching_the_cluster()
    {
        using var session = fixture.NewSessionWithClusters(["up-bad-01"]);

        var malformed = session.Run("Update-FleetCluster up-bad-01 -KubernetesVersion 1.33");
        var skip = session.Run("Update-FleetCluster up-bad-01 -KubernetesVersion v1.34.0 -PollIntervalSeconds 1 -Confirm:$false");
        var noManagement = session.Run("Update-FleetCluster up-bad-01 -KubernetesVersion v1.33.0 -ManagementCluster nope");

        malformed.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("KubernetesVersionInvalid,");
        skip.Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().StartWith("UpgradeNotAllowed,");
        skip.Errors[0].ToString().Should().Contain("would skip minor version 1.33");
        noManagement.TerminatingRecord!.ToString().Should().StartWith("-ManagementCluster 'nope' is not a cluster of the fleet.");
        ServerVersion(session, "up-bad-01").Should().Be(ClusterApiClusters.FromVersion);
    }

    [RequiresSharedCrdsFact]
    public void A_failing_post_check_in_wave_two_stops_before_wave_three_says_why_and_Resume_continues_without_redoing()
    {
        using var session = fixture.NewSessionWithClusters(["w-dev-01", "w-staging-01", "w-prod-01"]);
        var policy = PolicyFile("""
            waves:
              - { name: dev, clusters: [w-dev-*], preChecks: [clusterHealth, versionSkew], postChecks: [versionSkew, smoke] }
              - { name: staging, clusters: [w-staging-*], postChecks: [smoke] }
              - { name: prod, clusters: [w-prod-*], postChecks: [smoke] }
            """);
        const string Run = """
            $global:checked = [System.Collections.Generic.List[string]]::new()
            $smoke = { param($Cluster, $Wave) $global:checked.Add($Cluster.Name); if ($Cluster.Name -eq 'w-staging-01' -and $global:broken) { throw 'checkout answers 502' }; $true }
            $resume = @{ Resume = [bool]$args[1] }
            Start-FleetUpgrade -Policy $args[0] -KubernetesVersion v1.33.0 -RolloutId waves-test -Check @{ smoke = $smoke } -PollIntervalSeconds 1 -Confirm:$false @resume
            """;

        var plan = session.Run("Get-FleetUpgradePlan $args[0] -KubernetesVersion v1.33.0", policy).ThrowIfFailed();
        plan.Output.Cast<FleetUpgradeWave>().Select(w => (w.Name, w.Clusters.Single())).Should().Equal(
            ("dev", "w-dev-01"), ("staging", "w-staging-01"), ("prod", "w-prod-01"));
        plan.Warnings.Should().BeEmpty("the management cluster is not expected in a wave");

        var whatIf = session.Run("Start-FleetUpgrade -Policy $args[0] -KubernetesVersion v1.33.0 -RolloutId waves-test -Check @{ smoke = {} } -WhatIf", policy).ThrowIfFailed();
        whatIf.Output.Cast<FleetUpgradeWave>().Select(w => w.Name).Should().Equal("dev", "staging", "prod");
        session.Run("Get-FleetUpgradeStatus waves-test").Errors.Should().ContainSingle("-WhatIf writes no checkpoint")
            .Which.FullyQualifiedErrorId.Should().StartWith("UpgradeRolloutNotFound,");
        ServerVersion(session, "w-dev-01").Should().Be(ClusterApiClusters.FromVersion);

        session.Run("$global:broken = $true").ThrowIfFailed();
        var failed = session.Run(Run, policy, false);

        var status = Status(failed);
        status.State.Should().Be(FleetUpgradeState.Failed);
        status.StoppedReason.Should().Be("Wave 'staging' failed at cluster 'w-staging-01': post-check 'smoke' failed: checkout answers 502 The 1 later wave was not started.");
        failed.Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().StartWith("UpgradeCheckFailed,");
        ServerVersion(session, "w-prod-01").Should().Be(ClusterApiClusters.FromVersion, "wave three never started");
        var recorded = Status(session.Run("Get-FleetUpgradeStatus waves-test").ThrowIfFailed());
        recorded.Waves.Select(w => w.State).Should().Equal(FleetUpgradeState.Succeeded, FleetUpgradeState.Failed, FleetUpgradeState.Pending);

        var again = session.Run(Run, policy, false);
        again.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("UpgradeRolloutExists,");

        session.Run("$global:broken = $false").ThrowIfFailed();
        var resumed = session.Run(Run + "; $global:checked", policy, true);

        Status(resumed).State.Should().Be(FleetUpgradeState.Succeeded);
        resumed.Output.OfType<string>().Should().Equal(["w-staging-01", "w-prod-01"], "the dev wave is done and not redone");
        ServerVersion(session, "w-prod-01").Should().Be(ToVersion);
    }

    [RequiresSharedCrdsFact]
    public void A_check_passes_only_by_returning_true_without_writing_an_error()
    {
        using var session = fixture.NewSessionWithClusters(["q-dev-01"]);
        var policy = PolicyFile("""
            waves:
              - { name: dev, clusters: [q-dev-*], preChecks: [quiet] }
            """);
        const string Start = "Start-FleetUpgrade -Policy $args[0] -KubernetesVersion v1.33.0 -RolloutId $args[1] -Check @{ quiet = $args[2] } -PollIntervalSeconds 1 -Confirm:$false";

        var silent = session.Run(Start, policy, "silent", ScriptBlock.Create("param($Cluster)"));
        var erring = session.Run(Start, policy, "erring", ScriptBlock.Create("param($Cluster) Get-FleetCluster no-such-cluster; $true"));

        foreach (var (result, reason) in new[] { (silent, "returned nothing"), (erring, "no-such-cluster") })
        {
            var status = Status(result);
            status.State.Should().Be(FleetUpgradeState.Failed);
            status.StoppedReason.Should().Contain("pre-check 'quiet' failed").And.Contain(reason);
            result.Errors.Should().ContainSingle(e => e.FullyQualifiedErrorId.StartsWith("UpgradeCheckFailed,"));
        }
        ServerVersion(session, "q-dev-01").Should().Be(ClusterApiClusters.FromVersion, "a check that did not say yes upgrades nothing");
    }

    [RequiresSharedCrdsFact]
    public void A_manual_wave_stops_the_rollout_when_confirmation_is_refused_and_runs_when_approved_in_advance()
    {
        var host = new AnsweringHost(answer: false);
        using var session = fixture.NewSessionWithClusters(["m-dev-01", "m-prod-01"], host);
        var policy = PolicyFile("""
            waves:
              - { name: dev, clusters: [m-dev-*] }
              - { name: prod, clusters: [m-prod-*], approval: manual }
            """);

        var result = session.Run("Start-FleetUpgrade -Policy $args[0] -KubernetesVersion v1.33.0 -RolloutId manual-test -PollIntervalSeconds 1 -Confirm:$false", policy);

        host.Prompts.Should().ContainSingle().Which.Should().StartWith("Approve wave 'prod': Upgrade wave 2 'prod': m-prod-01 to v1.33.0?");
        var status = Status(result);
        status.State.Should().Be(FleetUpgradeState.Declined);
        status.Waves.Select(w => w.State).Should().Equal(FleetUpgradeState.Succeeded, FleetUpgradeState.Declined);
        result.Warnings.Should().Contain("Wave 'prod' was not approved; the rollout stops before it. -Resume asks again.");
        ServerVersion(session, "m-dev-01").Should().Be(ToVersion);
        ServerVersion(session, "m-prod-01").Should().Be(ClusterApiClusters.FromVersion);
        Status(session.Run("Get-FleetUpgradeStatus manual-test").ThrowIfFailed()).Waves[1].Message.Should().Be("Manual approval was refused.");

        // A runbook has no one to ask: the approval given elsewhere comes with -ApproveWave.
        var approved = session.Run("Start-FleetUpgrade -RolloutId manual-test -Resume -ApproveWave 'pr*' -PollIntervalSeconds 1 -Confirm:$false");

        host.Prompts.Should().ContainSingle("a wave approved in advance is not asked about again");
        Status(approved).State.Should().Be(FleetUpgradeState.Succeeded);
        ServerVersion(session, "m-prod-01").Should().Be(ToVersion);
    }

    [RequiresSharedCrdsFact]
    public void A_manual_wave_stops_the_rollout_when_the_host_cannot_ask_and_no_ApproveWave_names_it()
    {
        // No host: the runspace a runbook or a scheduled job gets, where nothing can prompt.
        using var session = fixture.NewSessionWithClusters(["h-dev-01", "h-prod-01", "h-tools-01"]);
        var policy = PolicyFile("""
            waves:
              - { name: dev, clusters: [h-dev-*] }
              - { name: prod, clusters: [h-prod-*], approval: manual }
              - { name: tools, clusters: [h-tools-*] }
            """);

        var result = session.Run("Start-FleetUpgrade -Policy $args[0] -KubernetesVersion v1.33.0 -RolloutId unasked-test -PollIntervalSeconds 1 -Confirm:$false", policy);

        var status = Status(result);
        status.State.Should().Be(FleetUpgradeState.Declined);
        status.StoppedReason.Should().Be("Wave 'prod' was not approved; the rollout stops before it. -Resume asks again.");
        status.Waves.Select(w => (w.Name, w.State)).Should().Equal(
            ("dev", FleetUpgradeState.Succeeded), ("prod", FleetUpgradeState.Declined), ("tools", FleetUpgradeState.Pending));
        result.Warnings.Should().Contain(w => w.StartsWith("Wave 'prod' needs manual approval and this host cannot ask ("));
        result.Warnings.Should().Contain("Wave 'prod' was not approved; the rollout stops before it. -Resume asks again.");
        ServerVersion(session, "h-dev-01").Should().Be(ToVersion);
        ServerVersion(session, "h-prod-01").Should().Be(ClusterApiClusters.FromVersion, "a wave nobody could approve does not run");
        ServerVersion(session, "h-tools-01").Should().Be(ClusterApiClusters.FromVersion, "no wave runs past it");
        Status(session.Run("Get-FleetUpgradeStatus unasked-test").ThrowIfFailed()).State.Should().Be(FleetUpgradeState.Declined);
    }

    [RequiresSharedCrdsFact]
    public void A_rollout_stopped_with_CtrlC_is_recorded_as_interrupted_and_Resume_finishes_it()
    {
        using var session = fixture.NewSessionWithClusters(["c-dev-01", "c-staging-01"]);
        var policy = PolicyFile("""
            waves:
              - { name: dev, clusters: [c-dev-*], postChecks: [soak] }
              - { name: staging, clusters: [c-staging-*], postChecks: [soak] }
            """);
        var marker = Path.Combine(Path.GetTempPath(), "soak-" + Guid.NewGuid().ToString("N")[..8]);
        using var ps = session.CreatePowerShell();
        ps.AddScript("""
            param($policy, $marker)
            $soak = { param($Cluster) if ($Cluster.Name -eq 'c-staging-01') { [IO.File]::WriteAllText($marker, 'x'); for ($i = 0; $i -lt 1200; $i++) { [Threading.Thread]::Sleep(100) } }; $true }
            Start-FleetUpgrade -Policy $policy -KubernetesVersion v1.33.0 -RolloutId ctrlc-test -Check @{ soak = $soak } -PollIntervalSeconds 1 -Confirm:$false
            """).AddArgument(policy).AddArgument(marker);

        var running = ps.BeginInvoke();
        SpinWait.SpinUntil(() => File.Exists(marker), TimeSpan.FromSeconds(90)).Should().BeTrue("the staging soak check started");
        ps.Stop();
        var stopped = () => ps.EndInvoke(running);
        stopped.Should().Throw<PipelineStoppedException>();

        var recorded = Status(session.Run("Get-FleetUpgradeStatus ctrlc-test").ThrowIfFailed());
        recorded.State.Should().Be(FleetUpgradeState.Interrupted);
        recorded.Waves.Select(w => w.State).Should().Equal(FleetUpgradeState.Succeeded, FleetUpgradeState.Interrupted);

        var resumed = session.Run("""
            $global:soaked = [System.Collections.Generic.List[string]]::new()
            Start-FleetUpgrade -Policy $args[0] -KubernetesVersion v1.33.0 -RolloutId ctrlc-test -Resume -Check @{ soak = { param($Cluster) $global:soaked.Add($Cluster.Name); $true } } -PollIntervalSeconds 1 -Confirm:$false
            $global:soaked
            """, policy).ThrowIfFailed();

        Status(resumed).State.Should().Be(FleetUpgradeState.Succeeded);
        resumed.Output.OfType<string>().Should().Equal("c-staging-01");
        ServerVersion(session, "c-staging-01").Should().Be(ToVersion);
    }

    [RequiresSharedCrdsFact]
    public void Bad_policies_and_checks_are_terminating_errors_naming_the_file_and_field()
    {
        using var session = fixture.NewSessionWithClusters([]);
        var badCron = PolicyFile("waves: [{ name: dev, clusters: [dev-*], schedule: '61 2 * * *' }]");
        var typo = PolicyFile("waves: [{ name: dev, clusters: [dev-*], aproval: manual }]");
        var needsCheck = PolicyFile("waves: [{ name: dev, clusters: [dev-*], postChecks: [smoke] }]");

        var cron = session.Run("Get-FleetUpgradePlan $args[0] -KubernetesVersion v1.33.0", badCron);
        var field = session.Run("Start-FleetUpgrade $args[0] -KubernetesVersion v1.33.0 -Confirm:$false", typo);
        var missingCheck = session.Run("Start-FleetUpgrade $args[0] -KubernetesVersion v1.33.0 -Confirm:$false", needsCheck);
        var notAScript = session.Run("Start-FleetUpgrade $args[0] -KubernetesVersion v1.33.0 -Check @{ smoke = 'yes' } -Confirm:$false", needsCheck);
        var badId = session.Run("Start-FleetUpgrade $args[0] -KubernetesVersion v1.33.0 -RolloutId Bad_Id -Check @{ smoke = {} } -Confirm:$false", needsCheck);
        var nothing = session.Run("Start-FleetUpgrade -RolloutId never-started -Resume -Confirm:$false");

        cron.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("UpgradePolicyInvalid,");
        cron.TerminatingRecord.ToString().Should().Contain(badCron).And.Contain("schedule '61 2 * * *'");
        field.TerminatingRecord!.ToString().Should().Contain(typo).And.Contain("unknown key 'aproval'");
        missingCheck.TerminatingRecord!.ToString().Should().Contain("names the check 'smoke'");
        notAScript.TerminatingRecord!.ToString().Should().Contain("-Check 'smoke' is not a script block");
        badId.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("UpgradeRolloutInvalid,");
        nothing.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("UpgradeRolloutNotFound,");
        session.Run("Get-FleetUpgradeStatus never-started").Errors.Should().ContainSingle("nothing was started");
    }
}
