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

        checks.Should().HaveCount(8);
        checks.Select(c => (c.Check, c.Status)).Should().Equal(("VeleroInstalled", "Pass"), ("LocationAvailable", "Pass"), ("VeleroInstalled", "Pass"),
            ("LocationAvailable", "Pass"), ("StandbySeesBackups", "Pass"), ("BackupAge", "Pass"), ("StorageClasses", "Pass"), ("WarmStandby", "Pass"));
        checks.Should().OnlyContain(c => c.Cluster == bed.PrimaryCluster.Name && c.Standby == bed.StandbyCluster.Name && c.Action == "");
        checks[4].Detail.Should().Be($"{bed.StandbyCluster.Name}: default over the primary's bucket, ReadOnly");
        checks[5].Detail.Should().StartWith("production-1 started ").And.EndWith("ago (max 1h); the standby sees it");
        checks[7].Detail.Should().Be("warm: 1 workloads at zero replicas ready to scale up (RTO class < 30 min)");
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

        checks.Should().HaveCount(8);
        var failing = checks.Where(c => c.Status != "Pass").ToList();
        failing.Should().HaveCount(3);
        failing.Select(c => (c.Check, c.Status)).Should().Equal(("BackupAge", "Fail"), ("StorageClasses", "Fail"), ("WarmStandby", "Warn"));
        failing[1].Detail.Should().Be($"{bed.StandbyCluster.Name} lacks 'fast-ssd' (used by production/data)");
        failing.Should().OnlyContain(c => c.Action.Length > 0);
        failing[2].Detail.Should().Be($"cold: no workloads of production on {bed.StandbyCluster.Name} (RTO class < 4 h)");

        var alone = await Service(bed).CheckAsync(bed.PrimaryCluster, null, TimeSpan.FromHours(1), "velero", default);
        alone.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Check = "Standby", Status = "Fail" });
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
}
