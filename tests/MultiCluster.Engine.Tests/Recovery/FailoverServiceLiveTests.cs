using Amazon.Runtime;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Route53;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Recovery;

/// <summary>
/// Invoke-FleetFailover's engine end to end: two emulated clusters sharing a backup bucket, the
/// simulated Velero, and the Route 53 emulator holding the service's record.
/// </summary>
public class FailoverServiceLiveTests
{
    private const string AccessKey = "AKIAFAILOVEREXAMPLE";
    private const string SecretKey = "failover/secret/key/EXAMPLEEXAMPLEEXAMPLE";
    private const string PrimaryAddress = "192.0.2.1";
    private const string StandbyAddress = "198.51.100.20";

    private sealed record World(RecoveryTestBed Bed, Route53Emulator Route53, string Zone, Route53Client Client) : IAsyncDisposable
    {
        public Route53TrafficSwitch Switch() =>
            new(Client, "example.com", "app.example.com", "A", StandbyAddress, pollInterval: TimeSpan.FromMilliseconds(50));

        public FailoverService Service() => new(Bed.Connector, null, TimeProvider.System, null);

        public FailoverRequest Request(bool force = false) => new()
        {
            From = Bed.PrimaryCluster,
            To = Bed.StandbyCluster,
            Namespaces = ["production"],
            Force = force,
            PollInterval = TimeSpan.FromMilliseconds(100),
            WorkloadTimeout = TimeSpan.FromSeconds(20),
        };

        public string RecordValue() =>
            Route53.RecordSets(Zone).Single(r => r.Element(Route53Emulator.Ns + "Name")!.Value == "app.example.com.").Descendants(Route53Emulator.Ns + "Value").Single().Value;

