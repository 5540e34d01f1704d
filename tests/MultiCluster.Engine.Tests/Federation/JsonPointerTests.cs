using System.Text.Json.Nodes;
using MultiCluster.Engine.Federation;

namespace MultiCluster.Engine.Tests.Federation;

public class JsonPointerTests
{
    private static JsonObject Doc() => JsonNode.Parse("""
        {"metadata":{"annotations":{"a/b":"slash","c~d":"tilde","~1":"literal"}},
         "spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]},{"name":"sidecar"}]}}
        """)!.AsObject();

    [Theory]
    [InlineData("/metadata/annotations/a~1b", "a/b")]
    [InlineData("/metadata/annotations/c~0d", "c~d")]
    [InlineData("/metadata/annotations/~01", "~1")]
    public void Escaped_tokens_reach_keys_with_slash_and_tilde(string pointer, string key)
    {
        var doc = Doc();

        JsonPointer.Apply(doc, OverrideOp.Replace, pointer, JsonValue.Create("new"));

        var annotations = doc["metadata"]!["annotations"]!.AsObject();
        annotations[key]!.GetValue<string>().Should().Be("new");
        annotations.Count(p => p.Value!.GetValue<string>() == "new").Should().Be(1);
    }

    [Fact]
    public void Escape_and_format_round_trip()
    {
        JsonPointer.Format(["metadata", "labels", "app.kubernetes.io/name", "a~b"]).Should().Be("/metadata/labels/app.kubernetes.io~1name/a~0b");
        JsonPointer.Parse("/metadata/labels/app.kubernetes.io~1name/a~0b").Should().Equal("metadata", "labels", "app.kubernetes.io/name", "a~b");
    }

    [Fact]
    public void Add_appends_with_dash_and_inserts_at_an_index()
    {
        var doc = Doc();

        JsonPointer.Apply(doc, OverrideOp.Add, "/spec/containers/0/env/-", JsonNode.Parse("""{"name":"C","value":"3"}"""));
        JsonPointer.Apply(doc, OverrideOp.Add, "/spec/containers/0/env/0", JsonNode.Parse("""{"name":"Z","value":"0"}"""));

        doc["spec"]!["containers"]![0]!["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).Should().Equal("Z", "A", "C");
    }

    [Fact]
    public void Add_creates_a_missing_last_field_and_replaces_an_existing_one()
    {
        var doc = Doc();

        JsonPointer.Apply(doc, OverrideOp.Add, "/spec/containers/1/env", JsonNode.Parse("""[{"name":"B"}]"""));
        JsonPointer.Apply(doc, OverrideOp.Add, "/spec/containers/0/name", JsonValue.Create("api"));

        doc["spec"]!["containers"]![1]!["env"]![0]!["name"]!.GetValue<string>().Should().Be("B");
        doc["spec"]!["containers"]![0]!["name"]!.GetValue<string>().Should().Be("api");
    }

    [Fact]
    public void Remove_takes_out_list_items_and_fields()
    {
        var doc = Doc();

        JsonPointer.Apply(doc, OverrideOp.Remove, "/spec/containers/1", null);
        JsonPointer.Apply(doc, OverrideOp.Remove, "/metadata/annotations/a~1b", null);

        doc["spec"]!["containers"]!.AsArray().Should().ContainSingle();
        doc["metadata"]!["annotations"]!.AsObject().ContainsKey("a/b").Should().BeFalse();
    }

    [Theory]
    [InlineData(OverrideOp.Replace, "/spec/replicas", "/spec/replicas does not exist")]
    [InlineData(OverrideOp.Remove, "/metadata/labels/app", "/metadata/labels does not exist")]
    [InlineData(OverrideOp.Replace, "/spec/containers/2/name", "/spec/containers/2 does not exist")]
    [InlineData(OverrideOp.Replace, "/spec/containers/2", "the list has 2 items")]
    [InlineData(OverrideOp.Remove, "/spec/containers/-", "works only with add")]
    [InlineData(OverrideOp.Add, "/spec/containers/01", "'01' is not a list index")]
    [InlineData(OverrideOp.Add, "/spec/template/spec", "/spec/template does not exist")]
    [InlineData(OverrideOp.Replace, "", "the whole object")]
    public void Paths_that_do_not_fit_are_refused(OverrideOp op, string pointer, string reason)
    {
        var act = () => JsonPointer.Apply(Doc(), op, pointer, JsonValue.Create(1));

        act.Should().Throw<JsonPointerException>().WithMessage($"*{reason}*");
    }

    [Theory]
    [InlineData("spec/replicas")]
    [InlineData("/metadata/annotations/a~2b")]
    [InlineData("/metadata/annotations/a~")]
    public void Malformed_pointers_are_format_errors(string pointer)
    {
        var act = () => JsonPointer.Parse(pointer);

        act.Should().Throw<FormatException>();
    }
}
