using System.Net;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Lifecycle;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Recovery;

public class BackupDefinitionTests
{
    [Fact]
    public void A_schedule_from_an_RPO_renders_the_cron_defaults_and_Go_ttl()
    {
        var schedule = BackupScheduleDefinition.Create("production", null, TimeSpan.FromMinutes(15), "tier=gold", TimeSpan.FromDays(30),
            d => d with { IncludedNamespaces = ["production"] }).Render();

        schedule.ToJson().Should().Be(JsonNode.Parse("""
            {"apiVersion":"velero.io/v1","kind":"Schedule",
             "metadata":{"name":"production","namespace":"velero","labels":{"app.kubernetes.io/managed-by":"multicluster"}},
             "spec":{"schedule":"*/15 * * * *","template":{
               "includedNamespaces":["production"],"excludedResources":["events","events.events.k8s.io"],
               "labelSelector":{"matchLabels":{"tier":"gold"}},"ttl":"720h0m0s"}}}
            """)!.ToJsonString());
    }

    [Theory]
    [InlineData("0 2 * * *", 5, "give either -Schedule (a cron) or -Rpo (the recovery point objective), not both")]
    [InlineData(null, null, "give either -Schedule (a cron) or -Rpo (the recovery point objective), not neither")]
    public void Schedule_and_RPO_are_one_or_the_other(string? cron, int? rpoMinutes, string message)
    {
        var act = () => BackupScheduleDefinition.Create("nightly", cron, rpoMinutes is { } m ? TimeSpan.FromMinutes(m) : null, null, null);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.ScheduleInvalid);
        error.Target.Should().Be("nightly");
        error.Message.Should().Be($"Schedule 'nightly': {message}.");
    }

    [Fact]
    public void Bad_schedule_input_is_refused_with_its_own_id()
    {
        FluentActions.Invoking(() => BackupScheduleDefinition.Create("n", "61 * * * *", null, null, null))
            .Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(RecoveryErrorIds.ScheduleInvalid);
        FluentActions.Invoking(() => BackupScheduleDefinition.Create("n", null, TimeSpan.FromHours(1), null, TimeSpan.FromHours(-1)))
            .Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(RecoveryErrorIds.TtlInvalid);
        var selector = FluentActions.Invoking(() => BackupScheduleDefinition.Create("n", null, TimeSpan.FromHours(1), "tier in (gold)", null))
            .Should().Throw<FleetInputException>().Which;
        selector.ErrorId.Should().Be(FleetErrorIds.SelectorInvalid);
        selector.Message.Should().Contain("'tier in (gold)' is not key=value");
    }

    [Fact]
    public void A_standby_location_is_read_only_and_references_its_credentials()
    {
        var objects = Standby().Render();

        objects.Should().HaveCount(2);
        objects[0].ToJson().Should().Be(JsonNode.Parse("""
            {"apiVersion":"velero.io/v1","kind":"BackupStorageLocation",
             "metadata":{"name":"primary-region","namespace":"velero","labels":{"app.kubernetes.io/managed-by":"multicluster"}},
             "spec":{"provider":"aws","objectStorage":{"bucket":"dr-backups","prefix":"prod"},"config":{"region":"us-east-1"},
                     "credential":{"name":"cloud-credentials","key":"cloud"},"accessMode":"ReadOnly","backupSyncPeriod":"30s"}}
            """)!.ToJsonString());
        objects[1].ToJson().Should().Be(JsonNode.Parse("""
            {"apiVersion":"velero.io/v1","kind":"VolumeSnapshotLocation",
             "metadata":{"name":"primary-region","namespace":"velero","labels":{"app.kubernetes.io/managed-by":"multicluster"}},
             "spec":{"provider":"aws","config":{"region":"us-east-1"},"credential":{"name":"cloud-credentials","key":"cloud"}}}
            """)!.ToJsonString());
    }

    [Theory]
    [InlineData("dr-backups/prod", "ReadWrite", false, "the bucket 'dr-backups/prod' contains '/'; put the path in -Prefix instead")]
    [InlineData("dr-backups", "Write", false, "the access mode 'Write' is neither ReadWrite nor ReadOnly")]
    [InlineData("dr-backups", "ReadOnly", true, "a ReadOnly location cannot be the default one: scheduled backups would fail on it")]
    public void A_location_Velero_would_reject_is_refused_first(string bucket, string accessMode, bool isDefault, string problem)
    {
        var act = () => (Standby() with { Bucket = bucket, AccessMode = accessMode, Default = isDefault }).Validate();

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.BackupLocationInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("primary-region");
        error.Message.Should().Be($"Backup location 'primary-region': {problem}.");
    }

    [RequiresSharedCrdsFact]
    public async Task Every_rendered_Velero_object_is_accepted_by_the_real_CRDs_under_strict_validation()
    {
        await using var cluster = await ManagementCluster.StartBareAsync("velero-schema");
        SharedCrds.LoadInto(cluster.Emulator, "velero");
        cluster.CreateNamespace("velero");
        var full = BackupScheduleDefinition.Create("full", "0 */6 * * *", null, "app=web,tier=gold", TimeSpan.FromDays(7), d => d with
        {
            IncludedNamespaces = ["production", "payments"],
            ExcludedResources = ["events", "secrets"],
            StorageLocation = "primary-region",
            VolumeSnapshotLocations = ["primary-region"],
            SnapshotVolumes = true,
        });
        var objects = new List<KubeObject> { full.Render(), BackupScheduleDefinition.Create("minimal", null, TimeSpan.FromHours(1), null, null).Render() };
        objects.AddRange(Standby().Render());
        objects.AddRange((Standby() with { Name = "default", AccessMode = "ReadWrite", Default = true, Prefix = null, Region = null, CredentialSecret = null, SnapshotProvider = null, BackupSyncPeriod = null }).Render());

        objects.Should().HaveCount(5);
        foreach (var obj in objects)
        {
            var (status, body) = await cluster.CreateStrictAsync(obj);
            status.Should().Be(HttpStatusCode.Created, $"{obj.Reference} must be valid: {body}");
            var stored = await cluster.GetAsync(obj);
            ClusterManifestSchemaTests.MissingLeaves(obj.Json, stored!.Json, "").Should().BeEmpty($"the server keeps every field of {obj.Reference}");
        }
    }

    private static BackupLocationDefinition Standby() => new()
    {
        Name = "primary-region",
        Provider = "aws",
        Bucket = "dr-backups",
        Prefix = "/prod/",
        Region = "us-east-1",
        AccessMode = "ReadOnly",
        CredentialSecret = "cloud-credentials",
        SnapshotProvider = "aws",
        BackupSyncPeriod = TimeSpan.FromSeconds(30),
    };
}
