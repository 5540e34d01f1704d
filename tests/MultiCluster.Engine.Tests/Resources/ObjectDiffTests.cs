using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

public class ObjectDiffTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void Reports_changed_added_and_removed_fields_with_readable_paths()
    {
        var live = Json("""{"metadata":{"name":"web","labels":{"app.kubernetes.io/name":"web","old":"x"}},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}""");
        var after = Json("""{"metadata":{"name":"web","labels":{"app.kubernetes.io/name":"shop","new":"y"}},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}""");

        var changes = ObjectDiff.Compare(live, after);

        changes.Select(c => (c.Path, c.Before, c.After)).Should().BeEquivalentTo(new (string, object?, object?)[]
        {
            ("metadata.labels['app.kubernetes.io/name']", "web", "shop"),
            ("metadata.labels.old", "x", null),
            ("metadata.labels.new", null, "y"),
            ("spec.replicas", 2L, 3L),
            ("spec.template.spec.containers[name=web].image", "nginx:1.26", "nginx:1.27"),
        });
    }

    [Fact]
    public void Ignores_fields_the_server_changes_on_every_write_and_status()
    {
        var live = Json("""{"metadata":{"name":"a","resourceVersion":"1","generation":1,"uid":"u1","creationTimestamp":"2024-01-01T00:00:00Z","managedFields":[{"manager":"x"}]},"spec":{"n":1},"status":{"ready":1}}""");
        var after = Json("""{"metadata":{"name":"a","resourceVersion":"2","generation":2,"uid":"u1","creationTimestamp":"2024-01-01T00:00:00Z","managedFields":[{"manager":"y"}]},"spec":{"n":1},"status":{"ready":0}}""");

        ObjectDiff.Compare(live, after).Should().BeEmpty();
    }

    [Fact]
    public void Longer_list_reports_the_new_items()
    {
        var changes = ObjectDiff.Compare(Json("""{"args":["a"]}"""), Json("""{"args":["a","b"]}"""));

        changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "args[1]", Before = (object?)null, After = "b" });
    }

    [Fact]
    public void A_new_subtree_is_one_change_carrying_a_dictionary()
    {
        var change = ObjectDiff.Compare(Json("""{"spec":{}}"""), Json("""{"spec":{"strategy":{"type":"Recreate"}}}""")).Single();

        change.Path.Should().Be("spec.strategy");
        change.After.Should().BeOfType<System.Collections.Specialized.OrderedDictionary>();
        change.ToString().Should().Be("spec.strategy: (none) -> {...}");
    }
}

