using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Patching;
using MultiCluster.Testing.ApiServer.Schema;
using MultiCluster.Testing.Tests.Schema;

namespace MultiCluster.Testing.Tests.Patching;

public sealed class ManagedFieldsTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly DateTimeOffset Noon = new(2026, 1, 2, 12, 0, 0, TimeSpan.Zero);

    private static ManagedFieldsOptions Options(string manager, bool force = false, StructuralSchema? schema = null) => new()
    {
        Manager = manager,
        ApiVersion = schema is null ? "apps/v1" : "example.com/v1",
        Group = schema is null ? "apps" : "example.com",
        Kind = schema is null ? "Deployment" : "Widget",
        Now = Noon,
        Force = force,
        Schema = schema,
    };

    private static JsonObject Deployment(string specYaml, string labels = "{app: web}") =>
        YamlJson.One($"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: default, labels: {labels}}}\nspec: {specYaml}");

    private static JsonObject Entry(JsonObject obj, string manager, string operation = "Apply") =>
        obj["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>()
            .Single(e => e["manager"]!.GetValue<string>() == manager && e["operation"]!.GetValue<string>() == operation);

    private static JsonObject Create(string manager, JsonObject applied)
    {
        var result = ManagedFields.Apply(null, applied, Options(manager));
        result.Conflicts.Should().BeEmpty();
        return result.Object;
    }

    [Fact]
    public void ApplyOnCreateRecordsTheAppliedFields()
    {
        var live = Create("alpha", Deployment("{replicas: 2, template: {spec: {containers: [{name: app, image: app:1}]}}}"));

        var entry = Entry(live, "alpha");
        entry["apiVersion"]!.GetValue<string>().Should().Be("apps/v1");
        entry["fieldsType"]!.GetValue<string>().Should().Be("FieldsV1");
        entry["time"]!.GetValue<string>().Should().Be("2026-01-02T12:00:00Z");
        entry.ContainsKey("subresource").Should().BeFalse();
        entry["fieldsV1"]!.ToJsonString(Relaxed).Should().Be(
            """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""");
        live["spec"]!["replicas"]!.GetValue<long>().Should().Be(2);
    }

    [Fact]
    public void ADifferentValueForAnotherManagersFieldConflicts()
    {
        var live = Create("alpha", Deployment("{replicas: 2}"));

        var result = ManagedFields.Apply(live, Deployment("{replicas: 3}"), Options("beta"));

        result.Conflicts.Should().Equal(new ApplyConflict("alpha", ".spec.replicas") { ManagerApiVersion = "apps/v1" });
        result.Object["spec"]!["replicas"]!.GetValue<long>().Should().Be(2);
    }

    [Fact]
    public void ForceTakesOwnership()
    {
        var live = Create("alpha", Deployment("{replicas: 2, paused: false}"));

        var result = ManagedFields.Apply(live, Deployment("{replicas: 3}", labels: "{app: web}"), Options("beta", force: true));

        result.Conflicts.Should().BeEmpty();
        result.Object["spec"]!["replicas"]!.GetValue<long>().Should().Be(3);
        Entry(result.Object, "alpha")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:paused":{}}}""");
        Entry(result.Object, "beta")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}""");
    }

    [Fact]
    public void TheSameValueIsSharedAndSurvivesOneOwnerDroppingIt()
    {
        var live = Create("alpha", Deployment("{replicas: 2, paused: true}"));
        var shared = ManagedFields.Apply(live, Deployment("{replicas: 2}"), Options("beta"));
        shared.Conflicts.Should().BeEmpty();

        var dropped = ManagedFields.Apply(shared.Object, Deployment("{minReadySeconds: 5}"), Options("alpha"));

        dropped.Conflicts.Should().BeEmpty();
        var spec = dropped.Object["spec"]!.AsObject();
        spec["replicas"]!.GetValue<long>().Should().Be(2, "beta still owns it");
        spec.ContainsKey("paused").Should().BeFalse("only alpha owned it and alpha dropped it");
        spec["minReadySeconds"]!.GetValue<long>().Should().Be(5);
        Entry(dropped.Object, "alpha")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:minReadySeconds":{}}}""");
    }

    [Fact]
    public void ListItemsAreOwnedByKey()
    {
        var live = Create("alpha", Deployment("{template: {spec: {containers: [{name: app, image: app:1}]}}}"));
        var both = ManagedFields.Apply(live, Deployment("{template: {spec: {containers: [{name: sidecar, image: side:1}]}}}"), Options("beta"));
        both.Conflicts.Should().BeEmpty();
        both.Object["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("app", "sidecar");

        var conflict = ManagedFields.Apply(both.Object, Deployment("{template: {spec: {containers: [{name: app, image: app:2}]}}}"), Options("beta"));
        conflict.Conflicts.Should().Equal(new ApplyConflict("alpha", ".spec.template.spec.containers[name=\"app\"].image") { ManagerApiVersion = "apps/v1" });

        var withoutApp = ManagedFields.Apply(both.Object, Deployment("{template: {spec: {containers: []}}}"), Options("alpha"));
        withoutApp.Object["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("sidecar");
    }

    [Fact]
    public void AnUpdateTakesTheFieldsItChangesAndThenConflictsWithApply()
    {
        var live = Create("alpha", Deployment("{replicas: 2, paused: false}"));
        var edited = (JsonObject)live.DeepClone();
        edited["spec"]!["replicas"] = 5;
        edited["metadata"]!["labels"]!["tier"] = "front";

        ManagedFields.RecordUpdate(live, edited, Options("kubectl-edit"));

        Entry(edited, "kubectl-edit", "Update")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be("""{"f:metadata":{"f:labels":{"f:tier":{}}},"f:spec":{"f:replicas":{}}}""");
        Entry(edited, "alpha")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:paused":{}}}""");
        ManagedFields.Apply(edited, Deployment("{replicas: 2, paused: false}"), Options("alpha")).Conflicts
            .Should().Equal(new ApplyConflict("kubectl-edit", ".spec.replicas") { Operation = "Update", ManagerApiVersion = "apps/v1" });
    }

    [Fact]
    public void AnUpdateOnCreateOwnsAddedMapsThemselves()
    {
        var created = Deployment("{replicas: 1, strategy: {}}");

        ManagedFields.RecordUpdate(null, created, Options("kubectl-create"));

        Entry(created, "kubectl-create", "Update")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:strategy":{}}}""");
    }

    [Fact]
    public void StatusBelongsToTheStatusSubresource()
    {
        var live = Create("alpha", Deployment("{replicas: 2}"));
        live["status"] = new JsonObject { ["replicas"] = 2L };
        var applied = Deployment("{replicas: 2}");
        applied["status"] = new JsonObject { ["replicas"] = 7L };

        var main = ManagedFields.Apply(live, applied, Options("alpha"));
        main.Object["status"]!["replicas"]!.GetValue<long>().Should().Be(2, "the main resource does not write status");

        var status = ManagedFields.Apply(live, applied, new ManagedFieldsOptions
        {
            Manager = "controller", ApiVersion = "apps/v1", Group = "apps", Kind = "Deployment", Now = Noon, Subresource = "status",
        });
        status.Object["status"]!["replicas"]!.GetValue<long>().Should().Be(7);
        var entry = Entry(status.Object, "controller");
        entry["subresource"]!.GetValue<string>().Should().Be("status");
        entry["fieldsV1"]!.ToJsonString(Relaxed).Should().Be("""{"f:status":{"f:replicas":{}}}""");
    }

    [Fact]
    public void ANoOpApplyKeepsTheTimestampAndEntriesAreOrdered()
    {
        var live = Create("alpha", Deployment("{replicas: 2}"));
        var edited = (JsonObject)live.DeepClone();
        edited["spec"]!["paused"] = true;
        ManagedFields.RecordUpdate(live, edited, Options("editor"));

        var later = new ManagedFieldsOptions { Manager = "alpha", ApiVersion = "apps/v1", Group = "apps", Kind = "Deployment", Now = Noon.AddHours(1) };
        var again = ManagedFields.Apply(edited, Deployment("{replicas: 2}"), later).Object;

        Entry(again, "alpha")["time"]!.GetValue<string>().Should().Be("2026-01-02T12:00:00Z");
        again["metadata"]!["managedFields"]!.AsArray().Select(e => e!["operation"]!.GetValue<string>()).Should().Equal("Apply", "Update");
        var changed = ManagedFields.Apply(edited, Deployment("{replicas: 4}"), later).Object;
        Entry(changed, "alpha")["time"]!.GetValue<string>().Should().Be("2026-01-02T13:00:00Z");
    }

    [Fact]
    public void ConflictMessagesAreWordedAsTheServerWordsThem()
    {
        var applier = new ApplyConflict("alpha", ".spec.replicas") { ManagerApiVersion = "apps/v1" };
        var updater = new ApplyConflict("kubectl-edit", ".spec.paused") { Operation = "Update", ManagerApiVersion = "apps/v1" };
        var second = new ApplyConflict("alpha", ".spec.minReadySeconds") { ManagerApiVersion = "apps/v1" };

        applier.CauseMessage.Should().Be("conflict with \"alpha\"");
        updater.CauseMessage.Should().Be("conflict with \"kubectl-edit\" using apps/v1");
        ApplyConflict.Message([applier]).Should().Be("Apply failed with 1 conflict: conflict with \"alpha\": .spec.replicas");
        ApplyConflict.Message([updater, applier, second]).Should().Be(
            "Apply failed with 3 conflicts: conflicts with \"alpha\":\n- .spec.replicas\n- .spec.minReadySeconds\nconflicts with \"kubectl-edit\" using apps/v1:\n- .spec.paused");
    }

    [Fact]
    public void AMissingListKeyTakesItsDefault()
    {
        var live = Create("alpha", Deployment("{template: {spec: {containers: [{name: app, ports: [{containerPort: 80}]}]}}}"));
        // The server defaults protocol on the stored object.
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]![0]!["protocol"] = "TCP";

        var result = ManagedFields.Apply(live, Deployment("{template: {spec: {containers: [{name: app, ports: [{containerPort: 80, name: http}]}]}}}"), Options("beta"));

        result.Conflicts.Should().BeEmpty();
        result.Object["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.ToJsonString().Should().Be("""[{"containerPort":80,"protocol":"TCP","name":"http"}]""");
        Entry(result.Object, "alpha")["fieldsV1"]!["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!["""k:{"name":"app"}"""]!["f:ports"]!
            .AsObject().Select(p => p.Key).Should().Equal("""k:{"containerPort":80,"protocol":"TCP"}""");
    }

    [Fact]
    public void AnObjectWithoutManagedFieldsBelongsToBeforeFirstApply()
    {
        var live = Deployment("{replicas: 1}");

        var result = ManagedFields.Apply(live, Deployment("{replicas: 4}"), Options("alpha"));

        result.Conflicts.Should().Equal(new ApplyConflict("before-first-apply", ".spec.replicas") { Operation = "Update", ManagerApiVersion = "apps/v1" });
    }

    [Fact]
    public void CustomResourceListsFollowTheSchemasListTypes()
    {
        var schema = StructuralSchema.Parse(YamlJson.One("""
            type: object
            properties:
              spec:
                type: object
                properties:
                  targets:
                    type: array
                    x-kubernetes-list-type: map
                    x-kubernetes-list-map-keys: [name]
                    items: {type: object, properties: {name: {type: string}, weight: {type: integer}}}
                  zones:
                    type: array
                    x-kubernetes-list-type: set
                    items: {type: string}
                  args:
                    type: array
                    items: {type: string}
            """));
        JsonObject Widget(string spec) => YamlJson.One($"apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec: {spec}");

        var live = ManagedFields.Apply(null, Widget("{targets: [{name: a, weight: 1}], zones: [x], args: [--a]}"), Options("alpha", schema: schema)).Object;
        var result = ManagedFields.Apply(live, Widget("{targets: [{name: b, weight: 2}], zones: [y]}"), Options("beta", schema: schema));

        result.Conflicts.Should().BeEmpty();
        result.Object["spec"]!.ToJsonString().Should().Be("""{"targets":[{"name":"a","weight":1},{"name":"b","weight":2}],"zones":["x","y"],"args":["--a"]}""");
        Entry(result.Object, "beta")["fieldsV1"]!.ToJsonString(Relaxed).Should().Be(
            """{"f:spec":{"f:targets":{"k:{\"name\":\"b\"}":{".":{},"f:name":{},"f:weight":{}}},"f:zones":{"v:\"y\"":{}}}}""");
        ManagedFields.Apply(result.Object, Widget("{args: [--b]}"), Options("beta", schema: schema)).Conflicts
            .Should().Equal(new ApplyConflict("alpha", ".spec.args") { ManagerApiVersion = "example.com/v1" });
    }
}
