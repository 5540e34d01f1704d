using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>A field-layout policy run by the rollout: the field's pod-security-check is the built-in podSecurity check.</summary>
public class FieldUpgradeRolloutTests
{
    private const string Policy = """
        clusters:
          - name: "dev-*"
            upgrade:
              auto: true
              pre_checks: [pod-security-check]
        """;

    [RequiresSharedCrdsFact]
    public async Task The_pod_security_check_stops_a_cluster_whose_namespaces_lack_an_enforce_label_before_it_is_upgraded()
    {
        await using var bed = await UpgradeTestBed.StartAsync("mgmt-field");
        await bed.CreateClustersAsync("dev-01");
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(Policy), bed.Fleet, UpgradeTestBed.ToVersion, DateTimeOffset.UtcNow).Waves;
        var options = new UpgradeRolloutOptions
        {
            ManagementCluster = bed.Management,
            RolloutId = "field-pss",
            Upgrade = new ClusterUpgradeOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) },
        };

        var rollout = new UpgradeRollout(bed.Connector);
        var status = await rollout.RunAsync(await rollout.PrepareAsync(plan, options, CancellationToken.None), bed.Fleet, options, CancellationToken.None);

        status.State.Should().Be(FleetUpgradeState.Failed);
        status.StoppedReason.Should().StartWith("Wave 'dev-*' failed at cluster 'dev-01': pre-check 'podSecurity' failed: cluster 'dev-01' has ")
            .And.Contain("without a pod-security.kubernetes.io/enforce label: default");
        bed.ControlPlaneVersion("dev-01").Should().Be(UpgradeTestBed.FromVersion, "a failed pre-check upgrades nothing");
    }
}
