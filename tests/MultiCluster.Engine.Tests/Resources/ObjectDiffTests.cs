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
            ("spec.template.spec.containers[0].image", "nginx:1.26", "nginx:1.27"),
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
}
