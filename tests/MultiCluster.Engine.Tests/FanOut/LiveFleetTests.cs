using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.FanOut;

/// <summary>The services against real HTTPS emulated API servers, through the real KubernetesClient.</summary>
public sealed class LiveFleetTests : IAsyncLifetime
{
    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: shop
        data:
          mode: blue
          retries: "3"
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
            spec:
              containers:
              - name: web
                image: nginx:1.27
        """;

    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "live");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private async Task<List<FleetResourceResult>> Apply(string yaml, ApplyOptions? options = null)
    {
        var service = new ApplyService(_connector);
        return await service.ApplyAsync(service.Plan(_connector.Clusters, ManifestReader.ReadText(yaml)), options ?? new ApplyOptions()).ToListAsync();
    }

    [Fact]
    public async Task Applies_to_three_clusters_and_a_second_apply_is_unchanged()
    {
        var first = await Apply(Manifests);
        var second = await Apply(Manifests);

        first.Should().HaveCount(9);
        first.Should().OnlyContain(r => r.Action == FleetResourceAction.Created, string.Join("; ", first.Select(r => $"{r}: {r.Message}")));
        second.Should().HaveCount(9);
        second.Should().OnlyContain(r => r.Action == FleetResourceAction.Unchanged, string.Join("; ", second.Select(r => $"{r}: {r.Message}")));
    }

    [Fact]
    public async Task A_new_namespace_is_applied_before_its_objects_and_one_the_cluster_has_alongside_them()
    {
        var cluster = _fleet[0];
        var first = await Apply(Manifests);
        var firstPatches = cluster.RequestLog.Requests.Where(r => r.Method == "PATCH").ToList();
        cluster.RequestLog.Clear();
        // Slow applies: objects that waited for the namespace's apply could not start before it was answered.
        await cluster.SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromMilliseconds(300), Methods = ["PATCH"] });
        var second = await Apply(Manifests);
        var secondPatches = cluster.RequestLog.Requests.Where(r => r.Method == "PATCH").ToList();

        first.Should().HaveCount(9).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        second.Should().HaveCount(9).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        firstPatches.Should().HaveCount(3);
        var created = firstPatches.Single(r => r.Path == "/api/v1/namespaces/shop");
        firstPatches.Where(r => r != created).Should().HaveCount(2).And.OnlyContain(r => r.Started >= created.Finished);
        secondPatches.Should().HaveCount(3);
        var existing = secondPatches.Single(r => r.Path == "/api/v1/namespaces/shop");
        secondPatches.Where(r => r != existing).Should().HaveCount(2).And.OnlyContain(r => r.Started < existing.Finished);
    }

    [Fact]
    public async Task WhatIf_after_a_change_reports_the_changed_field_and_leaves_the_cluster_alone()
    {
        await Apply(Manifests);

        var preview = await Apply(Manifests.Replace("replicas: 2", "replicas: 4"), new ApplyOptions { WhatIf = true });

        var deployments = preview.Where(r => r.Kind == "Deployment").ToList();
        deployments.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldChange, string.Join("; ", preview.Select(r => r.Message)));
        deployments[0].Changes.Should().ContainSingle(c => c.Path == "spec.replicas")
            .Which.Should().BeEquivalentTo(new { Before = (object)2L, After = (object)4L });
        preview.Where(r => r.Kind != "Deployment").Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var live = await new FleetResourceReader(_connector).GetAsync(_connector.Clusters,
            new ResourceQuery { Kind = "Deployment", Namespace = "shop", Name = "web" }, new FanOutOptions()).ToListAsync();
        live.Should().HaveCount(3).And.OnlyContain(o => o.Value != null && ((System.Collections.IDictionary)o.Value.Object["spec"]!)["replicas"]!.Equals(2L));
    }

    [Fact]
    public async Task A_stopped_cluster_fails_alone()
    {
        await _fleet["live-2"].SetFaultsAsync(new FaultSettings { Stopped = true });

        var results = await Apply(Manifests);

        results.Where(r => r.Cluster != "live-2").Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        var failed = results.Where(r => r.Cluster == "live-2").ToList();
        failed.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Failed);
        failed.Should().OnlyContain(r => ((FleetException)r.Error!).ErrorId == FleetErrorIds.ClusterUnreachable);
    }

    [Fact]
    public async Task A_hanging_cluster_times_out_alone()
    {
        await _fleet["live-3"].SetFaultsAsync(new FaultSettings { Hanging = true });

        var results = await Apply(Manifests, new ApplyOptions { FanOut = new FanOutOptions { TimeoutSeconds = 2 } });
        await _fleet["live-3"].ClearFaultsAsync();

        results.Where(r => r.Cluster == "live-3").Should().HaveCount(3)
            .And.OnlyContain(r => r.Action == FleetResourceAction.Failed && ((FleetException)r.Error!).ErrorId == FleetErrorIds.ClusterTimeout);
        results.Where(r => r.Cluster != "live-3").Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
    }

    [Fact]
    public async Task Delete_circuit_breaker_refuses_then_forced_delete_removes_and_a_down_cluster_is_not_absent()
    {
        await Apply(Manifests);
        var service = new DeleteService(_connector);
        var query = new ResourceQuery { ApiVersion = "v1", Kind = "ConfigMap", Namespace = "shop", Name = "settings" };

        var refused = () => service.PlanAsync(_connector.Clusters, query, new DeleteOptions());
        (await refused.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(FleetErrorIds.DeletionLimitExceeded);

        await _fleet["live-1"].SetFaultsAsync(new FaultSettings { Stopped = true });
        var options = new DeleteOptions { MaxClusters = int.MaxValue, MaxFleetShare = 1 };
        var plan = await service.PlanAsync(_connector.Clusters, query, options);
        await _fleet["live-1"].ClearFaultsAsync();

        plan.KnownResults.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Cluster = "live-1", Action = FleetResourceAction.Failed });
        ((FleetException)plan.KnownResults[0].Error!).ErrorId.Should().Be(FleetErrorIds.ClusterListFailed);
        plan.Targets.Select(t => t.Cluster.Name).Should().BeEquivalentTo("live-2", "live-3");

        var preview = await service.DeleteAsync(plan.Targets, options with { WhatIf = true }).ToListAsync();
        preview.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.WouldDelete);

        var deleted = await service.DeleteAsync(plan.Targets, options).ToListAsync();
        deleted.Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Deleted);

        var after = await new FleetResourceReader(_connector).GetAsync(_connector.Clusters, query, new FanOutOptions()).ToListAsync();
        after.Single(o => o.Cluster == "live-1").Value.Should().NotBeNull("live-1 could not be read, so nothing was deleted there");
        after.Where(o => o.Cluster != "live-1").Should().HaveCount(2).And.OnlyContain(o => o.Error != null && o.Error.ErrorId == FleetErrorIds.ResourceNotFound);
    }

    private const string WidgetCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: { type: integer }
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        """;