        public IReadOnlyList<System.Text.Json.Nodes.JsonObject> Restores() => RecoveryTestBed.List(Bed.Standby, "velero.io", "restores", "velero");

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Route53.DisposeAsync();
            await Bed.DisposeAsync();
        }
    }

    private static async Task<World> StartAsync(string prefix)
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
        route53.PendingFor = TimeSpan.FromMilliseconds(300);
        route53.AddCredentials(AccessKey, SecretKey);
        var zone = route53.AddHostedZone("example.com");
        var client = new Route53Client(route53.Endpoint, () => new ImmutableCredentials(AccessKey, SecretKey, null), null, TimeProvider.System);
        await client.ChangeResourceRecordSetsAsync(zone,
            [new Route53Change("CREATE", new Route53RecordSet { Name = "app.example.com", Type = "A", Ttl = 60, Values = [PrimaryAddress] })], null, default);
        return new World(bed, route53, zone, client);
    }

    [RequiresSharedCrdsFact]
    public async Task The_primary_down_the_standby_gets_every_object_and_the_record_and_a_second_run_changes_nothing()
    {
        await using var world = await StartAsync("fo");
        await world.Bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });
        var backupStart = BackupService.Time(RecoveryTestBed.Get(world.Bed.Standby, "velero.io", "backups", "velero", "production-1")!["status"]!["startTimestamp"])!.Value;

        var result = await world.Service().RunAsync(world.Request(), world.Switch(), whatIf: false, null, default);

        result.Message.Should().StartWith($"{world.Bed.StandbyCluster.Name} serves from backup production-1");
        result.Status.Should().Be("Completed");
        result.Steps.Should().HaveCount(6);
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Succeeded"),
            ("WaitForWorkloads", "Succeeded"), ("SwitchTraffic", "Succeeded"), ("Verify", "Skipped"));
        result.Steps.Should().OnlyContain(s => s.Start <= s.End);
        result.Backup.Should().Be("production-1");
        result.Rpo.Should().Be(result.Steps[0].Start!.Value - backupStart);
        result.Rto.Should().Be(result.Steps[^1].End!.Value - result.Steps[0].Start!.Value);
        foreach (var (group, plural, name) in new[] { ("", "configmaps", "web-settings"), ("", "secrets", "web-tls"), ("", "services", "web"), ("apps", "deployments", "web") })
            RecoveryTestBed.Get(world.Bed.Standby, group, plural, "production", name).Should().NotBeNull($"{plural}/{name} was restored");
        world.RecordValue().Should().Be(StandbyAddress);
        world.Restores().Should().ContainSingle();

        var postsBefore = world.Route53.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal));
        var revisionBefore = world.Bed.Standby.Store.CurrentResourceVersion;
        var again = await world.Service().RunAsync(world.Request(), world.Switch(), whatIf: false, null, default);

        again.Status.Should().Be("AlreadyComplete");
        again.Restore.Should().Be(result.Restore);
        again.Rpo.Should().Be(TimeSpan.FromSeconds((long)result.Rpo!.Value.TotalSeconds));
        world.Bed.Standby.Store.CurrentResourceVersion.Should().Be(revisionBefore, "nothing was written to the standby");
        world.Route53.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal)).Should().Be(postsBefore, "the record was not touched");
    }

    [RequiresSharedCrdsFact]
    public async Task A_healthy_primary_without_Force_is_refused_and_nothing_changes()
    {
        await using var world = await StartAsync("fohealthy");
        var revision = world.Bed.Standby.Store.CurrentResourceVersion;

        var act = () => world.Service().RunAsync(world.Request(), world.Switch(), whatIf: false, null, default);

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.FailoverPrimaryHealthy);
        error.Category.Should().Be(FleetErrorCategory.InvalidOperation);
        error.Target.Should().Be(world.Bed.PrimaryCluster.Name);
        error.Message.Should().Be($"The primary '{world.Bed.PrimaryCluster.Name}' is healthy: failing over would split traffic between two live clusters.");
        world.Bed.Standby.Store.CurrentResourceVersion.Should().Be(revision);
        world.Restores().Should().BeEmpty();
        world.RecordValue().Should().Be(PrimaryAddress);
    }

    [RequiresSharedCrdsFact]
    public async Task A_restore_that_ends_PartiallyFailed_stops_before_the_DNS_step()
    {
        await using var world = await StartAsync("fopartial");
        world.Bed.Velero(world.Bed.Standby).RestoreOutcome = "PartiallyFailed";

        var result = await world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Failed");
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Failed"),
            ("WaitForWorkloads", "NotRun"), ("SwitchTraffic", "NotRun"), ("Verify", "NotRun"));
        result.Steps[2].Message.Should().StartWith($"Restore {result.Restore} of production-1 ended PartiallyFailed (1 errors, 0 warnings").And.EndWith("traffic was not moved. See 'velero restore describe " + result.Restore + " --details'.");
        result.ErrorId.Should().Be(RecoveryErrorIds.FailoverRestoreFailed);
        result.Message.Should().Be(result.Steps[2].Message);
        world.RecordValue().Should().Be(PrimaryAddress, "the record is untouched");
        world.Route53.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal)).Should().Be(1, "only the seeding CREATE was posted");
    }

    [RequiresSharedCrdsFact]
    public async Task Killed_between_the_restore_and_the_DNS_step_it_finishes_with_one_restore()
    {
        await using var world = await StartAsync("fokill");
        await world.Bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });
        using var kill = new CancellationTokenSource();
        var progress = new KillAt("SwitchTraffic", kill);

        var act = () => world.Service().RunAsync(world.Request(), world.Switch(), whatIf: false, progress, kill.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        world.Restores().Should().ContainSingle();
        world.RecordValue().Should().Be(PrimaryAddress);

        var resumed = await world.Service().RunAsync(world.Request(), world.Switch(), whatIf: false, null, default);

        resumed.Status.Should().Be("Completed");
        resumed.Steps.Select(s => s.Name).Should().Equal("AssessPrimary", "SelectBackup", "Restore", "WaitForWorkloads", "SwitchTraffic", "Verify");
        resumed.Steps[2].Outcome.Should().Be("Succeeded");
        world.Restores().Should().ContainSingle("the resumed run used the same Restore");
        world.RecordValue().Should().Be(StandbyAddress);
    }

    [RequiresSharedCrdsFact]
    public async Task What_if_plans_with_the_backup_and_its_RPO_and_changes_nothing()
    {
        await using var world = await StartAsync("fowhatif");
        var revision = world.Bed.Standby.Store.CurrentResourceVersion;

        var plan = await world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: true, null, default);

        plan.Status.Should().Be("Planned");
        plan.Backup.Should().Be("production-1");
        plan.Rpo.Should().BePositive();
        plan.Message.Should().StartWith($"Would restore production-1 (RPO ").And.EndWith($") into {world.Bed.StandbyCluster.Name}.");
        plan.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Planned"),
            ("WaitForWorkloads", "Planned"), ("SwitchTraffic", "Planned"), ("Verify", "Skipped"));
        world.Bed.Standby.Store.CurrentResourceVersion.Should().Be(revision);
        world.RecordValue().Should().Be(PrimaryAddress);
    }

    [RequiresSharedCrdsFact]
    public async Task Bad_input_stops_before_the_first_change()
    {
        await using var world = await StartAsync("fobad");
        var revision = world.Bed.Standby.Store.CurrentResourceVersion;
        var service = world.Service();

        var tooOld = () => service.RunAsync(world.Request(force: true) with { MaxRpo = TimeSpan.FromMilliseconds(1) }, world.Switch(), false, null, default);
        var noBackup = () => service.RunAsync(world.Request(force: true) with { Namespaces = ["payments"] }, world.Switch(), false, null, default);
        var noZone = () => service.RunAsync(world.Request(force: true),
            new Route53TrafficSwitch(world.Client, "example.org", "app.example.org", "A", StandbyAddress), false, null, default);

        (await tooOld.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(RecoveryErrorIds.FailoverRpoExceeded);
        var missing = (await noBackup.Should().ThrowAsync<FleetInputException>()).Which;
        missing.ErrorId.Should().Be(RecoveryErrorIds.FailoverNoBackup);
        missing.Message.Should().Be($"The standby '{world.Bed.StandbyCluster.Name}' sees no Completed backup holding payments (1 backups in total).");
        var zone = (await noZone.Should().ThrowAsync<FleetException>()).Which;
        zone.ErrorId.Should().Be(Route53ErrorIds.Route53ZoneNotFound);
        zone.Message.Should().Be("Route 53 has no hosted zone named 'example.org.'.");
        world.Bed.Standby.Store.CurrentResourceVersion.Should().Be(revision, "nothing was written before the checks passed");
    }

    [RequiresSharedCrdsFact]
    public async Task A_warm_standby_kept_at_zero_replicas_is_scaled_up_after_the_restore_and_before_the_switch()
    {
        await using var world = await StartAsync("fowarm");
        RecoveryTestBed.CreateNamespace(world.Bed.Standby, "production");
        RecoveryTestBed.Create(world.Bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"production","annotations":{"multicluster.io/standby-replicas":"3"}},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}
            """));
        RecoveryTestBed.Create(world.Bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"batch","namespace":"production"},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"batch"}},
                     "template":{"metadata":{"labels":{"app":"batch"}},"spec":{"containers":[{"name":"batch","image":"busybox:1.36"}]}}}}
            """));
        await world.Bed.IdleAsync();

        var result = await world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Steps[3].Message.Should().Be("2 Deployments available; scaled up production/web=3", "batch has no annotation and no -Replicas: it stays at zero");
        ((long)RecoveryTestBed.Get(world.Bed.Standby, "apps", "deployments", "production", "web")!["spec"]!["replicas"]!).Should().Be(3);
        ((long)RecoveryTestBed.Get(world.Bed.Standby, "apps", "deployments", "production", "batch")!["spec"]!["replicas"]!).Should().Be(0);
        result.Steps[3].End.Should().BeOnOrBefore(result.Steps[4].Start!.Value, "the workloads were up before traffic moved");
        world.RecordValue().Should().Be(StandbyAddress);
    }

    [RequiresSharedCrdsFact]
    public async Task Replicas_scales_a_warm_standby_without_the_annotation()
    {
        await using var world = await StartAsync("foreplicas");
        RecoveryTestBed.CreateNamespace(world.Bed.Standby, "production");
        RecoveryTestBed.Create(world.Bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"production"},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}
            """));

        var result = await world.Service().RunAsync(world.Request(force: true) with { Replicas = 2 }, null, whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Steps[3].Message.Should().Be("1 Deployments available; scaled up production/web=2");
    }

    [RequiresSharedCrdsFact]
    public async Task A_standby_lacking_a_storage_class_the_claims_use_is_refused_before_any_change()
    {
        await using var world = await StartAsync("fostorage");
        foreach (var cluster in world.Bed.Fleet.Clusters) RecoveryTestBed.ServeStorageKinds(cluster);
        RecoveryTestBed.Create(world.Bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"production"},
             "spec":{"storageClassName":"fast-ssd","accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}
            """));
        var revision = world.Bed.Standby.Store.CurrentResourceVersion;

        var act = () => world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: false, null, default);

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.StandbyStorageClassMissing);
        error.Category.Should().Be(FleetErrorCategory.NotInstalled);
        error.Target.Should().Be(world.Bed.StandbyCluster.Name);
        error.Message.Should().Be($"Cluster '{world.Bed.StandbyCluster.Name}' has no storage class 'fast-ssd' (used by production/data): the restored claims would stay Pending.");
        world.Bed.Standby.Store.CurrentResourceVersion.Should().Be(revision);
        world.Restores().Should().BeEmpty();
        world.RecordValue().Should().Be(PrimaryAddress);

        // Velero's change-storage-class ConfigMap mapping it to a class the standby has lets the failover through.
        RecoveryTestBed.Create(world.Bed.Standby, RecoveryTestBed.Parse("""{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"gp3"},"provisioner":"ebs.csi.aws.com"}"""));
        RecoveryTestBed.Create(world.Bed.Standby, RecoveryTestBed.Parse("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"change-storage-class-config","namespace":"velero",
             "labels":{"velero.io/plugin-config":"","velero.io/change-storage-class":"RestoreItemAction"}},"data":{"fast-ssd":"gp3"}}
            """));
        var plan = await world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: true, null, default);
        plan.Status.Should().Be("Planned");
    }

    [RequiresSharedCrdsFact]
    public async Task A_standby_without_Velero_is_refused_before_any_change()
    {
        await using var bed = await RecoveryTestBed.StartAsync("fonovelero", veleroOnStandby: false);
        var revision = bed.Standby.Store.CurrentResourceVersion;
        var request = new FailoverRequest { From = bed.PrimaryCluster, To = bed.StandbyCluster, Force = true };

        var act = () => new FailoverService(bed.Connector, null, TimeProvider.System, null).RunAsync(request, null, whatIf: false, null, default);

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.VeleroNotInstalled);
        error.Category.Should().Be(FleetErrorCategory.NotInstalled);
        error.Target.Should().Be(bed.StandbyCluster.Name);
        bed.Standby.Store.CurrentResourceVersion.Should().Be(revision);
    }

    /// <summary>Cancels the run when it reports reaching a step, as a killed process would stop there.</summary>
    private sealed class KillAt(string step, CancellationTokenSource kill) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value == step) kill.Cancel();
        }
    }
}
