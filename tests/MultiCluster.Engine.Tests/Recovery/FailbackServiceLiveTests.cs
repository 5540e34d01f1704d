using Amazon.Runtime;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Route53;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Recovery;

/// <summary>
/// Invoke-FleetFailback's engine: a failover from the primary (stopped) to the standby, the
/// standby serving and changing data, the primary back, then the way back with the record
/// switched to the primary again.
/// </summary>
public class FailbackServiceLiveTests
{
    private const string AccessKey = "AKIAFAILBACKEXAMPLE";
    private const string SecretKey = "failback/secret/key/EXAMPLEEXAMPLEEXAMPLE";
    private const string PrimaryAddress = "192.0.2.1";
    private const string StandbyAddress = "198.51.100.20";

    private sealed record World(RecoveryTestBed Bed, Route53Emulator Route53, string Zone, Route53Client Client) : IAsyncDisposable
    {
        public Route53TrafficSwitch Switch(string target) =>
            new(Client, "example.com", "app.example.com", "A", target, pollInterval: TimeSpan.FromMilliseconds(50));

        public FailoverService Failover() => new(Bed.Connector, null, TimeProvider.System, null);

        public FailbackService Failback() => new(Failover());

        public FailoverRequest Back() => new()
        {
            From = Bed.StandbyCluster,
            To = Bed.PrimaryCluster,
            PollInterval = TimeSpan.FromMilliseconds(100),
            WorkloadTimeout = TimeSpan.FromSeconds(20),
        };

