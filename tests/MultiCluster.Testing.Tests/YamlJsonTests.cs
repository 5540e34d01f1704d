using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Tests;

public class YamlJsonTests
{
    [Fact]
    public void Scalars_follow_the_yaml_core_schema_and_quotes_keep_strings()
    {
        var node = YamlJson.Parse("""
            int: 42
            neg: -7
            float: 1.5
            yes: true
            no: false
            nothing: null
            tilde: ~
            empty:
            quoted: "42"
            single: 'true'
            text: hello
            list: [1, "2", three]
            block: |
              line
            """)!.AsObject();
        node["int"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Number);
        node["int"]!.ToJsonString().Should().Be("42");
        node["neg"]!.ToJsonString().Should().Be("-7");
        node["float"]!.ToJsonString().Should().Be("1.5");
        node["yes"]!.GetValue<bool>().Should().BeTrue();
        node["no"]!.GetValue<bool>().Should().BeFalse();
        node.ContainsKey("nothing").Should().BeTrue();
        node["nothing"].Should().BeNull();
        node["tilde"].Should().BeNull();
        node["empty"].Should().BeNull();
        node["quoted"]!.GetValue<string>().Should().Be("42");
        node["single"]!.GetValue<string>().Should().Be("true");
        node["text"]!.GetValue<string>().Should().Be("hello");
        node["list"]!.ToJsonString().Should().Be("[1,\"2\",\"three\"]");
        node["block"]!.GetValue<string>().Should().Be("line");
    }

    [Fact]
    public void Multi_document_text_skips_empty_documents()
    {
        var documents = YamlJson.ParseAll("---\na: 1\n---\n---\nb: 2\n---\n");
        documents.Select(d => d.ToJsonString()).Should().Equal("{\"a\":1}", "{\"b\":2}");
    }
}
