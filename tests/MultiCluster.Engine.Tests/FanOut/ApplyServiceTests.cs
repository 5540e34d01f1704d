using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Resources;

namespace MultiCluster.Engine.Tests.FanOut;

public class ApplyServiceTests
{
    private const string Manifests = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: blue
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team
        """;

    private static async Task<List<FleetResourceResult>> Apply(FakeFleet fleet, string yaml, ApplyOptions? options = null)
    {
        var service = new ApplyService(fleet, fleet.ApiFactory);
        var targets = service.Plan(fleet.Clusters, ManifestReader.ReadText(yaml));
        return await service.ApplyAsync(targets, options ?? new ApplyOptions()).ToListAsync();
    }

    private static KubeObject Deployment(string resourceVersion, int replicas, int readyReplicas) => new(new System.Text.Json.Nodes.JsonObject
    {
        ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
        ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "web", ["namespace"] = "shop", ["resourceVersion"] = resourceVersion },
        ["spec"] = new System.Text.Json.Nodes.JsonObject { ["replicas"] = replicas },
        ["status"] = new System.Text.Json.Nodes.JsonObject { ["readyReplicas"] = readyReplicas },
    });

    [Fact]
    public void A_status_write_between_list_and_apply_is_not_a_change_but_a_spec_change_is()
    {
        var listed = LiveVersion.Of(Deployment("7", replicas: 3, readyReplicas: 1));

        ApplyService.ActionOf(listed, new ApplyResponse(Deployment("7", 3, 1), Created: false)).Should().Be(FleetResourceAction.Unchanged);
        ApplyService.ActionOf(listed, new ApplyResponse(Deployment("8", 3, 3), Created: false))
            .Should().Be(FleetResourceAction.Unchanged, "only the controller's status write moved the version");
        ApplyService.ActionOf(listed, new ApplyResponse(Deployment("8", 5, 1), Created: false)).Should().Be(FleetResourceAction.Configured);
        ApplyService.ActionOf(null, new ApplyResponse(Deployment("1", 3, 0), Created: false)).Should().Be(FleetResourceAction.Created);
    }

    [Fact]
    public void A_list_item_as_read_and_the_same_object_as_applied_have_one_digest_and_only_bookkeeping_is_left_out()
    {
        // As a list holds it (no apiVersion or kind) and as an apply answers it (both, newer bookkeeping, a status).
        const string listed = """
            {"metadata":{"name":"web","namespace":"shop","resourceVersion":"7","generation":1,"managedFields":[{"manager":"multicluster"}],
             "annotations":{"note":"<b>caf\u00e9 & more</b>","plus":"a+b"}},"data":{"n":1.50,"list":[1,null,true],"empty":{}}}
            """;
        const string applied = """
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web","namespace":"shop","resourceVersion":"9","generation":2,"managedFields":[],
             "annotations":{"note":"<b>café \u0026 more</b>","plus":"a\u002bb"}},"data":{"n":1.50,"list":[1,null,true],"empty":{}},"status":{"ok":true}}
            """;
        using var list = JsonDocument.Parse(listed);

        var fromList = LiveVersion.ContentOf(list.RootElement);

        fromList.Should().Be(LiveVersion.ContentOf(JsonNode.Parse(applied)!.AsObject()));
        fromList.Should().Be(LiveVersion.ContentOf(JsonNode.Parse(listed)!.AsObject()));
        LiveVersion.ContentOf(JsonNode.Parse(applied.Replace("1.50", "2"))!.AsObject()).Should().NotBe(fromList, "a changed value is a change");
        LiveVersion.ContentOf(JsonNode.Parse(applied.Replace("\"plus\"", "\"minus\""))!.AsObject()).Should().NotBe(fromList);
    }

    [Fact]
    public async Task First_apply_creates_and_second_reports_unchanged_on_every_cluster()
    {
        var fleet = new FakeFleet("a", "b", "c");

        var first = await Apply(fleet, Manifests);
        var second = await Apply(fleet, Manifests);

        first.Should().HaveCount(12).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        second.Should().HaveCount(12).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
    }

    [Fact]
    public async Task Reads_what_exists_with_one_list_per_type_and_namespace_and_no_get_per_object()
    {
        var fleet = new FakeFleet("a", "b");
        await Apply(fleet, Manifests);
        fleet["a"].Requests.Clear();

        var second = await Apply(fleet, Manifests);

        second.Should().HaveCount(8).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        fleet["a"].Requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal)).Should().BeEquivalentTo(
            "GET /api/v1/namespaces?limit=500",
            "GET /api/v1/namespaces/team/configmaps?limit=500",
            "GET /apis/apps/v1/namespaces/shop/deployments?limit=500");
        fleet["a"].Requests.Count(r => r.StartsWith("PATCH ", StringComparison.Ordinal)).Should().Be(4);
        fleet["a"].Requests.Should().HaveCount(7, "discovery is cached for the connection; each object costs only its apply");
    }

    [Fact]
    public async Task Where_lists_are_forbidden_each_object_is_read_on_its_own()
    {
        var fleet = new FakeFleet("a");
        await Apply(fleet, Manifests);
        fleet["a"].ListsForbidden = true;

        var results = await Apply(fleet, Manifests.Replace("mode: blue", "mode: green"));

        results.Should().HaveCount(4).And.OnlyContain(r => r.Action != FleetResourceAction.Failed);
        results.Single(r => r.Kind == "ConfigMap").Action.Should().Be(FleetResourceAction.Configured);
        results.Where(r => r.Kind != "ConfigMap").Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        fleet["a"].Requests.Should().Contain("GET /api/v1/namespaces/team/configmaps/settings");
    }

    [Fact]
    public async Task A_changed_object_is_configured()
    {
        var fleet = new FakeFleet("a");
        await Apply(fleet, Manifests);

        var results = await Apply(fleet, Manifests.Replace("replicas: 2", "replicas: 3"));

        results.Single(r => r.Kind == "Deployment").Action.Should().Be(FleetResourceAction.Configured);
        results.Where(r => r.Kind != "Deployment").Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
    }

    [Fact]
    public async Task Namespaces_go_first_and_objects_get_the_context_namespace_and_managed_by_label()
    {
        var fleet = new FakeFleet("a");

        var results = await Apply(fleet, Manifests);

        var patches = fleet["a"].Requests.Where(r => r.StartsWith("PATCH", StringComparison.Ordinal)).ToList();
        patches.Should().HaveCount(4).And.HaveSameCount(results);
        patches.Take(2).Should().OnlyContain(r => r.StartsWith("PATCH /api/v1/namespaces/shop?", StringComparison.Ordinal)
                                                  || r.StartsWith("PATCH /api/v1/namespaces/team?", StringComparison.Ordinal));
        patches.Should().OnlyContain(r => r.Contains("fieldManager=multicluster") && !r.Contains("force=true"));

        results.Single(r => r.Kind == "ConfigMap").Namespace.Should().Be("team");
        results.Single(r => r.Name == "shop").Namespace.Should().BeNull();
        var stored = fleet["a"].Stored("/api/v1/namespaces/team/configmaps/settings")!;
        stored["metadata"]!["labels"]![KubeObject.ManagedByLabel]!.GetValue<string>().Should().Be("multicluster");
    }

    [Fact]
    public async Task Cluster_scoped_objects_never_get_a_namespace()
    {
        var fleet = new FakeFleet("a");

        await Apply(fleet, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  namespace: stray\n");

        fleet["a"].Stored("/api/v1/namespaces/x")!["metadata"]!.AsObject().ContainsKey("namespace").Should().BeFalse();
    }

    [Fact]
    public async Task Force_conflicts_is_sent_only_when_asked()
    {
        var fleet = new FakeFleet("a");

        await Apply(fleet, Manifests, new ApplyOptions { ForceConflicts = true });

        fleet["a"].Requests.Where(r => r.StartsWith("PATCH", StringComparison.Ordinal)).Should().HaveCount(4).And.OnlyContain(r => r.Contains("force=true"));
    }

    [Fact]
    public async Task WhatIf_reports_the_changed_field_and_changes_nothing()
    {
        var fleet = new FakeFleet("a", "b");
        await Apply(fleet, Manifests);
        var before = fleet["a"].Stored("/apis/apps/v1/namespaces/shop/deployments/web")!["metadata"]!["resourceVersion"]!.GetValue<string>();

        var results = await Apply(fleet, Manifests.Replace("replicas: 2", "replicas: 5"), new ApplyOptions { WhatIf = true });

        var deployment = results.Where(r => r.Kind == "Deployment").ToList();
        deployment.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.WouldChange);
        deployment[0].Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "spec.replicas", Before = (object)2L, After = (object)5L });
        deployment[0].Message.Should().Contain("spec.replicas");
        results.Where(r => r.Kind != "Deployment").Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        fleet["a"].Stored("/apis/apps/v1/namespaces/shop/deployments/web")!["metadata"]!["resourceVersion"]!.GetValue<string>().Should().Be(before);
        var patches = fleet["a"].Requests.Where(r => r.StartsWith("PATCH", StringComparison.Ordinal)).ToList();
        patches.Should().HaveCount(8, "four applies, then the preview's four dry runs");
        patches.TakeLast(4).Should().OnlyContain(r => r.Contains("dryRun=All"));
    }

    [Fact]
    public async Task WhatIf_on_an_empty_cluster_would_create_even_objects_in_new_namespaces()
    {
        var fleet = new FakeFleet("a");

        var results = await Apply(fleet, Manifests, new ApplyOptions { WhatIf = true });

        results.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        results.Single(r => r.Kind == "Deployment").Message.Should().Contain("Namespace shop is created in the same run");
        fleet["a"].Stored("/api/v1/namespaces/shop").Should().BeNull();
    }

    [Fact]
    public async Task A_crd_applied_in_the_same_run_makes_its_kind_known()
    {
        const string yaml = """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w1
            spec:
              size: 3
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              scope: Namespaced
              names: { plural: widgets, kind: Widget }
              versions: [{ name: v1, served: true, storage: true }]
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team
            """;
        var fleet = new FakeFleet("a");

        var preview = await Apply(fleet, yaml, new ApplyOptions { WhatIf = true });
        var results = await Apply(fleet, yaml);

        preview.Single(r => r.Kind == "Widget").Should().BeEquivalentTo(new { Action = FleetResourceAction.WouldCreate });
        results.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        fleet["a"].Stored("/apis/example.com/v1/namespaces/team/widgets/w1").Should().NotBeNull();
    }

    [Fact]
    public async Task Unknown_kind_fails_with_a_hint_naming_the_cluster()
    {
        var fleet = new FakeFleet("a");

        var result = (await Apply(fleet, "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n")).Single();

        result.Action.Should().Be(FleetResourceAction.Failed);
        var error = result.Error.Should().BeOfType<FleetClusterException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ResourceKindUnknown);
        error.Cluster.Should().Be("a");
        error.RecommendedAction.Should().Contain("CRD");
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_alone_once_per_object()
    {
        var fleet = new FakeFleet("a", "down", "c");
        fleet["down"].Unreachable = true;

        var results = await Apply(fleet, Manifests);

        results.Where(r => r.Cluster != "down").Should().HaveCount(8).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        var failed = results.Where(r => r.Cluster == "down").ToList();
        failed.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Failed);
        failed.Select(r => ((FleetException)r.Error!).ErrorId).Should().OnlyContain(id => id == FleetErrorIds.ClusterUnreachable);
        failed.Select(r => (r.Kind, r.Name)).Should().OnlyHaveUniqueItems();
        fleet["down"].Requests.Count.Should().BeLessThan(4, "the cluster is given up after the first refused connection in each phase");
    }

    [Fact]
    public async Task A_cluster_without_a_connection_fails_alone()
    {
        var fleet = new FakeFleet("a", "lost");
        fleet.Broken.Add("lost");

        var results = await Apply(fleet, Manifests);

        results.Where(r => r.Cluster == "lost").Should().HaveCount(4)
            .And.OnlyContain(r => r.Action == FleetResourceAction.Failed && ((FleetException)r.Error!).ErrorId == FleetErrorIds.ClusterContextNotFound);
        results.Where(r => r.Cluster == "a").Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
    }

    [Fact]
    public void Plan_names_cluster_and_object_for_ShouldProcess_in_apply_order()
    {
        var fleet = new FakeFleet("prod-euc1");
        var service = new ApplyService(fleet, fleet.ApiFactory);

        var targets = service.Plan(fleet.Clusters, ManifestReader.ReadText(Manifests));

        targets.Select(t => t.Description).Should().Equal(
            "Cluster prod-euc1: apply v1 Namespace shop",
            "Cluster prod-euc1: apply v1 Namespace team",
            "Cluster prod-euc1: apply v1 ConfigMap team/settings",
            "Cluster prod-euc1: apply apps/v1 Deployment shop/web");
        fleet["prod-euc1"].Requests.Should().BeEmpty("planning contacts no cluster");
    }

    [Fact]
    public void Plan_refuses_empty_input_and_duplicates_before_touching_a_cluster()
    {
        var fleet = new FakeFleet("a");
        var service = new ApplyService(fleet, fleet.ApiFactory);
        var twice = ManifestReader.ReadText(Manifests + "\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");

        service.Invoking(s => s.Plan(fleet.Clusters, [])).Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
        service.Invoking(s => s.Plan(fleet.Clusters, twice)).Should().Throw<FleetInputException>().WithMessage("*v1 Namespace shop appears more than once*");
        service.Invoking(s => s.Plan([], twice)).Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.NoClustersSelected);
    }

    [Fact]
    public async Task Only_confirmed_targets_are_applied()
    {
        var fleet = new FakeFleet("a", "b");
        var service = new ApplyService(fleet, fleet.ApiFactory);
        var targets = service.Plan(fleet.Clusters, ManifestReader.ReadText(Manifests));

        var results = await service.ApplyAsync(targets.Where(t => t.Cluster.Name == "b" && t.Object.Kind == "Namespace"), new ApplyOptions()).ToListAsync();

        results.Should().HaveCount(2).And.OnlyContain(r => r.Cluster == "b" && r.Kind == "Namespace");
        fleet["a"].Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Reports_progress_per_cluster_and_for_the_fleet_and_one_verbose_line_per_object()
    {
        var fleet = new FakeFleet("a", "b");
        var reporter = new RecordingReporter();

        using (Reporting.FleetCallContext.Use(reporter))
        {
            await Apply(fleet, Manifests);
        }

        reporter.Progress.Should().Contain(p => p.Cluster == null && p.Completed && p.Status == "2/2 clusters");
        reporter.Progress.Should().Contain(p => p.Cluster == "a" && p.Completed && p.Status == "4/4 objects");
        reporter.Verbose.Should().HaveCount(8).And.Contain(v => v.StartsWith("Cluster b: apply apps/v1 Deployment shop/web: Created (", StringComparison.Ordinal));
    }

    private sealed class RecordingReporter : Reporting.IFleetReporter
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Verbose { get; } = new();
        public System.Collections.Concurrent.ConcurrentQueue<(string? Cluster, string Status, bool Completed)> Progress { get; } = new();

        void Reporting.IFleetReporter.Verbose(string message) => Verbose.Enqueue(message);
        public void Debug(string message) { }
        public void Warning(string message) { }
        void Reporting.IFleetReporter.Progress(string? cluster, string activity, string status, int percentComplete, bool completed) =>
            Progress.Enqueue((cluster, status, completed));
    }
}