        public string RecordValue() =>
            Route53.RecordSets(Zone).Single(r => r.Element(Route53Emulator.Ns + "Name")!.Value == "app.example.com.").Descendants(Route53Emulator.Ns + "Value").Single().Value;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Route53.DisposeAsync();
            await Bed.DisposeAsync();
        }
    }

    /// <summary>Failed over to the standby (the primary stopped meanwhile, then back); the standby has a ReadWrite location 'failback' over the shared bucket.</summary>
    private static async Task<World> FailedOverAsync(string prefix, bool writableStandbyLocation = true)
    {
        var bed = await RecoveryTestBed.StartAsync(prefix);
        bed.SharedLocation();
        bed.SeedProduction(bed.Primary);
        RecoveryTestBed.Create(bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"production-1","namespace":"velero"},"spec":{"includedNamespaces":["production"]}}
            """));
        await bed.IdleAsync();
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        var route53 = await Route53Emulator.StartAsync();
        route53.PendingFor = TimeSpan.FromMilliseconds(100);
        route53.AddCredentials(AccessKey, SecretKey);
        var zone = route53.AddHostedZone("example.com");
        var client = new Route53Client(route53.Endpoint, () => new ImmutableCredentials(AccessKey, SecretKey, null), null, TimeProvider.System);
        await client.ChangeResourceRecordSetsAsync(zone,
            [new Route53Change("CREATE", new Route53RecordSet { Name = "app.example.com", Type = "A", Ttl = 60, Values = [PrimaryAddress] })], null, default);
        var world = new World(bed, route53, zone, client);

        await bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });
        var failover = await world.Failover().RunAsync(new FailoverRequest
        {
            From = bed.PrimaryCluster,
            To = bed.StandbyCluster,
            Namespaces = ["production"],
            PollInterval = TimeSpan.FromMilliseconds(100),
            WorkloadTimeout = TimeSpan.FromSeconds(20),
        }, world.Switch(StandbyAddress), whatIf: false, null, default);
        failover.Status.Should().Be("Completed", failover.Message);
        await bed.Primary.SetFaultsAsync(new FaultSettings());
        if (writableStandbyLocation) RecoveryTestBed.Create(bed.Standby, RecoveryTestBed.Location("failback", "dr-backups", "ReadWrite"));
        // What the standby served while the primary was down: the data the failback must take back.
        var settings = RecoveryTestBed.Get(bed.Standby, "", "configmaps", "production", "web-settings")!;
        settings["data"]!["color"] = "green";
        bed.Standby.Store.Update(bed.Standby.Registry.Find("", "configmaps")!, settings);
        await bed.IdleAsync();
        return world;
    }

    private static IReadOnlyList<System.Text.Json.Nodes.JsonObject> Restores(MultiCluster.Testing.EmulatedCluster cluster) =>
        RecoveryTestBed.List(cluster, "velero.io", "restores", "velero");

    [RequiresSharedCrdsFact]
    public async Task The_failback_backs_up_the_standby_restores_it_over_the_primary_and_switches_the_record_back_once()
    {
        await using var world = await FailedOverAsync("fb");
        var bed = world.Bed;

        var result = await world.Failback().RunAsync(world.Back(), "failback", world.Switch(PrimaryAddress), whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.From.Should().Be(bed.StandbyCluster.Name);
        result.To.Should().Be(bed.PrimaryCluster.Name);
        result.Steps.Should().HaveCount(7);
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("BackupStandby", "Succeeded"), ("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"),
            ("Restore", "Succeeded"), ("WaitForWorkloads", "Succeeded"), ("SwitchTraffic", "Succeeded"), ("Verify", "Skipped"));
        result.Backup.Should().StartWith($"failback-{bed.StandbyCluster.Name}-");
        result.Steps[0].Message.Should().StartWith($"Backup {result.Backup}: Completed, ").And.EndWith($"items; {bed.PrimaryCluster.Name} sees it");
        result.Steps[3].End.Should().BeOnOrBefore(result.Steps[5].Start!.Value, "traffic moved back only after the restore");
        world.RecordValue().Should().Be(PrimaryAddress);
        ((string)RecoveryTestBed.Get(bed.Primary, "", "configmaps", "production", "web-settings")!["data"]!["color"]!).Should().Be("green",
            "the primary's stale copy was overwritten with what the standby served");
        var restore = Restores(bed.Primary).Should().ContainSingle().Which;
        ((string)restore["spec"]!["existingResourcePolicy"]!).Should().Be("update");
        ((string)RecoveryTestBed.Get(bed.Standby, "", "configmaps", "velero", FailoverService.AuditName(bed.PrimaryCluster.Name))!["data"]!["state"]!).Should().Be("FailedBack");

        var revisions = (bed.Primary.Store.CurrentResourceVersion, bed.Standby.Store.CurrentResourceVersion);
        var again = await world.Failback().RunAsync(world.Back(), "failback", world.Switch(PrimaryAddress), whatIf: false, null, default);

        again.Status.Should().Be("AlreadyComplete");
        again.Steps[0].Outcome.Should().Be("Skipped");
        (bed.Primary.Store.CurrentResourceVersion, bed.Standby.Store.CurrentResourceVersion).Should().Be(revisions, "nothing was written");
        RecoveryTestBed.List(bed.Standby, "velero.io", "backups", "velero").Count(b => b["metadata"]!["labels"]?[FailbackService.FailbackLabel] is not null)
            .Should().Be(1, "one failback backup");

        // The failover undone, the next failover starts afresh instead of reporting the old one complete.
        var plan = await world.Failover().RunAsync(new FailoverRequest { From = bed.PrimaryCluster, To = bed.StandbyCluster, Namespaces = ["production"], Force = true },
            null, whatIf: true, null, default);
        plan.Status.Should().Be("Planned");
    }

    [RequiresSharedCrdsFact]
    public async Task Without_a_completed_failover_or_with_a_read_only_standby_location_it_is_refused_before_any_change()
    {
        await using var world = await FailedOverAsync("fbbad", writableStandbyLocation: false);
        var bed = world.Bed;
        var revisions = (bed.Primary.Store.CurrentResourceVersion, bed.Standby.Store.CurrentResourceVersion);

        var readOnly = () => world.Failback().RunAsync(world.Back(), null, world.Switch(PrimaryAddress), whatIf: false, null, default);
        var reversed = () => world.Failback().RunAsync(world.Back() with { From = bed.PrimaryCluster, To = bed.StandbyCluster }, null, null, whatIf: false, null, default);

        var error = (await readOnly.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.FailbackNotPossible);
        error.Category.Should().Be(FleetErrorCategory.InvalidOperation);
        error.Target.Should().Be(bed.StandbyCluster.Name);
        error.Message.Should().Be($"The backup storage location 'default' of '{bed.StandbyCluster.Name}' is ReadOnly: the standby cannot write the backup the failback restores.");
        var none = (await reversed.Should().ThrowAsync<FleetInputException>()).Which;
        none.ErrorId.Should().Be(RecoveryErrorIds.FailbackNotPossible);
        none.Message.Should().Be($"'{bed.PrimaryCluster.Name}' records no completed failover from '{bed.StandbyCluster.Name}' (ConfigMap velero/{FailoverService.AuditName(bed.StandbyCluster.Name)} is missing): there is nothing to fail back.");
        (bed.Primary.Store.CurrentResourceVersion, bed.Standby.Store.CurrentResourceVersion).Should().Be(revisions);
        world.RecordValue().Should().Be(StandbyAddress);

        await bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });
        var down = () => world.Failback().RunAsync(world.Back(), null, null, whatIf: false, null, default);
        var unreachable = (await down.Should().ThrowAsync<FleetInputException>()).Which;
        unreachable.ErrorId.Should().Be(RecoveryErrorIds.FailbackNotPossible);
        unreachable.Category.Should().Be(FleetErrorCategory.ResourceUnavailable);
        unreachable.Target.Should().Be(bed.PrimaryCluster.Name);
        bed.Standby.Store.CurrentResourceVersion.Should().Be(revisions.Item2);
    }

    [RequiresSharedCrdsTheory]
    [InlineData("Backup failback-")] // cut off while the standby's backup runs
    [InlineData("SwitchTraffic")] // cut off between the restore and the DNS step
    public async Task Cut_off_and_run_again_the_failback_finishes_with_one_backup_and_one_restore(string killAt)
    {
        await using var world = await FailedOverAsync("fbkill");
        var bed = world.Bed;
        using var kill = new CancellationTokenSource();

        var cut = () => world.Failback().RunAsync(world.Back(), "failback", world.Switch(PrimaryAddress), whatIf: false, new KillAt(killAt, kill), kill.Token);

        await cut.Should().ThrowAsync<OperationCanceledException>();
        world.RecordValue().Should().Be(StandbyAddress, "traffic did not move back before the run was cut off");

        var resumed = await world.Failback().RunAsync(world.Back(), "failback", world.Switch(PrimaryAddress), whatIf: false, null, default);

        resumed.Status.Should().Be("Completed", resumed.Message);
        resumed.Steps.Select(s => s.Name).Should().Equal("BackupStandby", "AssessPrimary", "SelectBackup", "Restore", "WaitForWorkloads", "SwitchTraffic", "Verify");
        resumed.Steps.Skip(3).Take(3).Should().OnlyContain(s => s.Outcome == "Succeeded");
        RecoveryTestBed.List(bed.Standby, "velero.io", "backups", "velero").Where(b => b["metadata"]!["labels"]?[FailbackService.FailbackLabel] is not null)
            .Select(b => (string)b["metadata"]!["name"]!).Should().Equal([resumed.Backup], "the resumed run used the backup the first one started");
        var restore = Restores(bed.Primary).Should().ContainSingle("the resumed run used the same Restore").Which;
        ((string)restore["metadata"]!["name"]!).Should().Be(resumed.Restore);
        ((string)restore["spec"]!["backupName"]!).Should().Be(resumed.Backup);
        world.RecordValue().Should().Be(PrimaryAddress);
        ((string)RecoveryTestBed.Get(bed.Primary, "", "configmaps", "production", "web-settings")!["data"]!["color"]!).Should().Be("green");
        ((string)RecoveryTestBed.Get(bed.Standby, "", "configmaps", "velero", FailoverService.AuditName(bed.PrimaryCluster.Name))!["data"]!["state"]!).Should().Be("FailedBack");

        var again = await world.Failback().RunAsync(world.Back(), "failback", world.Switch(PrimaryAddress), whatIf: false, null, default);
        again.Status.Should().Be("AlreadyComplete");
        again.Restore.Should().Be(resumed.Restore);
    }

    /// <summary>Cancels the run at the first progress report that starts with <paramref name="prefix"/>, as a killed process would stop there.</summary>
    private sealed class KillAt(string prefix, CancellationTokenSource kill) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal)) kill.Cancel();
        }
    }
}
