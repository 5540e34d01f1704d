using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MultiCluster.Engine.Configuration;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Engine.Tests.Configuration;

/// <summary>SecretSyncService against three emulated API servers (with the Deployment controller), through the real KubernetesClient.</summary>
public sealed class SecretSyncServiceTests : IAsyncLifetime
{
    private const string Ns = "app";
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private SecretSyncService _service = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "sync",
            configure: (_, options) => new EmulatedClusterOptions { Name = options.Name, Controllers = ControllerCatalog.Create(DeploymentController.ControllerName) });
        _connector = new EmulatorConnector(_fleet);
        _service = new SecretSyncService(_connector);
        foreach (var cluster in _fleet.Clusters)
            cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Ns } });
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private Kubernetes Client(int index) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(_fleet.KubeconfigPath, currentContext: _fleet.Clusters[index].Name));

    private static SecretValue Plain(string key, string value) => new(key, () => Encoding.UTF8.GetBytes(value), value.Length == 0);

    private static SecretSourceRequest Values(string name, params SecretValue[] values) =>
        new() { Names = [name], Namespace = Ns, GivenSources = ["-Value"], Values = values };

    private async Task<SecretSyncSource> Resolve(SecretSourceRequest request) => await SecretSources.ResolveAsync(request, _connector);

    private async Task<List<FleetSecretSyncResult>> Sync(SecretSyncSource source, SecretSyncOptions? options = null) =>
        await _service.SyncAsync(SecretSyncService.Plan(_connector.Clusters, source), options ?? new SecretSyncOptions()).ToListAsync();

    private async Task<List<FleetSecretStatus>> Test(SecretSyncSource source) =>
        await _service.TestAsync(_connector.Clusters, source, new FanOutOptions()).ToListAsync();

    private static string Describe(IEnumerable<object> results) => string.Join("; ", results);

    [Fact]
    public void The_content_hash_follows_content_and_type_not_key_order()
    {
        var hash = ContentHash.Compute("Secret", "Opaque", [Plain("a", "1"), Plain("b", "2")]);

        hash.Should().MatchRegex("^sha256:[0-9a-f]{64}$");
        ContentHash.Compute("Secret", "Opaque", [Plain("b", "2"), Plain("a", "1")]).Should().Be(hash);
        ContentHash.Compute("Secret", "Opaque", [Plain("a", "1"), Plain("b", "3")]).Should().NotBe(hash);
        ContentHash.Compute("Secret", "kubernetes.io/basic-auth", [Plain("a", "1"), Plain("b", "2")]).Should().NotBe(hash);
        ContentHash.Compute("ConfigMap", "Opaque", [Plain("a", "1"), Plain("b", "2")]).Should().NotBe(hash);
        // Length prefixes: moving a byte from key to value is another content.
        ContentHash.Compute("Secret", "Opaque", [Plain("a1", "")]).Should().NotBe(ContentHash.Compute("Secret", "Opaque", [Plain("a", "1")]));
    }

    [Fact]
    public async Task A_value_synced_to_three_clusters_edited_by_hand_on_one_is_Stale_there_only_and_the_next_sync_heals_it()
    {
        var source = await Resolve(Values("db", Plain("password", "hunter2")));

        var first = await Sync(source);
        var second = await Sync(source);

        first.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created, Describe(first));
        first.Should().OnlyContain(r => r.Kind == "Secret" && r.Namespace == Ns && r.Name == "db" && r.Source == "-Value");
        first.Should().OnlyContain(r => r.Keys.SequenceEqual(new[] { "password" }) && r.ContentHash == source.Objects[0].ContentHash);
        second.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged, Describe(second));
        using (var client = Client(0))
        {
            var copy = await client.CoreV1.ReadNamespacedSecretAsync("db", Ns);
            Encoding.UTF8.GetString(copy.Data["password"]).Should().Be("hunter2");
            copy.Type.Should().Be("Opaque");
            copy.Metadata.Labels.Should().Contain("app.kubernetes.io/managed-by", "multicluster").And.Contain("multicluster.io/synced-by", "db");
            copy.Metadata.Annotations.Should().Contain("multicluster.io/content-hash", source.Objects[0].ContentHash)
                .And.Contain("multicluster.io/sync-source", "-Value");
        }
        (await Test(source)).Should().HaveCount(3).And.OnlyContain(s => s.Status == FleetSecretState.InSync);

        using (var client = Client(1))
        {
            var copy = await client.CoreV1.ReadNamespacedSecretAsync("db", Ns);
            copy.Data["password"] = Encoding.UTF8.GetBytes("changed-by-hand");
            await client.CoreV1.ReplaceNamespacedSecretAsync(copy, "db", Ns);
        }
        var drift = await Test(source);

        drift.Should().HaveCount(3);
        drift.Single(s => s.Status == FleetSecretState.Stale).Cluster.Should().Be("sync-2");
        drift.Where(s => s.Cluster != "sync-2").Should().HaveCount(2).And.OnlyContain(s => s.Status == FleetSecretState.InSync);
        var stale = drift.Single(s => s.Cluster == "sync-2");
        stale.AnnotatedHash.Should().Be(source.Objects[0].ContentHash, "the hand edit left the annotation");
        stale.ActualHash.Should().NotBe(stale.AnnotatedHash);
        stale.Message.Should().Contain("edited by hand");

        var healed = await Sync(source);

        healed.Should().HaveCount(3);
        healed.Single(r => r.Action == FleetResourceAction.Configured).Cluster.Should().Be("sync-2");
        healed.Where(r => r.Cluster != "sync-2").Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged, Describe(healed));
        (await Test(source)).Should().HaveCount(3).And.OnlyContain(s => s.Status == FleetSecretState.InSync);
    }

    [Fact]
    public async Task WhatIf_reports_per_cluster_and_creates_nothing()
    {
        var source = await Resolve(Values("preview", Plain("token", "t0k3n")));

        var preview = await Sync(source, new SecretSyncOptions { WhatIf = true });

        preview.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate, Describe(preview));
        (await Test(source)).Should().HaveCount(3).And.OnlyContain(s => s.Status == FleetSecretState.Missing);
    }

    [Fact]
    public async Task Copies_from_a_source_cluster_the_source_no_longer_has_are_Extra_and_Prune_removes_them_through_the_circuit_breaker()
    {
        using (var source = Client(0))
        {
            foreach (var name in new[] { "a", "b" })
                await source.CoreV1.CreateNamespacedSecretAsync(new V1Secret
                {
                    Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "shop" } },
                    StringData = new Dictionary<string, string> { ["key"] = "value-" + name },
                }, Ns);
        }
        var request = new SecretSourceRequest
        {
            GivenSources = ["-SourceCluster"], SourceCluster = _connector.Clusters[0], SourceNamespace = Ns, SourceSelector = "app=shop",
        };
        var before = await Resolve(request);
        before.SkippedCluster.Should().Be("sync-1", "the source namespace is the copies' namespace");
        var synced = await Sync(before);
        synced.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Cluster != "sync-1", Describe(synced));
        synced.Should().OnlyContain(r => r.Source == $"sync-1/{Ns}/{r.Name}");

        using (var source = Client(0)) await source.CoreV1.DeleteNamespacedSecretAsync("b", Ns);
        var after = await Resolve(request);
        var status = await Test(after);

        status.Should().HaveCount(4, Describe(status));
        status.Where(s => s.Status == FleetSecretState.Extra).Select(s => (s.Cluster, s.Name)).Should().BeEquivalentTo(new[] { ("sync-2", "b"), ("sync-3", "b") });
        status.Where(s => s.Status == FleetSecretState.InSync).Select(s => (s.Cluster, s.Name)).Should().BeEquivalentTo(new[] { ("sync-2", "a"), ("sync-3", "a") });

        var refused = async () => await _service.PlanPruneAsync(_connector.Clusters, after, "Secret", Ns, new DeleteOptions { FleetSize = 3 });
        (await refused.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);
        var options = new DeleteOptions { MaxClusters = 2, MaxFleetShare = 1, FleetSize = 3 };
        var plan = await _service.PlanPruneAsync(_connector.Clusters, after, "Secret", Ns, options);
        plan.Targets.Should().HaveCount(2);
        plan.Targets.Should().OnlyContain(t => t.Object.Name == "b");
        var pruned = await _service.PruneAsync(plan.Targets, options).ToListAsync();

        pruned.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted);
        (await Test(after)).Should().HaveCount(2).And.OnlyContain(s => s.Status == FleetSecretState.InSync);
        using var unrelated = Client(1);
        (await unrelated.CoreV1.ListNamespacedSecretAsync(Ns)).Items.Select(s => s.Metadata.Name).Should().Equal("a");
    }

    [Fact]
    public async Task RolloutRestart_restarts_only_the_Deployments_using_a_changed_secret_wave_by_wave()
    {
        foreach (var cluster in _fleet.Clusters)
        {
            cluster.CreateObject(Deployment("uses-env", new JsonObject
            {
                ["env"] = new JsonArray(new JsonObject { ["name"] = "P", ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "api", ["key"] = "token" } } }),
            }, null));
            cluster.CreateObject(Deployment("mounts", new JsonObject(), new JsonArray(new JsonObject { ["name"] = "s", ["secret"] = new JsonObject { ["secretName"] = "api" } })));
            cluster.CreateObject(Deployment("other", new JsonObject(), null));
        }
        var waves = SecretSyncService.SplitWaves(_connector.Clusters, [new ClusterPlacement { Names = ["sync-1"] }, new ClusterPlacement { Names = ["*"] }]);
        waves.Select(w => w.Count).Should().Equal(1, 2);
        var options = new SecretSyncOptions { RolloutRestart = true, Waves = waves, WaveTimeout = TimeSpan.FromSeconds(20), PollInterval = TimeSpan.FromMilliseconds(200) };

        var created = await Sync(await Resolve(Values("api", Plain("token", "v1"))), options);
        created.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created, "a new secret restarts nothing");
        var changed = await Sync(await Resolve(Values("api", Plain("token", "v2"))), options);

        changed.Should().HaveCount(9, Describe(changed));
        changed.Where(r => r.Kind == "Secret").Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Configured);
        var restarts = changed.Where(r => r.Kind == "Deployment").ToList();
        restarts.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Configured, Describe(restarts));
        restarts.Select(r => r.Name).Distinct().Should().BeEquivalentTo("uses-env", "mounts");
        changed.Take(3).Select(r => r.Cluster).Should().Equal(["sync-1", "sync-1", "sync-1"], "the first wave, secret and its restarts, goes first");
        using (var client = Client(2))
        {
            (await client.AppsV1.ReadNamespacedDeploymentAsync("uses-env", Ns)).Spec.Template.Metadata.Annotations.Should().ContainKey("kubectl.kubernetes.io/restartedAt");
            var other = await client.AppsV1.ReadNamespacedDeploymentAsync("other", Ns);
            (other.Spec.Template.Metadata.Annotations ?? new Dictionary<string, string>()).Should().NotContainKey("kubectl.kubernetes.io/restartedAt");
        }

        var unchanged = await Sync(await Resolve(Values("api", Plain("token", "v2"))), options);
        unchanged.Should().HaveCount(3).And.OnlyContain(r => r.Kind == "Secret" && r.Action == FleetResourceAction.Unchanged, "nothing changed, so nothing restarts");
    }

    private static JsonObject Deployment(string name, JsonObject containerExtras, JsonArray? volumes)
    {
        var container = new JsonObject { ["name"] = "web", ["image"] = "nginx:1.27" };
        foreach (var (key, value) in containerExtras) container[key] = value?.DeepClone();
        var pod = new JsonObject { ["containers"] = new JsonArray(container) };
        if (volumes is not null) pod["volumes"] = volumes.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } }, ["spec"] = pod },
            },
        };
    }

    [Fact]
    public async Task Bad_input_is_refused_before_any_change_naming_what_and_where()
    {
        async Task<FleetInputException> Refused(SecretSourceRequest request)
        {
            var act = async () => await Resolve(request);
            return (await act.Should().ThrowAsync<FleetInputException>()).Which;
        }

        var missing = await Refused(new SecretSourceRequest { GivenSources = ["-SourceCluster"], SourceCluster = _connector.Clusters[0], SourceNamespace = Ns, Names = ["nope"] });
        missing.ErrorId.Should().Be(ConfigurationErrorIds.SecretSourceNotFound);
        missing.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        missing.Target.Should().Be($"sync-1/{Ns}/nope");
        missing.Message.Should().Be($"Secret {Ns}/nope does not exist on the source cluster 'sync-1'.");

        var empty = await Refused(Values("db", Plain("password", "")));
        (empty.ErrorId, empty.Category, empty.Target).Should().Be((ConfigurationErrorIds.SecretValueEmpty, FleetErrorCategory.InvalidData, $"Secret {Ns}/db (-Value) key 'password'"));

        var badKey = await Refused(Values("db", Plain("pass word", "x")));
        (badKey.ErrorId, badKey.Category, badKey.Target).Should().Be((ConfigurationErrorIds.SecretKeyInvalid, FleetErrorCategory.InvalidArgument, $"Secret {Ns}/db (-Value) key 'pass word'"));

        var both = await Refused(Values("db", Plain("password", "x")) with { GivenSources = ["-Value", "-Path"], Paths = ["db.yaml"] });
        (both.ErrorId, both.Category, both.Target).Should().Be((ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument, "-Value, -Path"));
        both.Message.Should().Be("-Value and -Path cannot be given together: each is a source of the content to sync.");

        foreach (var cluster in _fleet.Clusters)
            cluster.RequestLog.Requests.Should().NotContain(r => r.Method != "GET", "bad input changes nothing");
    }

    [Fact]
    public async Task A_manifest_file_syncs_its_data_and_stringData_and_its_type()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tls-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"} name: tls, namespace: {Ns} {"}"}
            type: kubernetes.io/tls
            data: {"{"} tls.crt: {Convert.ToBase64String("cert"u8.ToArray())} {"}"}
            stringData: {"{"} tls.key: key {"}"}
            """);
        try
        {
            var source = await Resolve(new SecretSourceRequest { GivenSources = ["-Path"], Paths = [file] });
            var results = await Sync(source);

            results.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Keys.SequenceEqual(new[] { "tls.crt", "tls.key" }));
            using var client = Client(2);
            var copy = await client.CoreV1.ReadNamespacedSecretAsync("tls", Ns);
            copy.Type.Should().Be("kubernetes.io/tls");
            Encoding.UTF8.GetString(copy.Data["tls.key"]).Should().Be("key");
            (await Test(source)).Should().HaveCount(3).And.OnlyContain(s => s.Status == FleetSecretState.InSync);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
