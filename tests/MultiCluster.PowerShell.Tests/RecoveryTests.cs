using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Three emulated clusters with the real Velero CRDs and every simulated controller (Velero among
/// them): prod-a the primary, prod-b its standby over the same bucket, dev-c without a location.
/// </summary>
public sealed class RecoveryEmulatorFixture : EmulatedFleetFixture
{

    public override async Task InitializeAsync()
    {
        if (MultiCluster.Testing.SharedFiles.Crds is null) return;
        Emulator = await EmulatorProcess.StartAsync(3, "dr" + Guid.NewGuid().ToString("N")[..4], crds: "velero", controllers: "all");
        FleetYaml = $"""
            name: dr-fleet
            clusters:
              - name: prod-a
                context: {Emulator.Contexts[0]}
                region: us-east-1
                labels: {"{"} env: prod {"}"}
                drPeer: prod-b
              - name: prod-b
                context: {Emulator.Contexts[1]}
                region: us-west-2
                role: dr
                labels: {"{"} env: prod {"}"}
              - name: dev-c
                context: {Emulator.Contexts[2]}
                region: us-west-2
                labels: {"{"} env: dev {"}"}
            """;
    }
}

/// <summary>Velero schedules and locations put on the fleet, and the backups and RPOs read back, as a user types them.</summary>
public sealed class RecoveryTests(RecoveryEmulatorFixture fixture) : IClassFixture<RecoveryEmulatorFixture>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    [RequiresSharedCrdsFact]
    public void A_schedule_from_an_RPO_backs_up_and_the_standby_sees_the_backup_with_its_RPO()
    {
        using var session = fixture.NewSession();
        var bucket = Unique("bucket");
        var schedule = Unique("shop");
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply | Out-Null
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'shop' } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'web'; namespace = 'shop' }; data = @{ color = 'blue' } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            """).ThrowIfFailed();

        var locations = Results(session.Run("""
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[1] -Region us-east-1 -Default -Cluster prod-a
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[1] -Region us-east-1 -AccessMode ReadOnly -Cluster prod-b
            """, bucket, bucket));
        locations.Should().HaveCount(2);
        locations.Select(r => (r.Cluster, r.Kind, r.Namespace, r.Name, r.Action)).Should().Equal(
            ("prod-a", "BackupStorageLocation", "velero", bucket, FleetResourceAction.Created),
            ("prod-b", "BackupStorageLocation", "velero", bucket, FleetResourceAction.Created));

        var preview = Results(session.Run("New-FleetBackupSchedule $args[0] -Rpo 00:05:00 -IncludedNamespace shop -Ttl 1.00:00:00 -StorageLocation $args[1] -Cluster prod-a -WhatIf", schedule, bucket));
        preview.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.WouldCreate);
        Schedules(session.Run("Get-FleetBackupSchedule $args[0]", schedule)).Should().BeEmpty("-WhatIf created nothing");

        var created = Results(session.Run("New-FleetBackupSchedule $args[0] -Rpo 00:05:00 -IncludedNamespace shop -Ttl 1.00:00:00 -StorageLocation $args[1] -Cluster prod-a", schedule, bucket));
        created.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
        var again = Results(session.Run("New-FleetBackupSchedule $args[0] -Rpo 00:05:00 -IncludedNamespace shop -Ttl 1.00:00:00 -StorageLocation $args[1] -Cluster prod-a", schedule, bucket));
        again.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);

        var read = Schedules(session.Run("Get-FleetBackupSchedule $args[0]", schedule));
        read.Should().ContainSingle();
        read[0].Cluster.Should().Be("prod-a");
        read[0].Schedule.Should().Be("*/5 * * * *");
        read[0].WorstCaseRpo.Should().Be(TimeSpan.FromMinutes(5));
        read[0].Ttl.Should().Be(TimeSpan.FromDays(1));

        // The immediate backup takes 200 ms of the emulator's clock; wait for both clusters to list the same one
        // Completed (a cron run at a five-minute mark may still be on its way to the standby).
        List<FleetBackup> backups = [];
        for (var i = 0; i < 50 && (backups.Count(b => b.Phase == "Completed") < 2 || backups.Select(b => b.Name).Distinct().Count() != 1); i++)
        {
            Thread.Sleep(100);
            backups = Backups(session.Run("Get-FleetBackup -Schedule $args[0] -Latest", schedule));
        }
        backups.Should().HaveCount(2);
        backups.Select(b => b.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
        backups.Should().OnlyContain(b => b.Phase == "Completed" && b.Schedule == schedule && b.Name.StartsWith(schedule + "-")
            && b.Rpo > TimeSpan.Zero && b.Rpo < TimeSpan.FromMinutes(1) && b.ItemsBackedUp >= 2);
        backups.Select(b => b.Name).Distinct().Should().ContainSingle("the standby sees the primary's backup, not one of its own");
    }

    [RequiresSharedCrdsFact]
    public void Bad_input_stops_before_anything_is_sent()
    {
        using var session = fixture.NewSession();
        var name = Unique("bad");
        var cases = new (string Script, string ErrorId, string Message)[]
        {
            ("New-FleetBackupSchedule $args[0] -Schedule 'every day'", "ScheduleInvalid",
                "The schedule 'every day' is not a cron expression: The given cron expression has an invalid format. Minutes: Value must be a number between 0 and 59 (all inclusive)."),
            ("New-FleetBackupSchedule $args[0] -Rpo 00:00:30", "RpoUnachievable",
                "An RPO of 30s cannot be guaranteed: a Velero schedule runs at most once a minute."),
            ("New-FleetBackupSchedule $args[0] -Rpo 01:00:00 -Ttl -01:00:00", "TtlInvalid",
                $"Schedule '{name}': the TTL -01:00:00 is negative; give how long Velero keeps each backup, e.g. 30 days."),
            ("New-FleetBackupLocation $args[0] -Provider aws -Bucket 'dr/prod'", "BackupLocationInvalid",
                $"Backup location '{name}': the bucket 'dr/prod' contains '/'; put the path in -Prefix instead."),
        };
        foreach (var (script, errorId, message) in cases)
        {
            var result = session.Run(script, name);
            result.TerminatingRecord.Should().NotBeNull(script);
            result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith(errorId + ",", script);
            result.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument, script);
            result.TerminatingRecord.Exception.Message.Should().Be(message);
            result.Output.Should().BeEmpty(script);
        }
        Schedules(session.Run("Get-FleetBackupSchedule $args[0]", name)).Should().BeEmpty("nothing was created");
    }

    [RequiresSharedCrdsFact]
    public void Rendering_writes_one_file_per_cluster_and_sends_nothing()
    {
        using var session = fixture.NewSession();
        var name = Unique("render");
        var directory = Path.Combine(fixture.Emulator.Directory, name);

        var manifests = session.Run("New-FleetBackupSchedule $args[0] -Schedule '0 */4 * * *' -Selector 'env=prod' -OutputPath $args[1]", name, directory)
            .ThrowIfFailed().Output.Cast<FleetManifest>().ToList();

        manifests.Should().HaveCount(2);
        manifests.Select(m => (m.Cluster, m.Kind, m.Name)).Should().Equal(("prod-a", "Schedule", name), ("prod-b", "Schedule", name));
        File.ReadAllText(Path.Combine(directory, "prod-a.yaml")).Should().Contain("schedule: 0 */4 * * *").And.Contain("- events.events.k8s.io");
        Schedules(session.Run("Get-FleetBackupSchedule $args[0]", name)).Should().BeEmpty("rendering sends nothing");
    }

    [RequiresSharedCrdsFact]
    public async Task Failover_is_refused_while_the_primary_is_healthy_then_runs_once_it_is_down_and_a_second_run_changes_nothing()
    {
        using var session = fixture.NewSession();
        var bucket = Unique("fo");
        var ns = Unique("orders");
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply | Out-Null
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[1] } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'orders-settings'; namespace = $args[1] }; data = @{ mode = 'live' } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[0] -Default -Cluster prod-a | Out-Null
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[0] -AccessMode ReadOnly -Cluster prod-b | Out-Null
            New-FleetBackupSchedule $args[1] -Rpo 01:00:00 -IncludedNamespace $args[1] -StorageLocation $args[0] -Cluster prod-a | Out-Null
            """, bucket, ns).ThrowIfFailed();
        for (var i = 0; i < 50 && Backups(session.Run("Get-FleetBackup -Cluster prod-b -Schedule $args[0] -Phase Completed", ns)).Count == 0; i++)
            Thread.Sleep(100);

        var refused = session.Run("Invoke-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Confirm:$false", ns);
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FailoverPrimaryHealthy,");
        refused.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidOperation);
        refused.TerminatingRecord.TargetObject.Should().Be("prod-a");
        refused.Output.Should().BeEmpty();

        var plan = session.Run("Invoke-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Force -WhatIf", ns).ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        plan.Status.Should().Be("Planned");
        plan.Backup.Should().StartWith(ns + "-");
        plan.Steps.Select(s => s.Outcome).Should().Equal("Succeeded", "Succeeded", "Planned", "Planned", "Skipped", "Skipped");

        // prod-a stops for 20 seconds (it listens again by itself; the other tests of this class need it).
        await fixture.Emulator.SetFaultsAsync(fixture.Emulator.Contexts[0], """{"stopped":true,"stoppedForSeconds":20}""");
        // The emulator stops its listener after answering the fault request: wait until prod-a is down.
        for (var i = 0; i < 50 && session.Run("(Test-FleetCluster -Cluster prod-a).Status.ToString()").Output.SingleOrDefault() is "Healthy"; i++)
            Thread.Sleep(100);
        try
        {
            var run = session.Run("Invoke-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Confirm:$false", ns);
            var result = run.ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
            result.Status.Should().Be("Completed", result.Message);
            result.Steps.Should().HaveCount(6);
            result.Steps.Select(s => s.Outcome).Should().Equal("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Skipped", "Skipped");
            result.Backup.Should().Be(plan.Backup);
            result.Rpo.Should().BePositive();
            result.Rto.Should().BePositive();
            run.Progress.Should().Contain(p => p.StatusDescription == "Restore");
            var restored = session.Run("Get-FleetResource -Kind ConfigMap -Namespace $args[0] -Cluster prod-b", ns).ThrowIfFailed().Output;
            restored.Select(o => o!.ToString()).Should().Contain($"prod-b: ConfigMap {ns}/orders-settings", "the primary's ConfigMap was restored");

            var again = session.Run("Invoke-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Confirm:$false", ns).ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
            again.Status.Should().Be("AlreadyComplete");
            again.Restore.Should().Be(result.Restore);
        }
        finally
        {
            for (var i = 0; i < 60 && session.Run("Get-FleetBackupSchedule -Cluster prod-a").Errors.Count > 0; i++)
                Thread.Sleep(500);
        }
    }

    /// <summary>A bucket shared by prod-a (read-write) and prod-b (read-only), and a namespace on prod-a with a ConfigMap and a Deployment, backed up once.</summary>
    private static (string Bucket, string Namespace) BackedUpNamespace(PowerShellSession session, string prefix)
    {
        var bucket = Unique(prefix);
        var ns = Unique(prefix + "ns");
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply | Out-Null
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[1] } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[1] }; data = @{ mode = 'live' } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'api'; namespace = $args[1] }
               spec = @{ replicas = 2; selector = @{ matchLabels = @{ app = 'api' } }
                         template = @{ metadata = @{ labels = @{ app = 'api' } }; spec = @{ containers = @(@{ name = 'api'; image = 'nginx:1.27' }) } } } } |
              Invoke-FleetApply -Cluster prod-a | Out-Null
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[0] -Default -Cluster prod-a | Out-Null
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[0] -AccessMode ReadOnly -Cluster prod-b | Out-Null
            New-FleetBackupSchedule $args[1] -Rpo 01:00:00 -IncludedNamespace $args[1] -StorageLocation $args[0] -Cluster prod-a | Out-Null
            """, bucket, ns).ThrowIfFailed();
        for (var i = 0; i < 50 && Backups(session.Run("Get-FleetBackup -Cluster prod-b -Schedule $args[0] -Phase Completed", ns)).Count == 0; i++)
            Thread.Sleep(100);
        return (bucket, ns);
    }

    private static List<string> NamespacesOf(PowerShellSession session, string cluster, string prefix) =>
        session.Run("@(Get-FleetResource -Kind Namespace -Cluster $args[0] | Where-Object Name -like $args[1] | ForEach-Object Name)", cluster, prefix + "*")
            .ThrowIfFailed().Output.Select(o => o!.ToString()!).ToList();

    [RequiresSharedCrdsFact]
    public void A_drill_restores_under_drill_namespaces_reports_the_RTO_and_leaves_nothing_behind()
    {
        using var session = fixture.NewSession();
        var (_, ns) = BackedUpNamespace(session, "drill");

        var plan = session.Run("Test-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -WhatIf", ns).ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        plan.Status.Should().Be("Planned");
        plan.Drill.Should().BeTrue();
        plan.Steps.Select(s => s.Outcome).Should().Equal("Succeeded", "Planned", "Planned", "Planned");
        NamespacesOf(session, "prod-b", ns).Should().BeEmpty("-WhatIf restored nothing");

        var run = session.Run("Test-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Confirm:$false", ns);
        var result = run.ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();

        result.Status.Should().Be("Completed", result.Message);
        result.Drill.Should().BeTrue();
        result.From.Should().Be("prod-a");
        result.To.Should().Be("prod-b");
        result.Backup.Should().Be(plan.Backup);
        result.Steps.Should().HaveCount(4);
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("SelectBackup", "Succeeded"), ("Restore", "Succeeded"), ("WaitForWorkloads", "Succeeded"), ("Cleanup", "Succeeded"));
        result.Steps[2].Message.Should().Be("1 Deployments available");
        result.Steps[3].Message.Should().MatchRegex($"^deleted {ns}-drill-\\d{{12}}$");
        result.Rpo.Should().BePositive();
        result.Rto.Should().BePositive();
        result.Traffic.Should().BeNull();
        run.Progress.Should().Contain(p => p.StatusDescription == "Cleanup");
        NamespacesOf(session, "prod-b", ns).Should().BeEmpty("the drill namespace was deleted and the standby got no copy of the primary's");
        session.Run("@(Get-FleetResource -Kind Restore -Namespace velero -Cluster prod-b | Where-Object Name -eq $args[0]).Count", result.Restore)
            .ThrowIfFailed().Output.Single().Should().Be(1, "the drill's Restore stays as its record");
    }

    [RequiresSharedCrdsFact]
    public void A_drill_with_bad_input_stops_before_any_change()
    {
        using var session = fixture.NewSession();
        var (_, ns) = BackedUpNamespace(session, "drillbad");

        var same = session.Run("Test-FleetFailover -From prod-a -To prod-a -Namespace $args[0] -Confirm:$false", ns);
        same.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FailoverInputInvalid,");
        same.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument);
        same.TerminatingRecord.Exception.Message.Should().Be("-From and -To both name 'prod-a': a drill restores the primary's backup into another cluster.");
        same.Output.Should().BeEmpty();

        var missing = session.Run("Test-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Confirm:$false", ns + "-none");
        missing.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FailoverNoBackup,");
        missing.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.ObjectNotFound);
        missing.TerminatingRecord.TargetObject.Should().Be("prod-b");
        missing.Output.Should().BeEmpty();
        NamespacesOf(session, "prod-b", ns).Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public void A_planned_failover_to_dev_c_is_failed_back_with_what_dev_c_served_and_a_second_failback_changes_nothing()
    {
        using var session = fixture.NewSession();
        var bucket = Unique("fb");
        var ns = Unique("fbns");
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply | Out-Null
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[1] } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[1] }; data = @{ mode = 'live' } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[0] -Cluster prod-a | Out-Null
            New-FleetBackupLocation $args[0] -Provider aws -Bucket $args[0] -AccessMode ReadOnly -Cluster dev-c | Out-Null
            New-FleetBackupLocation "$($args[0])-rw" -Provider aws -Bucket $args[0] -Cluster dev-c | Out-Null
            New-FleetBackupSchedule $args[1] -Rpo 01:00:00 -IncludedNamespace $args[1] -StorageLocation $args[0] -Cluster prod-a | Out-Null
            """, bucket, ns).ThrowIfFailed();
        for (var i = 0; i < 50 && Backups(session.Run("Get-FleetBackup -Cluster dev-c -Schedule $args[0] -Phase Completed", ns)).Count == 0; i++)
            Thread.Sleep(100);
        var failover = session.Run("Invoke-FleetFailover -From prod-a -To dev-c -Namespace $args[0] -Force -Confirm:$false", ns).ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        failover.Status.Should().Be("Completed", failover.Message);
        session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[0] }; data = @{ mode = 'served-by-dev-c' } } | Invoke-FleetApply -Cluster dev-c -ForceConflicts | Out-Null", ns)
            .ThrowIfFailed();

        var plan = session.Run("Invoke-FleetFailback -From dev-c -To prod-a -StorageLocation $args[0] -WhatIf", bucket + "-rw").ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        plan.Status.Should().Be("Planned");
        plan.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("BackupStandby", "Planned"), ("AssessPrimary", "Planned"), ("SelectBackup", "Planned"),
            ("Restore", "Planned"), ("WaitForWorkloads", "Planned"), ("SwitchTraffic", "Skipped"), ("Verify", "Skipped"));
        plan.Steps[0].Message.Should().Be($"Backup velero/{plan.Backup} of {ns} in dev-c to location {bucket}-rw");

        var run = session.Run("Invoke-FleetFailback -From dev-c -To prod-a -StorageLocation $args[0] -Confirm:$false", bucket + "-rw");
        var result = run.ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();

        result.Status.Should().Be("Completed", result.Message);
        result.From.Should().Be("dev-c");
        result.To.Should().Be("prod-a");
        result.Steps.Should().HaveCount(7);
        result.Steps.Select(s => s.Outcome).Should().Equal("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Skipped", "Skipped");
        result.Backup.Should().StartWith("failback-dev-c-");
        run.Progress.Should().Contain(p => p.StatusDescription == "BackupStandby");
        session.Run("(Get-FleetResource -Kind ConfigMap -Name settings -Namespace $args[0] -Cluster prod-a).Object.data.mode", ns).ThrowIfFailed()
            .Output.Single().Should().Be("served-by-dev-c", "the primary got what the standby served");

        var again = session.Run("Invoke-FleetFailback -From dev-c -To prod-a -StorageLocation $args[0] -Confirm:$false", bucket + "-rw").ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        again.Status.Should().Be("AlreadyComplete");
        again.Restore.Should().Be(result.Restore);
        session.Run("@(Get-FleetBackup -Cluster dev-c | Where-Object Name -like 'failback-dev-c-*').Count").ThrowIfFailed().Output.Single().Should().Be(1);
    }

    [RequiresSharedCrdsFact]
    public void A_failback_without_a_failover_is_refused_before_any_change()
    {
        using var session = fixture.NewSession();
        const string countBackups = "@(Get-FleetBackup -Cluster dev-c | Where-Object Name -like 'failback-*').Count";
        var before = session.Run(countBackups).ThrowIfFailed().Output.Single();

        var refused = session.Run("Invoke-FleetFailback -From dev-c -To prod-b -Namespace shop -Confirm:$false");

        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FailbackNotPossible,");
        refused.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidOperation);
        refused.TerminatingRecord.TargetObject.Should().Be("dev-c");
        refused.TerminatingRecord.Exception.Message.Should().Be(
            "'dev-c' records no completed failover from 'prod-b' (ConfigMap velero/multicluster-failover-prod-b is missing): there is nothing to fail back.");
        refused.Output.Should().BeEmpty();
        session.Run(countBackups).ThrowIfFailed().Output.Single().Should().Be(before, "no backup was taken");
    }

    [RequiresSharedCrdsFact]
    public void Readiness_checks_each_primary_with_its_drPeer_and_a_cluster_without_one_fails()
    {
        using var session = fixture.NewSession();
        BackedUpNamespace(session, "ready");

        var checks = session.Run("Get-FleetDrReadiness -MaxRpo 1.00:00:00").ThrowIfFailed().Output.Cast<FleetDrCheck>().ToList();

        checks.Should().HaveCount(11, "ten checks of prod-a with prod-b, one of dev-c; prod-b is checked as prod-a's standby");
        // Pairs are checked at once and written as each finishes, a pair's checks together.
        var pair = checks.SkipWhile(c => c.Cluster != "prod-a").Take(10).ToList();
        pair.Should().HaveCount(10).And.OnlyContain(c => c.Cluster == "prod-a" && c.Standby == "prod-b");
        pair.Select(c => c.Check).Should().Equal("VeleroInstalled", "LocationAvailable", "VeleroInstalled", "LocationAvailable",
            "StandbySeesBackups", "BackupAge", "Schedules", "VolumeSnapshots", "StorageClasses", "WarmStandby");
        pair.Take(5).Should().OnlyContain(c => c.Status == "Pass");
        var alone = checks.Should().ContainSingle(c => c.Cluster == "dev-c").Which;
        alone.Should().BeEquivalentTo(new { Cluster = "dev-c", Standby = (string?)null, Check = "Standby", Status = "Fail" });
        alone.Action.Should().Be("Name a standby in the fleet file (drPeer: on dev-c) or with -Standby.");

        var bad = session.Run("Get-FleetDrReadiness -MaxRpo 00:00:00");
        bad.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FailoverInputInvalid,");
        bad.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument);
        bad.Output.Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public void ExternalDns_as_the_traffic_provider_is_planned_and_needs_its_object_and_host_name()
    {
        using var session = fixture.NewSession();
        // prod-b -> prod-a: prod-a sees its own backups, and the other tests' failovers from prod-a leave no record in it.
        var (_, ns) = BackedUpNamespace(session, "xdns");

        var plan = session.Run("Invoke-FleetFailover -From prod-b -To prod-a -Namespace $args[0] -Force -TrafficProvider ExternalDns -ExternalDnsObject service/$($args[0])/web -RecordName app.example.com -WhatIf", ns)
            .ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        plan.Status.Should().Be("Planned");
        plan.Traffic.Should().Be($"ExternalDNS app.example.com: Service {ns}/web prod-b -> prod-a");
        plan.Steps.Select(s => s.Outcome).Should().Equal("Succeeded", "Succeeded", "Planned", "Planned", "Planned", "Skipped");

        var missing = session.Run("Invoke-FleetFailover -From prod-a -To prod-b -Namespace $args[0] -Force -TrafficProvider ExternalDns -RecordName app.example.com -Confirm:$false", ns);
        missing.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FailoverInputInvalid,");
        missing.TerminatingRecord.Exception.Message.Should().Be("-TrafficProvider ExternalDns needs -ExternalDnsObject (kind/namespace/name) and -RecordName (the host name).");
        missing.Output.Should().BeEmpty();
    }

    private static List<FleetResourceResult> Results(PowerShellResult result) => result.ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();

    private static List<FleetBackupSchedule> Schedules(PowerShellResult result) => result.ThrowIfFailed().Output.Cast<FleetBackupSchedule>().ToList();

    private static List<FleetBackup> Backups(PowerShellResult result) => result.ThrowIfFailed().Output.Cast<FleetBackup>().ToList();
}
