using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Recovery;
using MultiCluster.Testing.Controllers.Velero;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Recovery;

/// <summary>Schedules applied through the module, backups made and synced by the simulated Velero, read back with their RPO.</summary>
public class BackupServiceLiveTests
{
    [RequiresSharedCrdsFact]
    public async Task A_schedule_backs_up_at_once_and_on_its_cron_and_the_standby_sees_the_backups()
    {
        await using var bed = await RecoveryTestBed.StartAsync("sched");
        bed.SharedLocation();
        bed.SeedProduction(bed.Primary);
        var service = new BackupService(bed.Connector, null, bed.Time);
        // Ten seconds past a five-minute mark, so no cron run falls within the first backup's two seconds.
        var start = bed.Primary.Clock.UtcNow;
        await bed.AdvanceAsync(NextFiveMinuteMark(start) - start + TimeSpan.FromSeconds(10));
        var schedule = BackupScheduleDefinition.Create("production", null, TimeSpan.FromMinutes(5), null, TimeSpan.FromDays(30),
            d => d with { IncludedNamespaces = ["production"] });

        var apply = new ApplyService(bed.Connector);
        var applied = await apply.ApplyAsync(apply.Plan([bed.PrimaryCluster], [schedule.Render()]), new ApplyOptions { ForceConflicts = true }).ToListAsync();
        applied.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));

        var primaryBackups = await Values(service.GetBackupsAsync([bed.PrimaryCluster], false, new FanOutOptions()));
        primaryBackups.Should().HaveCount(1);
        var first = primaryBackups[0];
        first.Name.Should().StartWith("production-").And.HaveLength("production-".Length + 14);
        first.Phase.Should().Be("Completed");
        first.Schedule.Should().Be("production");
        first.StorageLocation.Should().Be("default");
        first.IncludedNamespaces.Should().Equal("production");
        // The namespace, its ConfigMap, Secret, Service and Deployment (plus what the emulator adds to a namespace).
        first.TotalItems.Should().Be(first.ItemsBackedUp).And.BeGreaterThanOrEqualTo(5);
        (first.CompletionTime - first.StartTime).Should().Be(TimeSpan.FromSeconds(2));
        first.Expiration.Should().Be(first.StartTime + TimeSpan.FromDays(30));
        first.Rpo.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2)).And.BeLessThan(TimeSpan.FromMinutes(1));

        var standbyBackups = await Values(service.GetBackupsAsync([bed.StandbyCluster], false, new FanOutOptions()));
        standbyBackups.Should().HaveCount(1, "the standby's read-only location points at the same bucket (backup sync)");
        standbyBackups[0].Name.Should().Be(first.Name);
        standbyBackups[0].Phase.Should().Be("Completed");
        standbyBackups[0].StartTime.Should().Be(first.StartTime);

        // To just past the cron's next run (the next multiple of five minutes), then past the backup's two seconds.
        var now = bed.Primary.Clock.UtcNow;
        await bed.AdvanceAsync(NextFiveMinuteMark(now) - now + TimeSpan.FromMilliseconds(100));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        var later = await Values(service.GetBackupsAsync(bed.Clusters, false, new FanOutOptions()));
        later.Should().HaveCount(4, "the cron made a second backup, synced to the standby");
        later.Where(b => b.Cluster == bed.PrimaryCluster.Name).Select(b => b.Name).Should().HaveCount(2).And.EndWith(first.Name, "newest first");
        var latest = await Values(service.GetBackupsAsync([bed.PrimaryCluster], true, new FanOutOptions()));
        latest.Should().ContainSingle().Which.Name.Should().NotBe(first.Name);
        var latestOfTheWanted = await Values(service.GetBackupsAsync([bed.PrimaryCluster], true, new FanOutOptions(), default, b => b.Name == first.Name));
        latestOfTheWanted.Should().ContainSingle("the filter comes before the newest of each schedule is taken").Which.Name.Should().Be(first.Name);

        var schedules = await Values(service.GetSchedulesAsync(bed.Clusters, new FanOutOptions()));
        var read = schedules.Should().ContainSingle().Which;
        read.Cluster.Should().Be(bed.PrimaryCluster.Name);
        read.Schedule.Should().Be("*/5 * * * *");
        read.Phase.Should().Be("Enabled");
        read.WorstCaseRpo.Should().Be(TimeSpan.FromMinutes(5));
        read.WorstCaseRpoText.Should().Be("5m");
        read.Ttl.Should().Be(TimeSpan.FromDays(30));
        read.ExcludedResources.Should().Equal("events", "events.events.k8s.io");
        read.LastBackup.Should().NotBeNull();
    }

    [RequiresSharedCrdsFact]
    public async Task A_restore_recreates_the_backup_in_Velero_priority_order_in_the_standby()
    {
        await using var bed = await RecoveryTestBed.StartAsync("restore");
        bed.SharedLocation();
        bed.SeedProduction(bed.Primary);
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"manual-1","namespace":"velero"},"spec":{"includedNamespaces":["production"]}}
            """));
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        var before = bed.Standby.Store.CurrentResourceVersion;

        RecoveryTestBed.Create(bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Restore","metadata":{"name":"failover-1","namespace":"velero"},"spec":{"backupName":"manual-1","includedNamespaces":["production"]}}
            """));
        await bed.IdleAsync();
        RecoveryTestBed.Get(bed.Standby, "velero.io", "restores", "velero", "failover-1")!["status"]!["phase"]!.GetValue<string>().Should().Be("InProgress");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(3));

        var restore = RecoveryTestBed.Get(bed.Standby, "velero.io", "restores", "velero", "failover-1")!;
        restore["status"]!["phase"]!.GetValue<string>().Should().Be("Completed");
        var restored = new[] { ("", "namespaces", (string?)null, "production"), ("", "configmaps", "production", "web-settings"), ("", "secrets", "production", "web-tls"),
            ("", "services", "production", "web"), ("apps", "deployments", "production", "web") }
            .Select(r => RecoveryTestBed.Get(bed.Standby, r.Item1, r.Item2, r.Item3, r.Item4)).ToList();
        restored.Should().HaveCount(5).And.NotContainNulls();
        var versions = restored.Select(o => long.Parse(o!["metadata"]!["resourceVersion"]!.GetValue<string>())).ToList();
        versions.Should().OnlyContain(v => v > before);
        // Velero's priorities: namespaces, secrets, configmaps, services, then the rest (deployments).
        versions[0].Should().BeLessThan(versions[2]);
        versions[2].Should().BeLessThan(versions[1]);
        versions[1].Should().BeLessThan(versions[3]);
        versions[3].Should().BeLessThan(versions[4]);
        restored[4]!["metadata"]!["labels"]!["velero.io/backup-name"]!.GetValue<string>().Should().Be("manual-1");
        restored[4]!["metadata"]!["labels"]!["velero.io/restore-name"]!.GetValue<string>().Should().Be("failover-1");
        restored[4]!["spec"]!["replicas"]!.GetValue<int>().Should().Be(3);
        restored[3]!["spec"]!["clusterIP"]!.GetValue<string>().Should().StartWith("10.96.", "the standby's API server allocated one after Velero cleared the primary's");
        restore["status"]!["progress"]!["itemsRestored"]!.GetValue<int>().Should().Be(restore["status"]!["progress"]!["totalItems"]!.GetValue<int>());
    }

    [RequiresSharedCrdsFact]
    public async Task Outcomes_on_demand_and_a_read_only_location_refusing_backups()
    {
        await using var bed = await RecoveryTestBed.StartAsync("outcome");
        bed.SharedLocation();
        bed.SeedProduction(bed.Primary);
        bed.Velero(bed.Primary).BackupOutcome = "PartiallyFailed";
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"partial","namespace":"velero"},"spec":{"includedNamespaces":["production"]}}
            """));
        RecoveryTestBed.Create(bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"on-standby","namespace":"velero"},"spec":{}}
            """));
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));

        var service = new BackupService(bed.Connector, null, bed.Time);
        var backups = await Values(service.GetBackupsAsync(bed.Clusters, false, new FanOutOptions()));
        backups.Select(b => (b.Cluster, b.Name, b.Phase, b.Errors)).Should().BeEquivalentTo(new[]
        {
            (bed.PrimaryCluster.Name, "partial", "PartiallyFailed", 1),
            (bed.StandbyCluster.Name, "on-standby", "FailedValidation", 0),
            (bed.StandbyCluster.Name, "partial", "PartiallyFailed", 1),
        });
        backups.Single(b => b.Phase == "FailedValidation").Rpo.Should().BeNull("a backup that never ran gives no recovery point");
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_without_Velero_is_one_error_and_the_others_are_read()
    {
        await using var bed = await RecoveryTestBed.StartAsync("novelero", veleroOnStandby: false);
        var service = new BackupService(bed.Connector, null, bed.Time);

        var outcomes = await service.GetSchedulesAsync(bed.Clusters, new FanOutOptions()).ToListAsync();

        outcomes.Should().ContainSingle();
        var error = outcomes[0].Error!;
        outcomes[0].Cluster.Should().Be(bed.StandbyCluster.Name);
        error.ErrorId.Should().Be(RecoveryErrorIds.VeleroNotInstalled);
        error.Category.Should().Be(FleetErrorCategory.NotInstalled);
        error.Target.Should().Be(bed.StandbyCluster.Name);
        error.Message.Should().Be($"Cluster '{bed.StandbyCluster.Name}' has no Velero: it does not serve velero.io/v1 (the Velero CRDs are not installed).");
    }

    private static DateTimeOffset NextFiveMinuteMark(DateTimeOffset now) =>
        new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute / 5 * 5, 0, TimeSpan.Zero).AddMinutes(5);

    private static async Task<List<T>> Values<T>(IAsyncEnumerable<FleetOutcome<T>> outcomes) where T : class
    {
        var list = await outcomes.ToListAsync();
        list.Where(o => o.Error is not null).Select(o => o.Error!.Message).Should().BeEmpty();
        return list.Select(o => o.Value!).ToList();
    }
}
