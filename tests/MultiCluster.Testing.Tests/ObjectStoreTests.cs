using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Tests;

public class ObjectStoreTests
{
    private static readonly ResourceRegistry Registry = CreateRegistry();
    private static ResourceType Deployments => Registry.Find("apps", "deployments")!;
    private static ResourceType ConfigMaps => Registry.Find("", "configmaps")!;
    private static ResourceType Namespaces => Registry.Find("", "namespaces")!;

    private static ResourceRegistry CreateRegistry()
    {
        var registry = new ResourceRegistry();
        foreach (var t in BuiltinResources.All()) registry.Add(t);
        return registry;
    }

    private static ObjectStore NewStore() => new() { TypeResolver = Registry.Find };

    private static JsonObject Obj(string name, string? ns = "default", JsonObject? spec = null) => new()
    {
        ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = spec ?? new JsonObject { ["replicas"] = 1 },
    };

    [Fact]
    public void Create_sets_uid_resource_version_timestamp_and_generation()
    {
        var store = NewStore();
        var created = store.Create(Deployments, Obj("web"));
        var meta = created["metadata"]!;
        meta["uid"]!.GetValue<string>().Should().NotBeEmpty();
        long.Parse(meta["resourceVersion"]!.GetValue<string>()).Should().Be(store.CurrentResourceVersion);
        meta["creationTimestamp"]!.GetValue<string>().Should().EndWith("Z");
        meta["generation"]!.ToString().Should().Be("1");
    }

    [Fact]
    public void Generation_moves_on_spec_changes_only()
    {
        var store = NewStore();
        var created = store.Create(Deployments, Obj("web"));
        created["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        var relabelled = store.Update(Deployments, created);
        relabelled["metadata"]!["generation"]!.ToString().Should().Be("1");
        relabelled["status"] = new JsonObject { ["replicas"] = 1 };
        var withStatus = store.Update(Deployments, relabelled);
        withStatus["metadata"]!["generation"]!.ToString().Should().Be("1");
        withStatus["spec"]!["replicas"] = 3;
        store.Update(Deployments, withStatus)["metadata"]!["generation"]!.ToString().Should().Be("2");
    }

    [Fact]
    public void Stale_resource_version_is_a_conflict_with_the_real_message()
    {
        var store = NewStore();
        var created = store.Create(Deployments, Obj("web"));
        store.Update(Deployments, created.DeepClone().AsObject());
        created["spec"]!["replicas"] = 2;
        store.Update(Deployments, Obj("web", spec: new JsonObject { ["replicas"] = 5 }));
        var act = () => store.Update(Deployments, created);
        act.Should().Throw<ApiStatusException>().Which.Message.Should().Be(
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Fact]
    public void Create_of_an_existing_name_is_AlreadyExists()
    {
        var store = NewStore();
        store.Create(ConfigMaps, Obj("a"));
        var e = FluentActions.Invoking(() => store.Create(ConfigMaps, Obj("a"))).Should().Throw<ApiStatusException>().Which;
        e.Code.Should().Be(409);
        e.Reason.Should().Be("AlreadyExists");
        e.Message.Should().Be("configmaps \"a\" already exists");
    }

    [Fact]
    public void GenerateName_gets_a_random_suffix()
    {
        var store = NewStore();
        var obj = Obj("");
        obj["metadata"]!.AsObject().Remove("name");
        obj["metadata"]!["generateName"] = "job-";
        store.Create(ConfigMaps, obj)["metadata"]!["name"]!.GetValue<string>().Should().MatchRegex("^job-[a-z0-9]{5}$");
    }

    [Fact]
    public void Finalizers_delay_deletion_until_they_are_removed()
    {
        var store = NewStore();
        var obj = Obj("held");
        obj["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        store.Create(ConfigMaps, obj);
        var marked = store.Delete(ConfigMaps, "default", "held");
        marked["metadata"]!["deletionTimestamp"].Should().NotBeNull();
        store.Get(ConfigMaps, "default", "held").Should().NotBeNull();
        marked["metadata"]!["finalizers"] = new JsonArray();
        store.Update(ConfigMaps, marked);
        store.Get(ConfigMaps, "default", "held").Should().BeNull();
    }

    [Fact]
    public void Dependents_are_collected_unless_orphaned()
    {
        var store = NewStore();
        var owner = store.Create(Deployments, Obj("owner"));
        JsonObject Dependent(string name)
        {
            var d = Obj(name);
            d["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = "owner", ["uid"] = owner["metadata"]!["uid"]!.DeepClone(),
            });
            return d;
        }
        store.Create(ConfigMaps, Dependent("dep"));
        store.Delete(Deployments, "default", "owner");
        store.Get(ConfigMaps, "default", "dep").Should().BeNull();

        var owner2 = store.Create(Deployments, Obj("owner"));
        var orphan = Dependent("orphan");
        orphan["metadata"]!["ownerReferences"]![0]!["uid"] = owner2["metadata"]!["uid"]!.DeepClone();
        store.Create(ConfigMaps, orphan);
        store.Delete(Deployments, "default", "owner", propagation: DeletionPropagation.Orphan);
        store.Get(ConfigMaps, "default", "orphan")!["metadata"]!["ownerReferences"].Should().BeNull();
    }

    [Fact]
    public void Deleting_a_namespace_removes_its_objects()
    {
        var store = NewStore();
        store.Create(Namespaces, Obj("team", ns: null));
        store.Create(ConfigMaps, Obj("a", "team"));
        store.Create(ConfigMaps, Obj("b", "default"));
        store.Delete(Namespaces, null, "team");
        store.List(ConfigMaps, "team").Items.Should().BeEmpty();
        store.List(ConfigMaps, null).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task Watch_replays_changes_after_a_resource_version_and_streams_new_ones()
    {
        var store = NewStore();
        store.Create(ConfigMaps, Obj("before"));
        var from = store.CurrentResourceVersion;
        store.Create(ConfigMaps, Obj("after"));
        using var watch = store.Watch(ConfigMaps, "default", from.ToString());
        store.Delete(ConfigMaps, "default", "before");
        var first = await watch.Events.ReadAsync();
        var second = await watch.Events.ReadAsync();
        (first.Type, first.Key.Name).Should().Be((WatchEventType.Added, "after"));
        (second.Type, second.Key.Name).Should().Be((WatchEventType.Deleted, "before"));
    }

    [Fact]
    public void Changed_event_reports_every_change_in_order()
    {
        var store = NewStore();
        var seen = new List<string>();
        store.Changed += e => seen.Add($"{e.TypeName} {e.Key.Name}");
        var created = store.Create(ConfigMaps, Obj("a"));
        created["data"] = new JsonObject { ["k"] = "v" };
        store.Update(ConfigMaps, created);
        store.Delete(ConfigMaps, "default", "a");
        seen.Should().Equal("ADDED a", "MODIFIED a", "DELETED a");
    }
}
