using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>A policy's track choosing versions from what the emulated management cluster's Cluster API offers.</summary>
public sealed class UpgradeTrackLiveTests
{
    // A ClusterClass of Cluster API v1.12 and newer lists the versions its clusters may run.
    private const string ClusterClass = """
        apiVersion: cluster.x-k8s.io/v1beta2
        kind: ClusterClass
        metadata: { name: quick-start, namespace: default }
        spec:
          kubernetesVersions: [v1.32.3, v1.32.8, v1.33.4, v1.34.1]
          infrastructure:
            templateRef: { apiVersion: infrastructure.cluster.x-k8s.io/v1beta2, kind: DockerClusterTemplate, name: quick-start }
          controlPlane:
            templateRef: { apiVersion: controlplane.cluster.x-k8s.io/v1beta2, kind: KubeadmControlPlaneTemplate, name: quick-start }
        """;

    private const string Policy = """
        clusters:
          - name: "dev-*"
            upgrade: { auto: true, track: latest }
          - name: "prod-*"
            upgrade: { approval: manual, track: stable }
        """;

    [RequiresSharedCrdsFact]
    public async Task Stable_takes_the_newest_offered_patch_of_the_current_minor_and_latest_the_newest_offered_version()
    {
        await using var bed = await UpgradeTestBed.StartAsync("track-mgmt");
        await bed.CreateClustersAsync("dev-01", "prod-01");
        var apply = new ApplyService(bed.Connector);
        var applied = await apply.ApplyAsync(apply.Plan([bed.Management], ManifestReader.ReadText(ClusterClass)), new ApplyOptions()).ToListAsync();
        applied.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created, applied[0].Message);

        var facts = await new ManagedClusterClient(bed.Connector).ReadVersionFactsAsync(bed.Management, "default", bed.Fleet);
        var plan = UpgradePlanner.Plan(UpgradePolicy.Parse(Policy), bed.Fleet, null, DateTimeOffset.UtcNow, facts);

        facts.Offered.Should().Equal("v1.32.3", "v1.32.8", "v1.33.4", "v1.34.1");
        facts.OfferedBy.Should().Be("Cluster API on 'track-mgmt' (ClusterClass quick-start)");
        facts.Current.Should().HaveCount(2).And.Contain("dev-01", UpgradeTestBed.FromVersion).And.Contain("prod-01", UpgradeTestBed.FromVersion);
        plan.Waves.Should().HaveCount(2);
        plan.Waves.Select(w => $"{w.Name} {w.KubernetesVersion} ({w.VersionReason})").Should().Equal(
            "dev-* v1.34.1 (track latest: the newest version Cluster API on 'track-mgmt' (ClusterClass quick-start) offers)",
            "prod-* v1.32.8 (track stable: the newest patch of 1.32 Cluster API on 'track-mgmt' (ClusterClass quick-start) offers)");
    }

    [RequiresSharedCrdsFact]
    public async Task The_plan_reader_asks_the_management_cluster_only_when_a_track_needs_its_versions()
    {
        await using var bed = await UpgradeTestBed.StartAsync("track-reader");
        await bed.CreateClustersAsync("dev-01", "prod-01");
        var apply = new ApplyService(bed.Connector);
        await apply.ApplyAsync(apply.Plan([bed.Management], ManifestReader.ReadText(ClusterClass)), new ApplyOptions()).ToListAsync();
        var reader = new UpgradePlanReader(bed.Connector);
        const string noTrack = """
            clusters:
              - name: "*-01"
                upgrade: { auto: true }
            """;

        var before = bed.Emulator.RequestLog.Requests.Count;
        var pinned = await reader.PlanAsync(UpgradePolicy.Parse(noTrack), bed.Fleet, "v1.33.4", null, "default", DateTimeOffset.UtcNow, CancellationToken.None);
        var untouched = bed.Emulator.RequestLog.Requests.Count;
        var tracked = await reader.PlanAsync(UpgradePolicy.Parse(Policy), bed.Fleet, null, null, "default", DateTimeOffset.UtcNow, CancellationToken.None);

        untouched.Should().Be(before, "no track, so no version to read");
        pinned.Waves.Should().ContainSingle().Which.KubernetesVersion.Should().Be("v1.33.4");
        tracked.Waves.Select(w => w.KubernetesVersion).Should().Equal("v1.34.1", "v1.32.8");
        bed.Emulator.RequestLog.Requests.Count.Should().BeGreaterThan(untouched, "the tracks read the ClusterClasses");
    }

    [RequiresSharedCrdsFact]
    public async Task Without_a_class_that_lists_versions_latest_is_refused_by_name()
    {
        await using var bed = await UpgradeTestBed.StartAsync("track-none", withController: false);
        var facts = await new ManagedClusterClient(bed.Connector).ReadVersionFactsAsync(bed.Management, "default", bed.Fleet);

        var act = () => UpgradePlanner.Plan(UpgradePolicy.Parse(Policy), bed.Fleet, null, DateTimeOffset.UtcNow, facts);

        facts.Offered.Should().BeEmpty();
        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeVersionUnresolved);
        error.Target.Should().Be("dev-*");
        error.Message.Should().Be("Wave 'dev-*' has track latest, but Cluster API on 'track-none' (no ClusterClass in default lists spec.kubernetesVersions) offers no Kubernetes version; no version was chosen.");
    }
}
