using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Patching;

namespace MultiCluster.Testing.Tests.Patching;

public sealed class JsonMergePatchTests
{
    // RFC 7386 appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void RfcExamples(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        (result?.ToJsonString() ?? "null").Should().Be(JsonNode.Parse(expected)?.ToJsonString() ?? "null");
    }

    [Fact]
    public void TheTargetIsNotModified()
    {
        var target = JsonNode.Parse("""{"a":{"b":1}}""")!;
        JsonMergePatch.Apply(target, JsonNode.Parse("""{"a":{"b":2}}"""));
        target.ToJsonString().Should().Be("""{"a":{"b":1}}""");
    }
}

public sealed class JsonPatchTests
{
    // RFC 6902 appendix A.
    [Theory]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""", """{"foo":"bar","baz":"qux"}""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""", """{"foo":["bar","qux","baz"]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", """{"foo":"bar"}""")]
    [InlineData("""{"foo":["bar","qux","baz"]}""", """[{"op":"remove","path":"/foo/1"}]""", """{"foo":["bar","baz"]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"replace","path":"/baz","value":"boo"}]""", """{"baz":"boo","foo":"bar"}""")]
    [InlineData("""{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""", """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""", """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}""")]
    [InlineData("""{"foo":["all","grass","cows","eat"]}""", """[{"op":"move","from":"/foo/1","path":"/foo/3"}]""", """{"foo":["all","cows","eat","grass"]}""")]
    [InlineData("""{"baz":"qux","foo":["a",2,"c"]}""", """[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]""", """{"baz":"qux","foo":["a",2,"c"]}""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/child","value":{"grandchild":{}}}]""", """{"foo":"bar","child":{"grandchild":{}}}""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-","value":["abc","def"]}]""", """{"foo":["bar",["abc","def"]]}""")]
    [InlineData("""{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":10}]""", """{"/":9,"~1":10}""")]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"copy","from":"/a","path":"/c"}]""", """{"a":{"b":1},"c":{"b":1}}""")]
    public void RfcExamples(string target, string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse(target)!, JsonNode.Parse(patch)!.AsArray());

        result.ToJsonString().Should().Be(JsonNode.Parse(expected)!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"baz":"qux"}""", """[{"op":"test","path":"/baz","value":"bar"}]""", "testing value /baz failed: test failed")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz/bat","value":"qux"}]""", "add operation does not apply: doc is missing path: \"/baz/bat\": missing value")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"replace","path":"/baz","value":1}]""", "replace operation does not apply: doc is missing key: /baz: missing value")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", "unable to remove nonexistent key: baz: missing value")]
    [InlineData("""{"foo":[1]}""", """[{"op":"add","path":"/foo/5","value":1}]""", "Unable to access invalid index: 5: invalid index referenced")]
    public void FailuresAreUnprocessable(string target, string patch, string message)
    {
        var apply = () => JsonPatch.Apply(JsonNode.Parse(target)!, JsonNode.Parse(patch)!.AsArray());

        apply.Should().Throw<PatchException>().Where(e => e.Message == message && !e.Malformed);
    }

    [Fact]
    public void AnUnknownOperationIsMalformed()
    {
        var apply = () => JsonPatch.Apply(new JsonObject(), JsonNode.Parse("""[{"op":"frobnicate","path":"/a"}]""")!.AsArray());

        apply.Should().Throw<PatchException>().Where(e => e.Malformed && e.Message == "Unexpected kind: frobnicate");
    }
}
