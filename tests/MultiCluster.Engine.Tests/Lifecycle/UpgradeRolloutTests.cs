using System.Collections.Concurrent;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class UpgradeRolloutTests
{
    private const string ThreeWaves = """
        waves:
          - name: dev
            clusters: [dev-*]
            preChecks: [clusterHealth, versionSkew]
            postChecks: [versionSkew, smoke]
          - name: staging
            clusters: [staging-*]
            postChecks: [smoke]
          - name: prod
            clusters: [prod-*]
            postChecks: [smoke]
        """;

    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<FleetUpgradeWave> Plan(UpgradeTestBed bed, string policy) =>
        UpgradePlanner.Plan(UpgradePolicy.Parse(policy), bed.Fleet, UpgradeTestBed.ToVersion, Now).Waves;

    private static UpgradeRolloutOptions Options(UpgradeTestBed bed, Func<UpgradeCheckContext, string?> smoke, bool resume = false,
        Func<FleetUpgradeWave, bool>? approve = null, string rolloutId = "v1-33-0") => new()
    {
        ManagementCluster = bed.Management,
        RolloutId = rolloutId,
        Resume = resume,
        Checks = new Dictionary<string, UpgradeCheck> { ["smoke"] = (context, _) => Task.FromResult(smoke(context)) },
        Approve = approve is null ? null : (wave, _) => Task.FromResult(approve(wave)),
        Upgrade = new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) },
        Now = () => Now,
    };

    private static async Task<FleetUpgradeStatus> RunAsync(UpgradeTestBed bed, IReadOnlyList<FleetUpgradeWave>? plan, UpgradeRolloutOptions options,
        CancellationToken cancellationToken = default)
    {
        var rollout = new UpgradeRollout(bed.Connector);
        var prepared = await rollout.PrepareAsync(plan, options, cancellationToken);
        return await rollout.RunAsync(prepared, bed.Fleet, options, cancellationToken);
    }

    private static long ControlPlaneGeneration(UpgradeTestBed bed, string cluster) =>
        (long)bed.Get(ClusterApiController.ControlPlaneGroup, "kubeadmcontrolplanes", cluster + "-control-plane")["metadata"]!["generation"]!;

    [RequiresSharedCrdsFact]
    public async Task A_failing_post_check_in_wave_two_stops_the_rollout_before_wave_three_and_says_why()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-waves");
        await bed.CreateClustersAsync("dev-01", "staging-01", "prod-01");

        var status = await RunAsync(bed, Plan(bed, ThreeWaves), Options(bed, c => c.Cluster == "staging-01" ? "the checkout page answers 502" : null));

        status.State.Should().Be(FleetUpgradeState.Failed);
        status.StoppedReason.Should().Be(
            "Wave 'staging' failed at cluster 'staging-01': post-check 'smoke' failed: the checkout page answers 502 The 1 later wave was not started.");
        status.Waves.Select(w => w.State).Should().Equal(FleetUpgradeState.Succeeded, FleetUpgradeState.Failed, FleetUpgradeState.Pending);
        bed.Child("dev-01").KubernetesVersion.Should().Be(UpgradeTestBed.ToVersion);
        bed.Child("staging-01").KubernetesVersion.Should().Be(UpgradeTestBed.ToVersion, "the post-check runs after the upgrade");
        bed.ControlPlaneVersion("prod-01").Should().Be(UpgradeTestBed.FromVersion);
        bed.Child("prod-01").KubernetesVersion.Should().Be(UpgradeTestBed.FromVersion);

        var recorded = await new UpgradeRollout(bed.Connector).GetAsync(bed.Management, "default", "v1-33-0", CancellationToken.None);
        recorded!.Status.Should().BeEquivalentTo(status, o => o.Excluding(s => s.Updated));
        recorded.Plan.Select(w => w.Clusters.Single()).Should().Equal("dev-01", "staging-01", "prod-01");
    }

    [RequiresSharedCrdsFact]
    public async Task A_manual_wave_that_is_not_approved_stops_the_rollout_and_leaves_the_later_waves_untouched()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-manual");
        await bed.CreateClustersAsync("dev-01", "prod-01", "tools-01");
        var asked = new List<string>();

        var status = await RunAsync(bed, Plan(bed, """
            waves:
              - { name: dev, clusters: [dev-*] }
              - { name: prod, clusters: [prod-*], approval: manual }
              - { name: tools, clusters: [tools-*] }
            """), Options(bed, _ => null, approve: wave => { asked.Add(wave.Name); return false; }));

        asked.Should().Equal("prod");
        status.State.Should().Be(FleetUpgradeState.Declined);
        status.StoppedReason.Should().Be("Wave 'prod' was not approved; the rollout stops before it. -Resume asks again.");
        status.Waves.Select(w => (w.Name, w.State)).Should().Equal(
            ("dev", FleetUpgradeState.Succeeded), ("prod", FleetUpgradeState.Declined), ("tools", FleetUpgradeState.Pending));
        status.Waves[1].Message.Should().Be("Manual approval was refused.");
        bed.ControlPlaneVersion("prod-01").Should().Be(UpgradeTestBed.FromVersion);
        bed.ControlPlaneVersion("tools-01").Should().Be(UpgradeTestBed.FromVersion, "no wave runs past a declined one");

        var approved = await RunAsync(bed, null, Options(bed, _ => null, resume: true, approve: _ => true));

        approved.State.Should().Be(FleetUpgradeState.Succeeded);
        bed.Child("prod-01").KubernetesVersion.Should().Be(UpgradeTestBed.ToVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task A_manual_wave_with_no_one_to_ask_stops_the_rollout_and_leaves_the_later_waves_untouched()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-unasked");
        await bed.CreateClustersAsync("dev-01", "prod-01", "tools-01");

        // No approval step at all (a caller that cannot ask): fail closed, as if refused.
        var status = await RunAsync(bed, Plan(bed, """
            waves:
              - { name: dev, clusters: [dev-*] }
              - { name: prod, clusters: [prod-*], approval: manual }
              - { name: tools, clusters: [tools-*] }
            """), Options(bed, _ => null, approve: null));

        status.State.Should().Be(FleetUpgradeState.Declined);
        status.StoppedReason.Should().Be("Wave 'prod' was not approved; the rollout stops before it. -Resume asks again.");
        status.Waves.Select(w => (w.Name, w.State)).Should().Equal(
            ("dev", FleetUpgradeState.Succeeded), ("prod", FleetUpgradeState.Declined), ("tools", FleetUpgradeState.Pending));
        bed.Child("dev-01").KubernetesVersion.Should().Be(UpgradeTestBed.ToVersion, "the automatic wave before it ran");
        bed.ControlPlaneVersion("prod-01").Should().Be(UpgradeTestBed.FromVersion);
        bed.Child("prod-01").KubernetesVersion.Should().Be(UpgradeTestBed.FromVersion);
        bed.ControlPlaneVersion("tools-01").Should().Be(UpgradeTestBed.FromVersion, "no wave runs past one nobody approved");
        bed.Child("tools-01").KubernetesVersion.Should().Be(UpgradeTestBed.FromVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task A_Running_checkpoint_without_a_recent_heartbeat_reads_as_Interrupted_and_a_fresh_one_cannot_be_resumed_twice()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-heartbeat", withController: false);
        var plan = Plan(bed, "waves:\n  - { name: dev, clusters: [dev-*] }\n");
        async Task WriteRunningAsync(string rolloutId, TimeSpan age)
        {
            var status = UpgradeRollout.NewStatus(plan, Options(bed, _ => null, rolloutId: rolloutId));
            status.State = status.Waves[0].State = FleetUpgradeState.Running;
            // The last write of a run that then died (killed process): nothing rewrote it since.
            var checkpoint = new UpgradeCheckpoint(bed.Connector, bed.Management, "default", () => DateTimeOffset.UtcNow - age);
            await checkpoint.WriteAsync(new UpgradeRolloutRecord(plan, status), CancellationToken.None);
        }
        await WriteRunningAsync("killed", UpgradeCheckpoint.StaleAfter + TimeSpan.FromMinutes(1));
        await WriteRunningAsync("alive", TimeSpan.FromSeconds(5));
        var rollout = new UpgradeRollout(bed.Connector);

        var killed = (await rollout.GetAsync(bed.Management, "default", "killed", CancellationToken.None))!.Status;
        killed.State.Should().Be(FleetUpgradeState.Interrupted);
        killed.Waves[0].State.Should().Be(FleetUpgradeState.Interrupted);
        killed.StoppedReason.Should().StartWith("The run stopped without recording it (no heartbeat since").And.EndWith("-Resume continues it.");
        (await rollout.PrepareAsync(null, Options(bed, _ => null, resume: true, rolloutId: "killed"), CancellationToken.None))
            .Status.State.Should().Be(FleetUpgradeState.Interrupted, "a dead run's rollout can be resumed");

        (await rollout.GetAsync(bed.Management, "default", "alive", CancellationToken.None))!.Status.State.Should().Be(FleetUpgradeState.Running);
        var second = () => rollout.PrepareAsync(null, Options(bed, _ => null, resume: true, rolloutId: "alive"), CancellationToken.None);
        var error = (await second.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeRolloutExists);
        error.Message.Should().Contain("is running in another session");
    }

    [RequiresSharedCrdsFact]
    public async Task Two_runs_of_one_rollout_cannot_both_proceed_the_second_stops_at_its_first_checkpoint_write()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-twice");
        await bed.CreateClustersAsync("dev-01");
        var release = new TaskCompletionSource();
        var checksRun = 0;
        var options = new UpgradeRolloutOptions
        {
            ManagementCluster = bed.Management,
            RolloutId = "twice",
            Checks = new Dictionary<string, UpgradeCheck>
            {
                ["smoke"] = async (_, token) => { Interlocked.Increment(ref checksRun); await release.Task.WaitAsync(token); return null; },
            },
            Upgrade = new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) },
            Now = () => Now,
        };
        var plan = Plan(bed, "waves:\n  - { name: dev, clusters: [dev-*], preChecks: [smoke] }\n");
        var rollout = new UpgradeRollout(bed.Connector);
        // Both sessions read before either wrote: both see a new rollout.
        var first = await rollout.PrepareAsync(plan, options, CancellationToken.None);
        var second = await rollout.PrepareAsync(plan, options, CancellationToken.None);
        var running = rollout.RunAsync(first, bed.Fleet, options, CancellationToken.None);
        while (Volatile.Read(ref checksRun) == 0) await Task.Delay(50);
        var written = (await rollout.GetAsync(bed.Management, "default", "twice", CancellationToken.None))!;

        var secondRun = () => rollout.RunAsync(second, bed.Fleet, options, CancellationToken.None);
        var error = (await secondRun.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeRolloutExists);
        error.Category.Should().Be(FleetErrorCategory.ResourceExists);
        error.Target.Should().Be(bed.Management.Name);
        error.Message.Should().Contain("was started by another run").And.Contain("two runs of one rollout cannot both proceed");
        Volatile.Read(ref checksRun).Should().Be(1, "the second run ran no check");
        (await rollout.GetAsync(bed.Management, "default", "twice", CancellationToken.None))!.ResourceVersion
            .Should().Be(written.ResourceVersion, "the second run wrote nothing");

        // A copy read before the first run's later writes is refused the same way.
        release.SetResult();
        (await running).State.Should().Be(FleetUpgradeState.Succeeded);
        var staleWrite = () => new UpgradeCheckpoint(bed.Connector, bed.Management, "default").WriteAsync(written, CancellationToken.None);
        (await staleWrite.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Contain("was changed by another run");
        (await rollout.GetAsync(bed.Management, "default", "twice", CancellationToken.None))!.Status.State.Should().Be(FleetUpgradeState.Succeeded);
    }

    [RequiresSharedCrdsFact]
    public async Task A_long_run_rewrites_its_checkpoint_as_a_heartbeat()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-beat");
        await bed.CreateClustersAsync("dev-01");
        var rollout = new UpgradeRollout(bed.Connector);
        var options = new UpgradeRolloutOptions
        {
            ManagementCluster = bed.Management,
            RolloutId = "beat",
            Checks = new Dictionary<string, UpgradeCheck> { ["smoke"] = async (_, token) => { await Task.Delay(TimeSpan.FromSeconds(2), token); return null; } },
            Upgrade = new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) },
            Now = () => Now,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        };
        var prepared = await rollout.PrepareAsync(Plan(bed, "waves:\n  - { name: dev, clusters: [dev-*], preChecks: [smoke] }\n"), options, CancellationToken.None);
        var writes = new ConcurrentQueue<DateTimeOffset>();
        var running = rollout.RunAsync(prepared, bed.Fleet, options, CancellationToken.None);
        while (!running.IsCompleted)
        {
            if ((await rollout.GetAsync(bed.Management, "default", "beat", CancellationToken.None))?.Status is { State: FleetUpgradeState.Running } status)
                writes.Enqueue(status.Updated);
            await Task.Delay(100);
        }

        (await running).State.Should().Be(FleetUpgradeState.Succeeded);
        writes.Distinct().Count().Should().BeGreaterThan(4, "the checkpoint was rewritten while the 2 s pre-check ran, though no step finished");
    }

    [RequiresSharedCrdsFact]
    public async Task A_resumed_rollout_continues_at_the_failed_wave_without_redoing_the_done_ones()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-resume");
        await bed.CreateClustersAsync("dev-01", "staging-01", "prod-01");
        var checkedClusters = new ConcurrentQueue<string>();
        var stagingBroken = true;
        string? Smoke(UpgradeCheckContext context)
        {
            checkedClusters.Enqueue(context.Cluster);
            return stagingBroken && context.Cluster == "staging-01" ? "not yet" : null;
        }

        (await RunAsync(bed, Plan(bed, ThreeWaves), Options(bed, Smoke))).State.Should().Be(FleetUpgradeState.Failed);
        var devGeneration = ControlPlaneGeneration(bed, "dev-01");
        stagingBroken = false;
        checkedClusters.Clear();

        var resumed = await RunAsync(bed, null, Options(bed, Smoke, resume: true));

        resumed.State.Should().Be(FleetUpgradeState.Succeeded);
        resumed.StoppedReason.Should().BeNull();
        checkedClusters.Should().Equal("staging-01", "prod-01");
        ControlPlaneGeneration(bed, "dev-01").Should().Be(devGeneration, "dev was done and is not touched again");
        bed.Child("prod-01").KubernetesVersion.Should().Be(UpgradeTestBed.ToVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task A_run_cut_off_mid_wave_is_recorded_as_interrupted_and_resumes_where_it_stopped()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-cut");
        await bed.CreateClustersAsync("dev-01", "staging-01", "prod-01");
        using var runbookLimit = new CancellationTokenSource();
        var options = Options(bed, context =>
        {
            if (context.Cluster == "staging-01") runbookLimit.Cancel();
            return null;
        });

        var cut = () => RunAsync(bed, Plan(bed, ThreeWaves), options, runbookLimit.Token);

        await cut.Should().ThrowAsync<OperationCanceledException>();
        var recorded = (await new UpgradeRollout(bed.Connector).GetAsync(bed.Management, "default", "v1-33-0", CancellationToken.None))!.Status;
        recorded.State.Should().Be(FleetUpgradeState.Interrupted);
        recorded.Waves.Select(w => w.State).Should().Equal(FleetUpgradeState.Succeeded, FleetUpgradeState.Interrupted, FleetUpgradeState.Pending);
        recorded.Waves[1].Clusters.Single().State.Should().Be(FleetUpgradeState.Interrupted);

        var resumed = await RunAsync(bed, null, Options(bed, _ => null, resume: true));

        resumed.State.Should().Be(FleetUpgradeState.Succeeded);
        resumed.Waves.SelectMany(w => w.Clusters).Should().HaveCount(3).And.OnlyContain(c => c.State == FleetUpgradeState.Succeeded);
    }

    [RequiresSharedCrdsFact]
    public async Task A_wave_outside_its_maintenance_window_stops_the_rollout_until_a_later_run()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-window");
        await bed.CreateClustersAsync("dev-01", "prod-01");
        var plan = Plan(bed, """
            waves:
              - { name: dev, clusters: [dev-*] }
              - { name: prod, clusters: [prod-*], schedule: "0 2 * * *", window: 2h }
            """);

        var status = await RunAsync(bed, plan, Options(bed, _ => null));

        status.State.Should().Be(FleetUpgradeState.WaitingForWindow);
        status.StoppedReason.Should().StartWith("Wave 'prod' waits for its maintenance window ('0 2 * * *' UTC), next opening 2026-11-25 02:00:00Z");
        bed.ControlPlaneVersion("prod-01").Should().Be(UpgradeTestBed.FromVersion);
        UpgradeRollout.Window(plan[1], new DateTimeOffset(2026, 11, 25, 3, 30, 0, TimeSpan.Zero)).Open.Should().BeTrue();
    }

    [RequiresSharedCrdsFact]
    public async Task Bad_input_is_refused_before_anything_is_written()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-bad");
        await bed.CreateClustersAsync("dev-01");
        var rollout = new UpgradeRollout(bed.Connector);
        var plan = Plan(bed, "waves: [{ name: dev, clusters: [dev-*], postChecks: [smoke, loadTest] }]");

        var unknownCheck = () => rollout.PrepareAsync(plan, Options(bed, _ => null), CancellationToken.None);
        var badId = () => rollout.PrepareAsync(plan, Options(bed, _ => null, rolloutId: "Not_A_Label"), CancellationToken.None);
        var nothingToResume = () => rollout.PrepareAsync(null, Options(bed, _ => null, resume: true), CancellationToken.None);

        (await unknownCheck.Should().ThrowAsync<FleetInputException>()).Which.Message.Should()
            .Be("Wave 'dev' names the check 'loadTest', which is neither built in (clusterHealth, versionSkew, podSecurity) nor given with -Check.");
        (await badId.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(LifecycleErrorIds.UpgradeRolloutInvalid);
        (await nothingToResume.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(LifecycleErrorIds.UpgradeRolloutNotFound);
        (await rollout.ListAsync(bed.Management, "default", CancellationToken.None)).Should().BeEmpty();
        bed.ControlPlaneVersion("dev-01").Should().Be(UpgradeTestBed.FromVersion);

        var valid = Plan(bed, "waves: [{ name: dev, clusters: [dev-*] }]");
        await RunAsync(bed, valid, Options(bed, _ => null));
        var again = () => rollout.PrepareAsync(valid, Options(bed, _ => null), CancellationToken.None);
        (await again.Should().ThrowAsync<FleetClusterException>()).Which.Message.Should().Be("Rollout 'v1-33-0' already exists (Succeeded, waves done 1/1).");
    }
}
