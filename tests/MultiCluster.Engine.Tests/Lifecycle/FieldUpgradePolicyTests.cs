using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Lifecycle.Upgrade;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>The upgrade policy as the field's runbooks keep it: a ConfigMap whose policy.yaml is a <c>clusters:</c> list.</summary>
public class FieldUpgradePolicyTests
{
    // Written for this test in the field's shape.
    private const string ConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: upgrade-policy, namespace: fleet-system }
        data:
          policy.yaml: |
            clusters:
              - name: "dev-*"
                upgrade:
                  auto: true
                  track: latest
                  pre_checks: [cluster-health]
              - name: "staging-*"
                upgrade:
                  schedule: "0 3 * * SAT"
                  strategy: RollingUpdate
                  max_unavailable: 1
                  approval: manual
                  track: stable
                  pre_checks: [kube-bench, pod-security-check]
                  post_checks: [smoke-tests]
              - name: "prod-*"
                upgrade:
                  schedule: "0 2 * * SUN"
                  max_unavailable: 50%
                  approval: manual
                  track: stable
                  pre_checks: [version-skew, pod-security-check]
                  post_checks: [integration-tests]
        """;

    private static readonly FleetCluster[] Fleet =
    [
        new() { Name = "prod-use1" }, new() { Name = "prod-euc1" }, new() { Name = "staging-use1" }, new() { Name = "dev-use1" },
    ];

    // What the management cluster's Cluster API offers, and where every cluster stands.
    private static readonly UpgradeVersionFacts Facts = new(["v1.31.9", "v1.32.3", "v1.32.7", "v1.33.2"], "Cluster API on 'mgmt' (ClusterClass quick-start)",
        new Dictionary<string, string> { ["prod-use1"] = "v1.32.3", ["prod-euc1"] = "1.32", ["staging-use1"] = "v1.31.4", ["dev-use1"] = "v1.32.3" });

    [Fact]
    public void Entries_become_waves_in_order_with_auto_meaning_no_approval_and_no_window()
    {
        var policy = UpgradePolicy.Parse(ConfigMap, "upgrade-policy.yaml");
        var plan = UpgradePlanner.Plan(policy, Fleet, null, new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero), Facts);

        plan.Waves.Should().HaveCount(3);
        plan.Unmatched.Should().BeEmpty();
        var (dev, staging, prod) = (plan.Waves[0], plan.Waves[1], plan.Waves[2]);
        dev.Name.Should().Be("dev-*");
        dev.Clusters.Should().Equal("dev-use1");
        dev.Approval.Should().Be(FleetUpgradeApproval.Auto);
        dev.Schedule.Should().BeNull();
        dev.WindowStart.Should().BeNull();
        dev.PreChecks.Should().Equal(UpgradeRollout.ClusterHealthCheck);
        staging.Approval.Should().Be(FleetUpgradeApproval.Manual);
        staging.WindowStart.Should().Be(new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero), "the first Saturday 03:00 after now");
        staging.PreChecks.Should().Equal("kube-bench", UpgradeRollout.PodSecurityCheck);
        staging.PostChecks.Should().Equal("smoke-tests");
        prod.Clusters.Should().Equal("prod-use1", "prod-euc1");
        prod.MaxUnavailable.Should().Be(1);
        prod.WindowStart.Should().Be(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero), "the first Sunday 02:00 after staging opens");
        prod.PreChecks.Should().Equal(UpgradeRollout.VersionSkewCheck, UpgradeRollout.PodSecurityCheck);
        policy.Waves.Select(w => w.Track).Should().Equal("latest", "stable", "stable");
        plan.Waves.Select(w => $"{w.KubernetesVersion}: {w.VersionReason}").Should().Equal(
            "v1.33.2: track latest: the newest version Cluster API on 'mgmt' (ClusterClass quick-start) offers",
            "v1.31.9: track stable: the newest patch of 1.31 Cluster API on 'mgmt' (ClusterClass quick-start) offers",
            "v1.32.7: track stable: the newest patch of 1.32 Cluster API on 'mgmt' (ClusterClass quick-start) offers");
    }

    [Fact]
    public void Latest_takes_the_given_version_and_a_wave_without_a_track_needs_one()
    {
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(ConfigMap), Fleet, "v1.33.0", DateTimeOffset.UtcNow, Facts);
        plan.Waves[0].KubernetesVersion.Should().Be("v1.33.0");
        plan.Waves[0].VersionReason.Should().Be("track latest: -KubernetesVersion");

        var untracked = UpgradePolicy.Parse("""
            waves:
              - name: all
                clusters: ["*"]
            """);
        var act = () => UpgradePlanner.Plan(untracked, Fleet, null, DateTimeOffset.UtcNow);
        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeVersionUnresolved);
        error.Category.Should().Be(FleetErrorCategory.InvalidOperation);
        error.Target.Should().Be("all");
        error.Message.Should().Be("Wave 'all' has no track, so it needs -KubernetesVersion; no version was chosen.");
        UpgradePlanner.Plan(untracked, Fleet, "v1.33.0", DateTimeOffset.UtcNow).Waves.Single().VersionReason.Should().Be("-KubernetesVersion");
    }

    [Theory]
    [InlineData("prod-euc1", "v1.31.2", "has track stable, but its clusters run several minors (1.32: prod-use1; 1.31: prod-euc1), and a wave moves to one version")]
    [InlineData("prod-euc1", null, "has track stable, but the current version of prod-euc1 is not known")]
    public void Stable_is_refused_when_it_cannot_choose_one_patch(string cluster, string? version, string problem)
    {
        var current = new Dictionary<string, string>(Facts.Current);
        if (version is null) current.Remove(cluster); else current[cluster] = version;

        var act = () => UpgradePlanner.Plan(UpgradePolicy.Parse(ConfigMap), Fleet, null, DateTimeOffset.UtcNow, Facts with { Current = current });

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeVersionUnresolved);
        error.Target.Should().Be("prod-*");
        error.Message.Should().Be($"Wave 'prod-*' {problem}; no version was chosen.");
    }

    [Fact]
    public void Nothing_offered_refuses_latest_without_a_version_and_stable_without_a_patch_of_its_minor()
    {
        var none = Facts with { Offered = [], OfferedBy = "Cluster API on 'mgmt' (no ClusterClass in default lists spec.kubernetesVersions)" };

        var latest = () => UpgradePlanner.Plan(UpgradePolicy.Parse(ConfigMap), Fleet, null, DateTimeOffset.UtcNow, none);
        latest.Should().Throw<FleetInputException>().Which.Message.Should().Be(
            "Wave 'dev-*' has track latest, but Cluster API on 'mgmt' (no ClusterClass in default lists spec.kubernetesVersions) offers no Kubernetes version; no version was chosen.");

        var stable = () => UpgradePlanner.Plan(UpgradePolicy.Parse(ConfigMap), Fleet, "v1.32.9", DateTimeOffset.UtcNow, none);
        stable.Should().Throw<FleetInputException>().Which.Message.Should().Be(
            "Wave 'staging-*' has track stable, but Cluster API on 'mgmt' (no ClusterClass in default lists spec.kubernetesVersions) offers no 1.31 version; no version was chosen.");
    }

    [Fact]
    public void A_named_check_neither_built_in_nor_given_is_refused_before_anything_starts()
    {
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(ConfigMap), Fleet, "v1.32.3", DateTimeOffset.UtcNow, Facts);
        UpgradeCheck passes = (_, _) => Task.FromResult<string?>(null);

        var missing = () => UpgradeRollout.ValidateChecks(plan.Waves, new Dictionary<string, UpgradeCheck> { ["kube-bench"] = passes, ["smoke-tests"] = passes });
        var complete = () => UpgradeRollout.ValidateChecks(plan.Waves,
            new Dictionary<string, UpgradeCheck> { ["kube-bench"] = passes, ["smoke-tests"] = passes, ["integration-tests"] = passes });

        var error = missing.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeCheckFailed);
        error.Target.Should().Be("integration-tests");
        error.Message.Should().Contain("Wave 'prod-*'").And.Contain("podSecurity");
        complete.Should().NotThrow();
    }

    [Theory]
    [InlineData("track: stable", "track: newest", "track 'newest' is not stable or latest")]
    [InlineData("max_unavailable: 1", "max_unavailble: 1", "unknown key 'max_unavailble' in the upgrade of clusters entry 'staging-*'. Did you mean 'max_unavailable'?")]
    [InlineData("auto: true", "auto: true\n          approval: manual", "auto: true and approval: manual")]
    [InlineData("0 3 * * SAT", "0 3 * * SATURDAY", "whose schedule '0 3 * * SATURDAY' is not a cron expression")]
    public void Bad_field_policies_are_refused_naming_the_document_and_value(string from, string to, string what)
    {
        var act = () => UpgradePolicy.Parse(ConfigMap.Replace(from, to), "upgrade-policy.yaml");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradePolicyInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Message.Should().StartWith("The upgrade policy upgrade-policy.yaml (policy.yaml)").And.Contain(what);
    }
}
