using MultiCluster.Engine.Recovery;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Recovery;

/// <summary>Get-FleetDrReadiness's engine on the two-cluster recovery bed, from everything passing to each check failing.</summary>
public class DrReadinessServiceLiveTests
{
    private static DrReadinessService Service(RecoveryTestBed bed) => new(bed.Connector, null, TimeProvider.System);

    private static async Task<RecoveryTestBed> ReadyAsync(string prefix)
    {
        var bed = await RecoveryTestBed.StartAsync(prefix);
        foreach (var cluster in bed.Fleet.Clusters) RecoveryTestBed.ServeStorageKinds(cluster);
        bed.SharedLocation();
        bed.SeedProduction(bed.Primary);
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"production-1","namespace":"velero"},"spec":{"includedNamespaces":["production"]}}
            """));
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Schedule","metadata":{"name":"production","namespace":"velero"},
             "spec":{"schedule":"*/30 * * * *","template":{"includedNamespaces":["production"]}}}
            """));
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        return bed;
    }

    [RequiresSharedCrdsFact]
    public async Task A_ready_pair_passes_every_check_and_a_warm_standby_is_recognised()
    {
        await using var bed = await ReadyAsync("ready");
        RecoveryTestBed.CreateNamespace(bed.Standby, "production");
        RecoveryTestBed.Create(bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"production","annotations":{"multicluster.io/standby-replicas":"3"}},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}
            """));
        await bed.IdleAsync();
        var revisions = (bed.Primary.Store.CurrentResourceVersion, bed.Standby.Store.CurrentResourceVersion);

        var checks = await Service(bed).CheckAsync(bed.PrimaryCluster, bed.StandbyCluster, TimeSpan.FromHours(1), "velero", default);

        checks.Should().HaveCount(10);
        checks.Select(c => (c.Check, c.Status)).Should().Equal(("VeleroInstalled", "Pass"), ("LocationAvailable", "Pass"), ("VeleroInstalled", "Pass"),
            ("LocationAvailable", "Pass"), ("StandbySeesBackups", "Pass"), ("BackupAge", "Pass"), ("Schedules", "Pass"), ("VolumeSnapshots", "Pass"),
            ("StorageClasses", "Pass"), ("WarmStandby", "Pass"));
        checks.Should().OnlyContain(c => c.Cluster == bed.PrimaryCluster.Name && c.Standby == bed.StandbyCluster.Name && c.Action == "");
        checks[4].Detail.Should().Be($"{bed.StandbyCluster.Name}: default over the primary's bucket, ReadOnly");
        checks[5].Detail.Should().StartWith("production-1 started ").And.EndWith("ago (max 1h); the standby sees it");
        checks[6].Detail.Should().Be("1 schedule(s) cover production; worst-case RPO 30m (target 1h)");
        checks[7].Detail.Should().Be("the primary has no persistent volumes");
        checks[9].Detail.Should().Be("warm: 1 workloads at zero replicas ready to scale up (RTO class < 30 min)");
        (bed.Primary.Store.CurrentResourceVersion, bed.Standby.Store.CurrentResourceVersion).Should().Be(revisions, "the checks only read");
    }

    [RequiresSharedCrdsFact]
    public async Task Each_gap_fails_or_warns_with_what_to_do()
    {
        await using var bed = await ReadyAsync("notready");
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"production"},
             "spec":{"storageClassName":"fast-ssd","accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}
            """));

        var checks = await Service(bed).CheckAsync(bed.PrimaryCluster, bed.StandbyCluster, TimeSpan.FromMilliseconds(1), "velero", default);

        checks.Should().HaveCount(10);
        var failing = checks.Where(c => c.Status != "Pass").ToList();
        failing.Should().HaveCount(4);
        failing.Select(c => (c.Check, c.Status)).Should().Equal(("BackupAge", "Fail"), ("Schedules", "Fail"), ("StorageClasses", "Fail"), ("WarmStandby", "Warn"));
        failing[1].Detail.Should().Be("1 schedule(s) cover production; worst-case RPO 30m (target 0s)");
        failing[2].Detail.Should().Be($"{bed.StandbyCluster.Name} lacks 'fast-ssd' (used by production/data)");
        failing.Should().OnlyContain(c => c.Action.Length > 0);
        failing[3].Detail.Should().Be($"cold: no workloads of production on {bed.StandbyCluster.Name} (RTO class < 4 h)");

        var alone = await Service(bed).CheckAsync(bed.PrimaryCluster, null, TimeSpan.FromHours(1), "velero", default);
        alone.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Check = "Standby", Status = "Fail" });
    }

    [RequiresSharedCrdsFact]
    public async Task A_namespace_no_schedule_covers_and_volumes_snapshotted_in_another_region_fail_with_what_to_do()
    {
        await using var bed = await ReadyAsync("readyregion");
        RecoveryTestBed.CreateNamespace(bed.Primary, "payments");
        bed.Primary.Registry.Add(new MultiCluster.Testing.ApiServer.ResourceType
        {
            Group = "", Versions = ["v1"], Kind = "PersistentVolume", Plural = "persistentvolumes", Singular = "persistentvolume", Namespaced = false,
        });
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-data"},
             "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-1"}}}
            """));
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"VolumeSnapshotLocation","metadata":{"name":"ebs","namespace":"velero"},
             "spec":{"provider":"aws","config":{"region":"us-east-1"}}}
            """));
        await bed.IdleAsync();
        var standby = bed.StandbyCluster with { Region = "us-west-2" };

        var checks = await Service(bed).CheckAsync(bed.PrimaryCluster, standby, TimeSpan.FromHours(1), "velero", default);

        checks.Should().HaveCount(10);
        var schedules = checks.Single(c => c.Check == "Schedules");
        schedules.Status.Should().Be("Fail");
        schedules.Detail.Should().Be("no active schedule backs up payments");
        schedules.Action.Should().Be($"New-FleetBackupSchedule -Name <name> -Rpo 1h -Cluster {bed.PrimaryCluster.Name} -IncludedNamespace payments");
        var snapshots = checks.Single(c => c.Check == "VolumeSnapshots");
        snapshots.Status.Should().Be("Fail");
        snapshots.Detail.Should().Be($"1 persistent volume(s) snapshotted in us-east-1 (ebs); {standby.Name} in us-west-2 cannot restore those snapshots");
        snapshots.Action.Should().Contain("defaultVolumesToFsBackup").And.Contain("us-west-2");

        var sameRegion = await Service(bed).CheckAsync(bed.PrimaryCluster, bed.StandbyCluster with { Region = "us-east-1" }, TimeSpan.FromHours(1), "velero", default);
        sameRegion.Should().HaveCount(10);
        sameRegion.Single(c => c.Check == "VolumeSnapshots").Should().BeEquivalentTo(new { Status = "Pass", Detail = "1 persistent volume(s) snapshotted in us-east-1, the standby's region" });
    }

    [RequiresSharedCrdsFact]
    public async Task A_standby_without_Velero_fails_that_check_and_the_pair_checks_are_left_out()
    {
        await using var bed = await RecoveryTestBed.StartAsync("readynovelero", veleroOnStandby: false);
        bed.SharedLocation();

        var checks = await Service(bed).CheckAsync(bed.PrimaryCluster, bed.StandbyCluster, TimeSpan.FromHours(1), "velero", default);

        checks.Should().HaveCount(3);
        checks.Select(c => (c.Check, c.Status)).Should().Equal(("VeleroInstalled", "Pass"), ("LocationAvailable", "Pass"), ("VeleroInstalled", "Fail"));
        checks[2].Detail.Should().Be($"{bed.StandbyCluster.Name}: no Velero (velero.io/v1 not served)");
        checks[2].Action.Should().Be($"Install Velero on {bed.StandbyCluster.Name} (velero install, or its Helm chart).");
    }

    [RequiresSharedCrdsFact]
    public async Task A_standby_that_does_not_answer_fails_the_reachability_check_and_the_pair_checks_are_left_out()
    {
        await using var bed = await ReadyAsync("readydown");
        await bed.Standby.SetFaultsAsync(new MultiCluster.Testing.ApiServer.FaultSettings { Stopped = true });

        var checks = await Service(bed).CheckAsync(bed.PrimaryCluster, bed.StandbyCluster, TimeSpan.FromHours(1), "velero", default);

        checks.Select(c => (c.Cluster, c.Standby, c.Check, c.Status)).Should().Equal(
            (bed.PrimaryCluster.Name, bed.StandbyCluster.Name, "VeleroInstalled", "Pass"),
            (bed.PrimaryCluster.Name, bed.StandbyCluster.Name, "LocationAvailable", "Pass"),
            (bed.PrimaryCluster.Name, bed.StandbyCluster.Name, "Reachable", "Fail"));
        checks[2].Detail.Should().Be($"{bed.StandbyCluster.Name}: Cannot reach cluster '{bed.StandbyCluster.Name}': connection refused.");
        checks[2].Action.Should().Be($"Check {bed.StandbyCluster.Name} with Test-FleetCluster.");

        await bed.Standby.SetFaultsAsync(new MultiCluster.Testing.ApiServer.FaultSettings());
        var back = await Service(bed).CheckAsync(bed.PrimaryCluster, bed.StandbyCluster, TimeSpan.FromHours(1), "velero", default);
        back.Should().HaveCount(10).And.NotContain(c => c.Check == "Reachable");
    }

    [RequiresSharedCrdsFact]
    public async Task Across_the_fleet_a_pair_past_its_timeout_is_one_ClusterTimeout_error_and_the_other_pairs_carry_on()
    {
        await using var bed = await ReadyAsync("readyslow");
        await bed.Standby.SetFaultsAsync(new MultiCluster.Testing.ApiServer.FaultSettings { Latency = TimeSpan.FromSeconds(30) });
        // Two pairs: the primary with its slow standby, and the standby checked as a primary without one.
        DrPair[] pairs = [new(bed.PrimaryCluster, bed.StandbyCluster), new(bed.StandbyCluster, null)];
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var outcomes = await Service(bed).CheckAllAsync(pairs, TimeSpan.FromHours(1), "velero",
            new MultiCluster.Engine.FanOut.FanOutOptions { TimeoutSeconds = 2 }).ToListAsync();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25), "the slow pair is stopped at its timeout, not at the standby's 30 s");
        var failed = outcomes.Where(o => o.Error is not null).Should().ContainSingle().Which;
        failed.Cluster.Should().Be(bed.PrimaryCluster.Name);
        failed.Error!.ErrorId.Should().Be(MultiCluster.Engine.Errors.FleetErrorIds.ClusterTimeout);
        outcomes.Where(o => o.Value is not null).SelectMany(o => o.Value!.Select(c => (o.Cluster, c.Check, c.Status))).Should().Equal(
            [(bed.StandbyCluster.Name, "Standby", "Fail")], "the primary's checks are its error alone, and the other pair is still checked");
    }
}
