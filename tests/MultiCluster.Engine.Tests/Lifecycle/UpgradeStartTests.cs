using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>Start-FleetUpgrade's engine entry, driven with plain delegates: no runspace involved.</summary>
public class UpgradeStartTests
{
    private const string TwoWaves = """
        waves:
          - name: dev
            clusters: [dev-*]
            postChecks: [smoke]
          - name: prod
            clusters: [prod-*]
            postChecks: [smoke]
        """;

    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static UpgradeRolloutOptions Options(UpgradeTestBed bed, Func<UpgradeCheckContext, string?> smoke, List<string> asked) => new()
    {
        ManagementCluster = bed.Management,
        RolloutId = "v1-33-0",
        Checks = new Dictionary<string, UpgradeCheck> { ["smoke"] = (context, _) => Task.FromResult(smoke(context)) },
        Proceed = (wave, _) => { asked.Add(wave.Name); return Task.FromResult(true); },
        Upgrade = new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) },
        Now = () => Now,
    };

    [Fact]
    public void Given_waves_that_mix_versions_or_none_are_refused_with_the_plan_named()
    {
        var waves = new[]
        {
            new FleetUpgradeWave { Order = 2, Name = "prod", KubernetesVersion = "v1.33.0" },
            new FleetUpgradeWave { Order = 1, Name = "dev", KubernetesVersion = "v1.32.5" },
        };

        var mixed = Assert.Throws<FleetInputException>(() => UpgradeStart.PlanFromWaves(waves));
        var empty = Assert.Throws<FleetInputException>(() => UpgradeStart.PlanFromWaves([]));

        mixed.ErrorId.Should().Be(LifecycleErrorIds.UpgradePolicyInvalid);
        mixed.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        mixed.Target.Should().Be("Plan");
        mixed.Message.Should().Contain("-Plan mixes Kubernetes versions (v1.32.5, v1.33.0)");
        empty.ErrorId.Should().Be(LifecycleErrorIds.UpgradePolicyInvalid);
        empty.Message.Should().Contain("-Plan holds no waves.");
        UpgradeStart.PlanFromWaves(waves[..1]).Select(w => w.Name).Should().Equal("prod");
        UpgradeStart.DefaultRolloutId(waves[..1]).Should().Be("v1-33-0");
    }

    [RequiresSharedCrdsFact]
    public async Task WhatIf_returns_the_waves_still_to_run_and_writes_nothing()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-start-whatif");
        await bed.CreateClustersAsync("dev-01", "prod-01");
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(TwoWaves), bed.Fleet, UpgradeTestBed.ToVersion, Now).Waves;
        var asked = new List<string>();

        var result = await new UpgradeStart(bed.Connector).RunAsync(plan, bed.Fleet, Options(bed, _ => null, asked), whatIf: true, CancellationToken.None);

        result.Pending.Should().HaveCount(2);
        result.Pending.Select(p => p.Wave.Name).Should().Equal("dev", "prod");
        result.Pending.Select(p => p.Clusters.Single()).Should().Equal("dev-01", "prod-01");
        result.Status.Should().BeNull();
        result.Failure.Should().BeNull();
        asked.Should().BeEmpty();
        (await new UpgradeRollout(bed.Connector).GetAsync(bed.Management, "default", "v1-33-0", CancellationToken.None)).Should().BeNull();
        bed.ControlPlaneVersion("dev-01").Should().Be(UpgradeTestBed.FromVersion);
        bed.ControlPlaneVersion("prod-01").Should().Be(UpgradeTestBed.FromVersion);
    }

    [RequiresSharedCrdsFact]
    public async Task A_failed_rollout_returns_its_status_and_the_error_to_report()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-start-fail");
        await bed.CreateClustersAsync("dev-01", "prod-01");
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(TwoWaves), bed.Fleet, UpgradeTestBed.ToVersion, Now).Waves;
        var asked = new List<string>();

        var result = await new UpgradeStart(bed.Connector).RunAsync(plan, bed.Fleet,
            Options(bed, c => c.Cluster == "dev-01" ? "the smoke test failed" : null, asked), whatIf: false, CancellationToken.None);

        result.Pending.Should().BeEmpty();
        result.Status!.State.Should().Be(FleetUpgradeState.Failed);
        result.Status.Waves.Select(w => w.State).Should().Equal(FleetUpgradeState.Failed, FleetUpgradeState.Pending);
        asked.Should().Equal("dev");
        result.Failure!.ErrorId.Should().Be(LifecycleErrorIds.UpgradeCheckFailed);
        result.Failure.Category.Should().Be(FleetErrorCategory.InvalidOperation);
        result.Failure.Target.Should().Be(bed.Management.Name);
        result.Failure.Message.Should().Be($"Rollout 'v1-33-0' stopped: {result.Status.StoppedReason}");
        bed.ControlPlaneVersion("prod-01").Should().Be(UpgradeTestBed.FromVersion);
    }
}
