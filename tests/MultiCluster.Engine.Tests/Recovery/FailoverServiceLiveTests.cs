using System.Text.Json.Nodes;
using Amazon.Runtime;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Monitoring;
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

        public int Posts() => Route53.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal));

        public string? AuditState() =>
            (string?)RecoveryTestBed.Get(Bed.Standby, "", "configmaps", "velero", FailoverService.AuditName(Bed.PrimaryCluster.Name))?["data"]?["state"];

        /// <summary>A second backup of 'production' on the primary, started after production-1: the newest.</summary>
        public async Task BackUpAgainAsync(string name, string? outcome = null)
        {
            RecoveryTestBed.Create(Bed.Primary, RecoveryTestBed.Parse($$$"""
                {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"{{{name}}}","namespace":"velero",
                 "annotations":{"{{{MultiCluster.Testing.Controllers.Velero.VeleroController.OutcomeAnnotation}}}":"{{{outcome ?? "Completed"}}}"}},"spec":{"includedNamespaces":["production"]}}
                """));
            await Bed.IdleAsync();
            await Bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        }

        public IReadOnlyList<JsonObject> Restores() => RecoveryTestBed.List(Bed.Standby, "velero.io", "restores", "velero");

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Route53.DisposeAsync();
            await Bed.DisposeAsync();
        }
    }

    /// <summary>A workload kept at zero replicas on the standby in production, with the replicas it takes on failover when given.</summary>
    private static void StandbyWorkload(World world, string kind, string name, string image, int? standbyReplicas)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = "production" };
        if (standbyReplicas is { } replicas)
            metadata["annotations"] = new JsonObject { ["multicluster.io/standby-replicas"] = replicas.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var spec = new JsonObject
        {
            ["replicas"] = 0,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = name, ["image"] = image }) },
            },
        };
        if (kind == "StatefulSet") spec["serviceName"] = name;
        // Through text, as the server would hold it: numbers read back as any integer type.
        var workload = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec };
        RecoveryTestBed.Create(world.Bed.Standby, RecoveryTestBed.Parse(workload.ToJsonString()));
    }

    private static async Task<World> StartAsync(string prefix, TimeSpan workloadReadyDelay = default, bool downloadRequests = true)
    {
        var bed = await RecoveryTestBed.StartAsync(prefix, workloadReadyDelay: workloadReadyDelay, downloadRequests: downloadRequests);
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
    public async Task A_restore_that_ends_PartiallyFailed_stops_before_the_DNS_step_and_lists_Veleros_errors_and_warnings()
    {
        await using var world = await StartAsync("fopartial");
        world.Bed.Velero(world.Bed.Standby).RestoreOutcome = "PartiallyFailed";

        var result = await world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Failed");
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Failed"),
            ("WaitForWorkloads", "NotRun"), ("SwitchTraffic", "NotRun"), ("Verify", "NotRun"));
        const string warning = "production: could not restore, configmaps \"kube-root-ca.crt\" already exists. Warning: the in-cluster version is different than the backed-up version.";
        result.RestoreErrors.Should().ContainSingle().Which.Should().MatchRegex(@"^production: error restoring [a-z.]+/production/[a-z0-9-]+: Timeout: request did not complete within requested timeout - context deadline exceeded$");
        result.RestoreWarnings.Should().Equal(warning);
        result.Steps[2].Message.Should().Be($"Restore {result.Restore} of production-1 ended PartiallyFailed (1 errors, 1 warnings); traffic was not moved."
            + $"\nErrors:\n  {result.RestoreErrors[0]}\nWarnings:\n  {warning}");
        result.ErrorId.Should().Be(RecoveryErrorIds.FailoverRestoreFailed);
        result.Message.Should().Be(result.Steps[2].Message);
        world.Bed.Storage.Downloads.Should().Equal($"200 /dr-backups/restores/{result.Restore}/restore-{result.Restore}-results.gz");
        RecoveryTestBed.List(world.Bed.Standby, "velero.io", "downloadrequests").Should().BeEmpty("the DownloadRequest was deleted after the download");
        var shown = System.Text.Json.JsonSerializer.Serialize(result) + RecoveryTestBed.Get(world.Bed.Standby, "", "configmaps", "velero", FailoverService.AuditName(world.Bed.PrimaryCluster.Name))!.ToJsonString();
        world.Bed.Storage.IssuedSignatures.Should().ContainSingle();
        shown.Should().NotContain(world.Bed.Storage.IssuedSignatures[0]).And.NotContain("X-Amz-").And.NotContain("http://127.0.0.1", "the pre-signed URL is never shown");
        world.RecordValue().Should().Be(PrimaryAddress, "the record is untouched");
        world.Route53.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal)).Should().Be(1, "only the seeding CREATE was posted");
    }

    [RequiresSharedCrdsFact]
    public async Task Without_DownloadRequest_support_a_failed_restore_reports_Veleros_counts()
    {
        await using var world = await StartAsync("fopartialcounts", downloadRequests: false);
        world.Bed.Velero(world.Bed.Standby).RestoreOutcome = "PartiallyFailed";

        var result = await world.Service().RunAsync(world.Request(force: true), world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Failed");
        result.Steps[2].Outcome.Should().Be("Failed");
        result.Steps[2].Message.Should().StartWith($"Restore {result.Restore} of production-1 ended PartiallyFailed (1 errors, 1 warnings); traffic was not moved."
                + " Velero's errors and warnings could not be fetched (a DownloadRequest could not be created: ")
            .And.EndWith($"). See 'velero restore describe {result.Restore} --details'.");
        result.RestoreErrors.Should().BeEmpty();
        result.RestoreWarnings.Should().BeEmpty();
        result.ErrorId.Should().Be(RecoveryErrorIds.FailoverRestoreFailed);
        world.Bed.Storage.Downloads.Should().BeEmpty();
        world.RecordValue().Should().Be(PrimaryAddress, "the record is untouched");
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
        StandbyWorkload(world, "Deployment", "web", "nginx:1.27", standbyReplicas: 3);
        StandbyWorkload(world, "Deployment", "batch", "busybox:1.36", standbyReplicas: null);
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
    public async Task Restoring_a_whole_cluster_backup_scales_up_the_warm_standby_in_every_namespace_but_Kubernetes_own()
    {
        await using var world = await StartAsync("foall");
        RecoveryTestBed.Create(world.Bed.Primary, RecoveryTestBed.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Backup","metadata":{"name":"everything-1","namespace":"velero"},"spec":{}}
            """));
        await world.Bed.IdleAsync();
        await world.Bed.AdvanceAsync(TimeSpan.FromSeconds(2));
        RecoveryTestBed.CreateNamespace(world.Bed.Standby, "production");
        StandbyWorkload(world, "Deployment", "web", "nginx:1.27", standbyReplicas: 3);
        var system = RecoveryTestBed.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"parked","namespace":"kube-system","annotations":{"multicluster.io/standby-replicas":"2"}},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"parked"}},"template":{"metadata":{"labels":{"app":"parked"}},"spec":{"containers":[{"name":"parked","image":"busybox:1.36"}]}}}}
            """);
        RecoveryTestBed.Create(world.Bed.Standby, system);
        await world.Bed.IdleAsync();

        var result = await world.Service().RunAsync(world.Request(force: true) with { Namespaces = [], Backup = "everything-1" }, world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Steps[3].Message.Should().EndWith("; scaled up production/web=3", "a backup of every namespace restores production too, and its warm standby must run before traffic moves");
        ((long)RecoveryTestBed.Get(world.Bed.Standby, "apps", "deployments", "production", "web")!["spec"]!["replicas"]!).Should().Be(3);
        ((long)RecoveryTestBed.Get(world.Bed.Standby, "apps", "deployments", "kube-system", "parked")!["spec"]!["replicas"]!).Should().Be(0,
            "Kubernetes' own namespaces hold no application's standby");
        world.RecordValue().Should().Be(StandbyAddress);
    }

    [RequiresSharedCrdsFact]
    public async Task Replicas_scales_a_warm_standby_without_the_annotation()
    {
        await using var world = await StartAsync("foreplicas");
        RecoveryTestBed.CreateNamespace(world.Bed.Standby, "production");
        StandbyWorkload(world, "Deployment", "web", "nginx:1.27", standbyReplicas: null);

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

    [RequiresSharedCrdsFact]
    public async Task A_health_URL_that_answers_healthy_verifies_the_failover_after_the_switch()
    {
        await using var world = await StartAsync("fohealth");
        using var health = new ReadyEndpoint();
        var url = new Uri($"http://{health.Address}/-/ready");
        await world.Bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });

        var result = await world.Service().RunAsync(world.Request() with { HealthUrl = url }, world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Succeeded"),
            ("WaitForWorkloads", "Succeeded"), ("SwitchTraffic", "Succeeded"), ("Verify", "Succeeded"));
        result.Steps[5].Message.Should().Be($"{url} answered 200");
        result.Steps[5].Start.Should().BeOnOrAfter(result.Steps[4].End!.Value, "the health URL is asked after traffic moved");
        health.Requests.Should().Equal(["/-/ready"], "one request, to the path given");
        world.RecordValue().Should().Be(StandbyAddress);
        result.Rto.Should().Be(result.Steps[5].End!.Value - result.Steps[0].Start!.Value, "the RTO runs to the end of the verification");
        world.AuditState().Should().Be("Completed");
    }

    [RequiresSharedCrdsFact]
    public async Task A_health_URL_that_does_not_answer_healthy_fails_the_failover_and_a_rerun_only_verifies_again()
    {
        await using var world = await StartAsync("founhealthy");
        using var health = new ReadyEndpoint { Ready = false };
        var url = new Uri($"http://{health.Address}/-/ready");
        await world.Bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });

        var failed = await world.Service().RunAsync(world.Request() with { HealthUrl = url }, world.Switch(), whatIf: false, null, default);

        failed.Status.Should().Be("Failed");
        failed.ErrorId.Should().Be(RecoveryErrorIds.FailoverVerifyFailed);
        failed.Message.Should().Be($"{url} answered 503 after the switch.");
        failed.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Succeeded"),
            ("WaitForWorkloads", "Succeeded"), ("SwitchTraffic", "Succeeded"), ("Verify", "Failed"));
        failed.Steps[5].Message.Should().Be(failed.Message);
        world.RecordValue().Should().Be(StandbyAddress, "the verification runs after the switch and does not move traffic back");
        world.AuditState().Should().Be("Failed");
        var posts = world.Posts();

        health.Ready = true;
        var resumed = await world.Service().RunAsync(world.Request() with { HealthUrl = url }, world.Switch(), whatIf: false, null, default);

        resumed.Status.Should().Be("Completed", resumed.Message);
        resumed.Restore.Should().Be(failed.Restore);
        resumed.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Succeeded"),
            ("WaitForWorkloads", "Succeeded"), ("SwitchTraffic", "Succeeded"), ("Verify", "Succeeded"));
        resumed.Steps[4].End.Should().Be(failed.Steps[4].End, "the switch is the earlier run's, not done again");
        world.Posts().Should().Be(posts, "the record was not changed again");
        world.Restores().Should().ContainSingle();
        health.Requests.Should().HaveCount(2);
        world.AuditState().Should().Be("Completed");
    }

    [RequiresSharedCrdsFact]
    public async Task A_named_backup_is_restored_instead_of_the_newest()
    {
        await using var world = await StartAsync("fonamed");
        await world.BackUpAgainAsync("production-2");
        var newest = await world.Service().RunAsync(world.Request(force: true), null, whatIf: true, null, default);
        newest.Backup.Should().Be("production-2", "without -Backup the newest Completed backup is taken");

        var result = await world.Service().RunAsync(world.Request(force: true) with { Backup = "production-1" }, null, whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Backup.Should().Be("production-1");
        result.Steps[1].Message.Should().StartWith("production-1, started ");
        result.Rpo.Should().BeGreaterThan(newest.Rpo!.Value, "the older backup loses more");
        var restore = world.Restores().Should().ContainSingle().Which;
        ((string)restore["spec"]!["backupName"]!).Should().Be("production-1");
    }

    [RequiresSharedCrdsFact]
    public async Task A_named_backup_that_is_missing_or_not_Completed_is_refused_before_any_change()
    {
        await using var world = await StartAsync("fonamedbad");
        await world.BackUpAgainAsync("production-partial", "PartiallyFailed");
        ((string)RecoveryTestBed.Get(world.Bed.Standby, "velero.io", "backups", "velero", "production-partial")!["status"]!["phase"]!).Should().Be("PartiallyFailed");
        var revision = world.Bed.Standby.Store.CurrentResourceVersion;
        var standby = world.Bed.StandbyCluster.Name;

        var missing = () => world.Service().RunAsync(world.Request(force: true) with { Backup = "production-9" }, world.Switch(), whatIf: false, null, default);
        var partial = () => world.Service().RunAsync(world.Request(force: true) with { Backup = "production-partial" }, world.Switch(), whatIf: false, null, default);

        var none = (await missing.Should().ThrowAsync<FleetInputException>()).Which;
        none.ErrorId.Should().Be(RecoveryErrorIds.FailoverNoBackup);
        none.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        none.Target.Should().Be(standby);
        none.Message.Should().Be($"The standby '{standby}' sees no backup named 'production-9' (2 backups in total).");
        none.RecommendedAction.Should().Be($"Name a Completed backup (Get-FleetBackup -Cluster {standby} -Phase Completed), or leave out -Backup to take the newest.");
        var notCompleted = (await partial.Should().ThrowAsync<FleetInputException>()).Which;
        notCompleted.ErrorId.Should().Be(RecoveryErrorIds.FailoverNoBackup);
        notCompleted.Message.Should().Be($"The standby '{standby}' sees the backup 'production-partial' in phase PartiallyFailed, not Completed (2 backups in total).");
        world.Bed.Standby.Store.CurrentResourceVersion.Should().Be(revision, "nothing was written to the standby");
        world.Restores().Should().BeEmpty();
        world.RecordValue().Should().Be(PrimaryAddress);
        world.Posts().Should().Be(1, "only the seeding CREATE was posted");
    }

    [RequiresSharedCrdsFact]
    public async Task A_warm_StatefulSet_is_scaled_up_and_every_replica_is_ready_before_traffic_moves()
    {
        // Each pod takes a second to be ready and a StatefulSet starts its pods one after another: two replicas take two seconds.
        await using var world = await StartAsync("fosts", workloadReadyDelay: TimeSpan.FromSeconds(1));
        RecoveryTestBed.CreateNamespace(world.Bed.Standby, "production");
        StandbyWorkload(world, "StatefulSet", "db", "postgres:16", standbyReplicas: 2);
        await world.Bed.IdleAsync();
        var traffic = new ReadinessAtSwitch(world.Switch(), () => RecoveryTestBed.Get(world.Bed.Standby, "apps", "statefulsets", "production", "db")!);

        var result = await world.Service().RunAsync(world.Request(force: true), traffic, whatIf: false, null, default);

        result.Status.Should().Be("Completed", result.Message);
        result.Steps[3].Message.Should().Be("1 Deployments and 1 StatefulSets available; scaled up production/db=2");
        traffic.ReadyReplicasAtSwitch.Should().Be(2, "traffic moved only once both replicas were ready");
        world.RecordValue().Should().Be(StandbyAddress);
    }

    [RequiresSharedCrdsFact]
    public async Task A_StatefulSet_that_never_gets_ready_stops_the_failover_before_the_switch()
    {
        await using var world = await StartAsync("fostsdown");
        RecoveryTestBed.CreateNamespace(world.Bed.Standby, "production");
        // An image that never pulls: the pod stays waiting and the StatefulSet never ready.
        StandbyWorkload(world, "StatefulSet", "db", "registry" + MultiCluster.Testing.Controllers.DeploymentStatus.UnpullableRegistrySuffix + "/db:16", standbyReplicas: 1);
        await world.Bed.IdleAsync();

        var result = await world.Service().RunAsync(world.Request(force: true) with { WorkloadTimeout = TimeSpan.FromSeconds(3) }, world.Switch(), whatIf: false, null, default);

        result.Status.Should().Be("Failed");
        result.ErrorId.Should().Be(RecoveryErrorIds.FailoverWorkloadsUnavailable);
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Succeeded"),
            ("WaitForWorkloads", "Failed"), ("SwitchTraffic", "NotRun"), ("Verify", "NotRun"));
        result.Message.Should().Be("1 restored workloads are not available after 3s: production/db; traffic was not moved.");
        world.RecordValue().Should().Be(PrimaryAddress);
    }

    /// <summary>Cancels the run when it reports reaching a step, as a killed process would stop there.</summary>
    private sealed class KillAt(string step, CancellationTokenSource kill) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value == step) kill.Cancel();
        }
    }

    /// <summary>The Route 53 switch, noting how many replicas of a StatefulSet were ready when traffic moved.</summary>
    private sealed class ReadinessAtSwitch(ITrafficSwitch inner, Func<System.Text.Json.Nodes.JsonObject> statefulSet) : ITrafficSwitch
    {
        public long? ReadyReplicasAtSwitch { get; private set; }

        public string Description => inner.Description;

        public Task CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);

        public Task<bool> IsSwitchedAsync(CancellationToken cancellationToken) => inner.IsSwitchedAsync(cancellationToken);

        public Task<string> SwitchAsync(CancellationToken cancellationToken)
        {
            ReadyReplicasAtSwitch = (long?)statefulSet()["status"]?["readyReplicas"] ?? 0;
            return inner.SwitchAsync(cancellationToken);
        }
    }
}