    [Fact]
    public async Task A_crd_and_its_custom_resource_apply_in_one_run()
    {
        var results = await Apply(WidgetCrd + "\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: shop\nspec:\n  size: 3\n");

        results.Should().HaveCount(9);
        results.Should().OnlyContain(r => r.Action == FleetResourceAction.Created, string.Join("; ", results.Select(r => $"{r}: {r.Message}")));
    }

    [Fact]
    public async Task A_misspelt_field_is_rejected_as_invalid_on_each_cluster()
    {
        var results = await Apply(WidgetCrd + "\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: shop\nspec:\n  sise: 3\n");

        var widgets = results.Where(r => r.Kind == "Widget").ToList();
        widgets.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Failed);
        ((FleetException)widgets[0].Error!).ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
        widgets[0].Message.Should().Contain("sise");
        results.Where(r => r.Kind != "Widget").Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
    }

    [Fact]
    public async Task Reads_by_plural_name_and_label_selector_and_rejects_a_bad_selector()
    {
        await Apply(Manifests);
        var service = new FleetResourceReader(_connector);

        var found = await service.GetAsync(_connector.Clusters,
            new ResourceQuery { Kind = "configmaps", AllNamespaces = true, LabelSelector = "app.kubernetes.io/managed-by=multicluster" }, new FanOutOptions()).ToListAsync();
        var bad = await service.GetAsync(_connector.Clusters.Take(1).ToList(),
            new ResourceQuery { Kind = "ConfigMap", LabelSelector = "app in (web" }, new FanOutOptions()).ToListAsync();

        found.Select(o => $"{o.Cluster}:{o.Value?.Namespace}/{o.Value?.Name}").Should().BeEquivalentTo("live-1:shop/settings", "live-2:shop/settings", "live-3:shop/settings");
        bad.Should().ContainSingle().Which.Error!.ErrorId.Should().Be(FleetErrorIds.SelectorInvalid);
    }
}
