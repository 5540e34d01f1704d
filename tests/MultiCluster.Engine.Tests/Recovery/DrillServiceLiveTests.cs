using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Recovery;

/// <summary>
/// Test-FleetFailover's engine: the primary backs up 'production', the drill restores it into the
/// standby under a drill name, waits for the Deployment, measures, and cleans up.
/// </summary>
public class DrillServiceLiveTests
{
    private static async Task<RecoveryTestBed> StartAsync(string prefix)
    {
        var bed = await RecoveryTestBed.StartAsync(prefix);
        bed.SharedLocation();
        bed.SeedProduction(bed.Primary);
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"production-1","namespace":"velero"},"spec":{"includedNamespaces":["production"]}}
            """));
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        return bed;
    }

    private static DrillService Service(RecoveryTestBed bed) => new(new FailoverService(bed.Connector, null, TimeProvider.System, null));

    private static FailoverRequest Request(RecoveryTestBed bed, params string[] namespaces) => new()
    {
        From = bed.PrimaryCluster,
        To = bed.StandbyCluster,
        Namespaces = namespaces,
        PollInterval = TimeSpan.FromMilliseconds(100),
        WorkloadTimeout = TimeSpan.FromSeconds(20),
    };

    private static IReadOnlyList<string> Namespaces(RecoveryTestBed bed) =>
        RecoveryTestBed.List(bed.Standby, "", "namespaces").Select(n => (string)n["metadata"]!["name"]!).ToList();

    [RequiresSharedCrdsFact]
    public async Task A_drill_restores_under_drill_names_measures_and_leaves_no_drill_namespace_behind()
    {
        await using var bed = await StartAsync("drill");
        var primaryRevision = bed.Primary.Store.CurrentResourceVersion;
        var namespacesBefore = Namespaces(bed);
        var seen = new List<string>();

        var result = await Service(bed).RunAsync(Request(bed, "production"), keep: false, whatIf: false, new Recorder(seen), default);

        result.Status.Should().Be("Completed", result.Message);
        result.Drill.Should().BeTrue();
        result.Traffic.Should().BeNull();
        result.Steps.Should().HaveCount(4);
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("SelectBackup", "Succeeded"), ("Restore", "Succeeded"), ("WaitForWorkloads", "Succeeded"),
            ("Cleanup", "Succeeded"));
        var drillNamespace = DrillService.DrillNamespace("production", result.Steps[0].Start!.Value);
        drillNamespace.Should().MatchRegex(@"^production-drill-\d{12}$");
        result.Steps[0].Message.Should().EndWith("; into " + drillNamespace);
        result.Steps[2].Message.Should().Be("1 Deployments available");
        result.Steps[3].Message.Should().Be("deleted " + drillNamespace);
        result.Backup.Should().Be("production-1");
        result.Rpo.Should().BePositive();
        result.Rto.Should().Be(result.Steps[2].End!.Value - result.Steps[0].Start!.Value, "the RTO ends when the workloads are available, before the cleanup");
        result.Message.Should().StartWith($"{bed.StandbyCluster.Name} could take over from backup production-1 (RPO ");
        seen.Should().Contain(["SelectBackup", "Restore", "WaitForWorkloads", "Cleanup"]);

        var restore = RecoveryTestBed.List(bed.Standby, "velero.io", "restores", "velero").Should().ContainSingle().Which;
        restore["spec"]!["namespaceMapping"]!["production"]!.GetValue<string>().Should().Be(drillNamespace);
        restore["metadata"]!["labels"]![DrillService.DrillLabel]!.GetValue<string>().Should().Be(drillNamespace[^12..]);
        Namespaces(bed).Should().BeEquivalentTo(namespacesBefore, "the drill namespace was deleted and no 'production' was created");
        RecoveryTestBed.List(bed.Standby, "apps", "deployments").Should().BeEmpty("the restored Deployment went with its namespace");
        bed.Primary.Store.CurrentResourceVersion.Should().Be(primaryRevision, "the primary was not touched");
    }

    [RequiresSharedCrdsFact]
    public async Task Keep_leaves_the_restored_drill_namespace()
    {
        await using var bed = await StartAsync("drillkeep");

        var result = await Service(bed).RunAsync(Request(bed, "production"), keep: true, whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Steps[^1].Outcome.Should().Be("Skipped");
        var drillNamespace = DrillService.DrillNamespace("production", result.Steps[0].Start!.Value);
        foreach (var (group, plural, name) in new[] { ("", "configmaps", "web-settings"), ("", "secrets", "web-tls"), ("", "services", "web"), ("apps", "deployments", "web") })
            RecoveryTestBed.Get(bed.Standby, group, plural, drillNamespace, name).Should().NotBeNull($"{plural}/{name} was restored into {drillNamespace}");
    }

    [RequiresSharedCrdsFact]
    public async Task A_failed_restore_fails_the_drill_and_still_cleans_up()
    {
        await using var bed = await StartAsync("drillfail");
        bed.Velero(bed.Standby).RestoreOutcome = "PartiallyFailed";
        var namespacesBefore = Namespaces(bed);

        var result = await Service(bed).RunAsync(Request(bed, "production"), keep: false, whatIf: false, null, default);

        result.Status.Should().Be("Failed");
        result.Drill.Should().BeTrue();
        result.ErrorId.Should().Be(RecoveryErrorIds.FailoverRestoreFailed);
        result.Rto.Should().BeNull();
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("SelectBackup", "Succeeded"), ("Restore", "Failed"), ("WaitForWorkloads", "NotRun"),
            ("Cleanup", "Succeeded"));
        result.Message.Should().StartWith($"Drill failed: Restore {result.Restore} of production-1 ended PartiallyFailed");
        Namespaces(bed).Should().BeEquivalentTo(namespacesBefore);
    }

    [RequiresSharedCrdsFact]
    public async Task What_if_and_bad_input_change_nothing()
    {
        await using var bed = await StartAsync("drillbad");
        var revision = bed.Standby.Store.CurrentResourceVersion;

        var plan = await Service(bed).RunAsync(Request(bed, "production"), keep: false, whatIf: true, null, default);
        var noBackup = () => Service(bed).RunAsync(Request(bed, "payments"), keep: false, whatIf: false, null, default);
        var tooOld = () => Service(bed).RunAsync(Request(bed, "production") with { MaxRpo = TimeSpan.FromMilliseconds(1) }, keep: false, whatIf: false, null, default);

        plan.Status.Should().Be("Planned");
        plan.Drill.Should().BeTrue();
        plan.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("SelectBackup", "Succeeded"), ("Restore", "Planned"), ("WaitForWorkloads", "Planned"), ("Cleanup", "Planned"));
        plan.Steps[1].Message.Should().Contain("production -> production-drill-");

        // A drill namespace of this minute already there (a kept drill): refused, on a clock that stands still.
        var now = new DateTimeOffset(2026, 12, 2, 3, 4, 0, TimeSpan.Zero);
        RecoveryTestBed.CreateNamespace(bed.Standby, DrillService.DrillNamespace("production", now));
        revision = bed.Standby.Store.CurrentResourceVersion;
        var clash = () => new DrillService(new FailoverService(bed.Connector, null, new FixedTime(now), null))
            .RunAsync(Request(bed, "production"), keep: false, whatIf: false, null, default);
        var error = (await clash.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.DrillNamespaceInvalid);
        error.Category.Should().Be(FleetErrorCategory.ResourceExists);
        error.Target.Should().Be($"{bed.StandbyCluster.Name}: production-drill-202612020304");
        error.Message.Should().Be($"The drill namespace 'production-drill-202612020304' already exists in '{bed.StandbyCluster.Name}' (a drill of this minute, or one kept with -Keep).");
        (await noBackup.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(RecoveryErrorIds.FailoverNoBackup);
        (await tooOld.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(RecoveryErrorIds.FailoverRpoExceeded);
        bed.Standby.Store.CurrentResourceVersion.Should().Be(revision);
    }

    [RequiresSharedCrdsFact]
    public async Task A_named_backup_is_drilled_instead_of_the_newest_and_a_missing_one_is_refused_before_any_change()
    {
        await using var bed = await StartAsync("drillnamed");
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"production-2","namespace":"velero"},"spec":{"includedNamespaces":["production"]}}
            """));
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        (await Service(bed).RunAsync(Request(bed, "production"), keep: false, whatIf: true, null, default)).Backup.Should().Be("production-2", "the newest by default");
        var revision = bed.Standby.Store.CurrentResourceVersion;

        var missing = () => Service(bed).RunAsync(Request(bed, "production") with { Backup = "production-9" }, keep: false, whatIf: false, null, default);

        var error = (await missing.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.FailoverNoBackup);
        error.Message.Should().Be($"The standby '{bed.StandbyCluster.Name}' sees no backup named 'production-9' (2 backups in total).");
        bed.Standby.Store.CurrentResourceVersion.Should().Be(revision, "nothing was written");

        var result = await Service(bed).RunAsync(Request(bed, "production") with { Backup = "production-1" }, keep: false, whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Backup.Should().Be("production-1");
        var restore = RecoveryTestBed.List(bed.Standby, "velero.io", "restores", "velero").Should().ContainSingle().Which;
        ((string)restore["spec"]!["backupName"]!).Should().Be("production-1");
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class Recorder(List<string> seen) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (seen) seen.Add(value);
        }
    }
}