public class KeyedListDiffTests
{
    private static JsonObject Pod(string containers) =>
        JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":""" + containers + "}}}}")!.AsObject();

    private static (string Path, object? Before, object? After)[] Diff(JsonObject before, JsonObject after) =>
        ObjectDiff.Compare(before, after).Select(c => (c.Path, c.Before, c.After)).ToArray();

    [Fact]
    public void A_container_inserted_in_the_middle_is_one_added_item()
    {
        var before = Pod("""[{"name":"a","image":"a:1"},{"name":"c","image":"c:1"}]""");
        var after = Pod("""[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c","image":"c:1"}]""");

        var change = ObjectDiff.Compare(before, after).Should().ContainSingle().Which;

        change.Path.Should().Be("spec.template.spec.containers[name=b]");
        change.Before.Should().BeNull();
        change.ToString().Should().Be("spec.template.spec.containers[name=b]: (none) -> {...}");
    }

    [Fact]
    public void Env_volume_mounts_and_ports_match_by_their_merge_keys()
    {
        var before = Pod("""
            [{"name":"web","env":[{"name":"A","value":"1"},{"name":"C","value":"3"}],
              "volumeMounts":[{"name":"data","mountPath":"/data"}],
              "ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}]}]
            """);
        var after = Pod("""
            [{"name":"web","env":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"4"}],
              "volumeMounts":[{"name":"cache","mountPath":"/cache"},{"name":"data","mountPath":"/data","readOnly":true}],
              "ports":[{"containerPort":8080,"protocol":"TCP"},{"containerPort":80,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP"}]}]
            """);

        var changes = Diff(before, after);

        changes.Select(c => c.Path).Should().Equal(
            "spec.template.spec.containers[name=web].env[name=C].value",
            "spec.template.spec.containers[name=web].env[name=B]",
            "spec.template.spec.containers[name=web].volumeMounts[mountPath=/data].readOnly",
            "spec.template.spec.containers[name=web].volumeMounts[mountPath=/cache]",
            "spec.template.spec.containers[name=web].ports[containerPort=80,protocol=TCP].protocol",
            "spec.template.spec.containers[name=web].ports[containerPort=8080,protocol=TCP]");
        changes[0].Should().Be(("spec.template.spec.containers[name=web].env[name=C].value", "3", "4"));
        changes[2].After.Should().Be(true);
    }

    [Fact]
    public void Removed_items_and_a_new_order_are_reported_once_each()
    {
        var before = Pod("""[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c","image":"c:1"}]""");
        var after = Pod("""[{"name":"c","image":"c:1"},{"name":"a","image":"a:1"}]""");

        var changes = ObjectDiff.Compare(before, after);

        changes.Select(c => c.ToString()).Should().Equal(
            "spec.template.spec.containers[name=b]: {...} -> (none)",
            "spec.template.spec.containers (order): name=a, name=c -> name=c, name=a");
    }

    [Fact]
    public void Service_ports_key_by_port_and_protocol()
    {
        var before = JsonNode.Parse("""{"kind":"Service","spec":{"ports":[{"name":"http","port":80},{"name":"dns","port":53,"protocol":"UDP"}]}}""")!.AsObject();
        var after = JsonNode.Parse("""{"kind":"Service","spec":{"ports":[{"name":"dns-tcp","port":53,"protocol":"TCP"},{"name":"http","port":80},{"name":"dns","port":53,"protocol":"UDP"}]}}""")!.AsObject();

        Diff(before, after).Select(c => c.Path).Should().Equal("spec.ports[port=53,protocol=TCP]");
    }

    [Fact]
    public void Lists_without_a_usable_key_still_compare_by_position()
    {
        // Args have no merge key; containers repeating a name cannot be keyed either.
        Diff(JsonNode.Parse("""{"args":["a","c"]}""")!.AsObject(), JsonNode.Parse("""{"args":["a","b","c"]}""")!.AsObject())
            .Select(c => c.Path).Should().Equal("args[1]", "args[2]");
        Diff(Pod("""[{"name":"x","image":"1"},{"name":"x","image":"2"}]"""), Pod("""[{"name":"x","image":"1"},{"name":"x","image":"3"}]"""))
            .Select(c => c.Path).Should().Equal("spec.template.spec.containers[1].image");
    }
}

public class SecretDiffTests
{
    [Fact]
    public void Secret_values_are_hidden_but_their_keys_are_named()
    {
        var live = JsonNode.Parse("""{"kind":"Secret","data":{"password":"b2xk"},"metadata":{"labels":{"a":"1"}}}""")!.AsObject();
        var after = JsonNode.Parse("""{"kind":"Secret","data":{"password":"bmV3","token":"eA=="},"metadata":{"labels":{"a":"2"}}}""")!.AsObject();

        var changes = ObjectDiff.Compare(live, after, hideValues: true);

        changes.Select(c => (c.Path, c.Before, c.After)).Should().BeEquivalentTo(new (string, object?, object?)[]
        {
            ("data.password", ObjectDiff.HiddenValue, ObjectDiff.HiddenValue),
            ("data.token", null, ObjectDiff.HiddenValue),
            ("metadata.labels.a", "1", "2"),
        });
        string.Join(" ", changes).Should().NotContain("bmV3").And.NotContain("b2xk");
    }

    [Fact]
    public void Secret_values_stay_hidden_inside_keyed_lists_of_a_secret()
    {
        var live = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","data":{"a":"b2xk"},"metadata":{"ownerReferences":[{"uid":"1","name":"x"}]}}""")!.AsObject();
        var after = JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","data":{"a":"bmV3"},"metadata":{"ownerReferences":[{"uid":"2","name":"y"},{"uid":"1","name":"x"}]}}""")!.AsObject();

        var changes = ObjectDiff.Compare(live, after);

        changes.Select(c => c.Path).Should().Equal("data.a", "metadata.ownerReferences[uid=2]");
        changes[0].After.Should().Be(ObjectDiff.HiddenValue);
        string.Join(" ", changes).Should().NotContain("bmV3").And.NotContain("b2xk");
    }
}
