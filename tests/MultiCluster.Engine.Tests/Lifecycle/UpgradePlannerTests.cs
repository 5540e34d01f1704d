using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class UpgradePlannerTests
{
    private const string Policy = """
        waves:
          - name: prod
            clusters: [prod-*]
            schedule: "0 22 * * 6"
            window: 6h
            strategy: RollingUpdate
            maxUnavailable: 25%
            approval: manual
            preChecks: [clusterHealth, versionSkew]
            postChecks: [clusterHealth]
          - name: catch-all
            clusters: ["*"]
        """;

    private const string ThreeWaves = """
        timeZone: UTC
        waves:
          - name: dev
            clusters: [dev-*]
            schedule: "0 2 * * *"
            approval: auto
          - name: staging
            clusters: [staging-*, qa-*]
            schedule: "0 2 * * 2"
            maxUnavailable: 2
          - name: prod
            clusters: [prod-*]
            schedule: "0 22 * * 6"
            window: 1h30m
            approval: manual
            postChecks: [clusterHealth]
        """;

    private static readonly FleetCluster[] Fleet =
        new[] { "prod-use1-01", "dev-01", "prod-euc1-01", "staging-01", "dev-02", "qa-01", "prod-apse1-01", "prod-usw2-01", "mgmt-01" }
            .Select(name => new FleetCluster { Name = name }).ToArray();

    // A Monday.
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Waves_run_dev_then_staging_then_prod_each_in_its_window()
    {
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(ThreeWaves), Fleet, "v1.33.1", Now);

        plan.Waves.Select(w => w.Name).Should().Equal("dev", "staging", "prod");
        plan.Waves.Select(w => w.Order).Should().Equal(1, 2, 3);
        plan.Waves[0].Clusters.Should().Equal("dev-01", "dev-02");
        plan.Waves[1].Clusters.Should().Equal("staging-01", "qa-01");
        plan.Waves[2].Clusters.Should().Equal("prod-use1-01", "prod-euc1-01", "prod-apse1-01", "prod-usw2-01");
        plan.Unmatched.Should().Equal("mgmt-01");

        plan.Waves[0].WindowStart.Should().Be(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero));
        plan.Waves[1].WindowStart.Should().Be(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero).AddDays(7),
            "staging's Tuesday window that opens with dev's is taken by dev, so staging gets the next one");
        plan.Waves[2].WindowStart.Should().Be(new DateTimeOffset(2026, 12, 5, 22, 0, 0, TimeSpan.Zero));
        plan.Waves[2].Window.Should().Be(TimeSpan.FromMinutes(90));
        plan.Waves[2].Approval.Should().Be(FleetUpgradeApproval.Manual);
        plan.Waves[1].MaxUnavailable.Should().Be(2);
        plan.Waves.Should().HaveCount(3).And.OnlyContain(w => w.KubernetesVersion == "v1.33.1");
    }

    [Fact]
    public void A_cluster_joins_the_first_wave_that_matches_and_percentages_round_up()
    {
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(Policy), Fleet, "v1.33.1", Now);

        plan.Waves[0].Clusters.Should().HaveCount(4);
        plan.Waves[0].MaxUnavailable.Should().Be(1, "25% of 4 clusters");
        plan.Waves[0].PreChecks.Should().Equal("clusterHealth", "versionSkew");
        plan.Waves[0].TimeZone.Should().Be("UTC");
        plan.Waves[1].Clusters.Should().Equal("dev-01", "staging-01", "dev-02", "qa-01", "mgmt-01");
        plan.Waves[1].WindowStart.Should().BeNull("a wave without a schedule starts when the previous one is done");
        plan.Waves[1].Window.Should().Be(TimeSpan.FromHours(4));
        plan.Unmatched.Should().BeEmpty();
    }

    [Fact]
    public void The_configmap_shape_with_a_policy_yaml_key_is_accepted()
    {
        var configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: upgrade-policy\ndata:\n  policy.yaml: |\n"
                        + string.Join("\n", ThreeWaves.Split('\n').Select(line => "    " + line)) + "\n";

        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(configMap), Fleet, "v1.33.1", Now);

        plan.Waves.Select(w => w.Name).Should().Equal("dev", "staging", "prod");
    }

    [Fact]
    public void A_schedule_in_a_time_zone_opens_at_local_time()
    {
        var policy = UpgradePolicy.Parse("waves:\n  - name: eu\n    clusters: ['*']\n    schedule: '0 2 * * *'\n    timeZone: Europe/Berlin\n");

        var wave = UpgradePlanner.Plan(policy, Fleet, "v1.33.1", Now).Waves.Single();

        wave.WindowStart.Should().Be(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero), "02:00 in Berlin is 01:00 UTC in winter");
    }

    [Theory]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    schedule: '61 2 * * *'\n", "schedule '61 2 * * *' is not a cron expression")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    schedule: 'every night'\n", "is not a cron expression")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    aproval: manual\n", "unknown key 'aproval' in wave 'dev'. Did you mean 'approval'?")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    approval: sometimes\n", "approval 'sometimes' is not one of Auto, Manual")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    strategy: Recreate\n", "strategy 'Recreate' is not one of RollingUpdate, OnDelete")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    maxUnavailable: 0\n", "maxUnavailable '0'")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    maxUnavailable: 150%\n", "maxUnavailable '150%'")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    window: forever\n", "window 'forever' is not a duration")]
    [InlineData("waves:\n  - name: dev\n    clusters: [dev-*]\n    timeZone: Mars/Olympus\n", "timeZone 'Mars/Olympus'")]
    [InlineData("waves:\n  - name: dev\n", "without 'clusters'")]
    [InlineData("waves:\n  - name: dev\n    clusters: [a]\n  - name: dev\n    clusters: [b]\n", "names wave 'dev' twice")]
    [InlineData("wave:\n  - name: dev\n", "unknown key 'wave' in the policy")]
    [InlineData("waves: []\n", "has no 'waves' list")]
    [InlineData("kind: ConfigMap\ndata:\n  other.yaml: x\n", "without a 'policy.yaml' key")]
    [InlineData("waves:\n  - name: [dev\n", "line 3")]
    public void A_malformed_policy_is_a_clear_error(string policy, string reason)
    {
        var act = () => UpgradePolicy.Parse(policy, "policy.yaml");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradePolicyInvalid);
        error.Message.Should().Contain(reason);
        error.Target.Should().StartWith("policy.yaml");
    }

    [Fact]
    public void A_bad_target_version_is_rejected()
    {
        var act = () => UpgradePlanner.Plan(UpgradePolicy.Parse(ThreeWaves), Fleet, "1.33", Now);

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(LifecycleErrorIds.KubernetesVersionInvalid);
    }

    [Fact]
    public void A_policy_file_is_loaded_and_a_missing_one_named()
    {
        using var folder = new Connections.TempDirectory();
        var path = folder.Write("policy.yaml", ThreeWaves);

        UpgradePolicy.Load(path).Waves.Should().HaveCount(3);
        var act = () => UpgradePolicy.Load(Path.Combine(folder.Path, "missing.yaml"));
        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(LifecycleErrorIds.UpgradePolicyInvalid);
    }
}
