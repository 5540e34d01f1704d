using System.Collections;
using System.Collections.Specialized;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

public class ManifestReaderTests
{
    [Fact]
    public void Splits_documents_and_skips_empty_ones()
    {
        const string yaml = """
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
            ---
            # only a comment
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: shop
            ---
            """;

        var objects = ManifestReader.ReadText(yaml, "shop.yaml");

        objects.Select(o => o.Reference).Should().Equal("v1 Namespace shop", "apps/v1 Deployment shop/web");
        objects[1].Group.Should().Be("apps");
        objects[1].Version.Should().Be("v1");
        objects[0].Group.Should().Be("");
        objects[1].Origin!.Source.Should().Be("shop.yaml");
    }

    [Fact]
    public void Expands_list_kinds()
    {
        const string yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: { name: a }
            - apiVersion: v1
              kind: ConfigMap
              metadata: { name: b }
            """;

        ManifestReader.ReadText(yaml).Select(o => o.Name).Should().Equal("a", "b");
    }

    [Theory]
    [InlineData("\"1\"", "string", "1")]
    [InlineData("'true'", "string", "true")]
    [InlineData("1", "number", "1")]
    [InlineData("-42", "number", "-42")]
    [InlineData("0x1F", "number", "31")]
    [InlineData("0644", "number", "420")]
    [InlineData("1_000", "number", "1000")]
    [InlineData("1.5", "number", "1.5")]
    [InlineData("1e3", "number", "1000")]
    [InlineData("true", "bool", "true")]
    [InlineData("False", "bool", "false")]
    [InlineData("on", "bool", "true")]
    [InlineData("yes", "bool", "true")]
    [InlineData("off", "bool", "false")]
    [InlineData("~", "null", "")]
    [InlineData("null", "null", "")]
    [InlineData("", "null", "")]
    [InlineData("2024-01-02", "string", "2024-01-02")]
    [InlineData("1.2.3", "string", "1.2.3")]
    [InlineData("nginx:1.27", "string", "nginx:1.27")]
    [InlineData("!!str 5", "string", "5")]
    [InlineData("!!float 5", "number", "5")]
    public void Types_scalars_as_kubectl_does(string literal, string expectedType, string expectedText)
    {
        var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nvalue: {literal}\n";

        var value = ManifestReader.ReadText(yaml).Single().Json["value"];

        switch (expectedType)
        {
            case "null":
                value.Should().BeNull();
                break;
            case "string":
                value!.GetValue<string>().Should().Be(expectedText);
                break;
            case "bool":
                value!.GetValue<bool>().ToString().ToLowerInvariant().Should().Be(expectedText);
                break;
            default:
                value!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Number);
                double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
                    .Should().Be(double.Parse(expectedText, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    [Fact]
    public void Block_scalars_anchors_and_merge_keys_resolve()
    {
        const string yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
              labels: &labels
                app: web
            data:
              script: |
                echo 1
                echo 2
            spec:
              selector: *labels
              merged:
                <<: *labels
                tier: front
            """;

        var json = ManifestReader.ReadText(yaml).Single().Json;

        json["data"]!["script"]!.GetValue<string>().Should().Be("echo 1\necho 2\n");
        json["spec"]!["selector"]!["app"]!.GetValue<string>().Should().Be("web");
        json["spec"]!["merged"]!["app"]!.GetValue<string>().Should().Be("web");
        json["spec"]!["merged"]!["tier"]!.GetValue<string>().Should().Be("front");
    }

    [Fact]
    public void Accepts_json_objects_and_arrays()
    {
        const string json = """
            [
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"n": "1"}},
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
            ]
            """;

        var objects = ManifestReader.ReadText(json, "cm.json");

        objects.Select(o => o.Name).Should().Equal("a", "b");
        objects[0].Json["data"]!["n"]!.GetValue<string>().Should().Be("1");
    }

    [Fact]
    public void Parse_failure_names_file_line_and_column()
    {
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a, b\n";

        var act = () => ManifestReader.ReadText(yaml, "broken.yaml");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ManifestParseFailed);
        error.Category.Should().Be(FleetErrorCategory.ParserError);
        error.Target.Should().Be("broken.yaml");
        error.Message.Should().MatchRegex(@"broken\.yaml at line \d+, column \d+");
    }

    [Fact]
    public void Bad_indentation_reports_its_line()
    {
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n";

        var act = () => ManifestReader.ReadText(yaml, "indent.yaml");

        act.Should().Throw<FleetInputException>().Which.Message.Should().Contain("line 5");
    }

    [Fact]
    public void Json_parse_failure_names_line_and_column()
    {
        var act = () => ManifestReader.ReadText("{\n  \"apiVersion\": \"v1\",\n  \"kind\": }\n", "bad.json");

        act.Should().Throw<FleetInputException>().Which.Message.Should().Contain("bad.json at line 3, column");
    }

    [Fact]
    public void Document_without_name_is_invalid_and_names_its_index()
    {
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n";

        var act = () => ManifestReader.ReadText(yaml, "two.yaml");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Message.Should().Contain("Document 2 of two.yaml").And.Contain("metadata.name");
    }

    [Fact]
    public void An_input_object_is_named_by_its_place_among_the_input_objects_not_by_a_line()
    {
        var good = new System.Collections.Hashtable { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new System.Collections.Hashtable { ["name"] = "ok" } };
        var nameless = new System.Collections.Hashtable { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new System.Collections.Hashtable() };

        var read = ManifestReader.ReadObjects([good, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: text}\n"]);
        var act = () => ManifestReader.ReadObjects([good, nameless]);

        read.Should().HaveCount(2);
        read[0].Origin!.ToString().Should().Be("-InputObject #1");
        read[1].Origin!.ToString().Should().Be("-InputObject #2, document 1 (line 1)");
        var error = act.Should().Throw<FleetInputException>().Which;
        error.Message.Should().StartWith("Object #2 of -InputObject ").And.Contain("metadata.name");
        error.Target.Should().Be("-InputObject");
    }

    [Fact]
    public void Scalar_document_is_invalid()
    {
        var act = () => ManifestReader.ReadText("just text", "s.yaml");

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
    }

    [Fact]
    public void Infinity_cannot_be_sent_as_json()
    {
        var act = () => ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nv: .inf\n", "inf.yaml");

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.ManifestParseFailed);
    }

    [Fact]
    public void Reads_folders_sorted_and_recursively_on_request()
    {
        var root = Directory.CreateTempSubdirectory("mc-manifests-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
            File.WriteAllText(Path.Combine(root, "a.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
            File.WriteAllText(Path.Combine(root, "notes.txt"), "not a manifest");
            Directory.CreateDirectory(Path.Combine(root, "sub"));
            File.WriteAllText(Path.Combine(root, "sub", "c.json"), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}");

            ManifestReader.ReadPaths([root]).Select(o => o.Name).Should().Equal("a", "b");
            ManifestReader.ReadPaths([root], recurse: true).Select(o => o.Name).Should().Equal("a", "b", "c");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Missing_path_is_input_error()
    {
        var act = () => ManifestReader.ReadPaths(["/no/such/manifest.yaml"]);

        act.Should().Throw<FleetInputException>().Which.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void Reads_dictionary_trees_from_the_cmdlet_layer()
    {
        var input = new Hashtable
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new Hashtable { ["name"] = "web", ["labels"] = new Dictionary<string, object?> { ["app"] = "web" } },
            ["spec"] = new Hashtable { ["replicas"] = 3, ["paused"] = false, ["ports"] = new object[] { 80, 443 } },
        };

        var obj = ManifestReader.ReadObjects([input]).Single();

        obj.Reference.Should().Be("apps/v1 Deployment web");
        obj.Labels.Should().Contain("app", "web");
        obj.Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(3);
        obj.Json["spec"]!["ports"]!.AsArray().Select(p => p!.GetValue<long>()).Should().Equal(80, 443);
    }

    [Fact]
    public void Object_tree_round_trips_to_ordered_dictionaries()
    {
        var obj = ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {b: '2', a: '1'}\ncount: 3\nf: 1.5\nl: [1, x, true]\n").Single();

        var tree = ObjectTree.FromJsonObject(obj.Json);

        tree["count"].Should().Be(3L);
        tree["f"].Should().Be(1.5);
        ((object?[])tree["l"]!).Should().Equal(1L, "x", true);
        var data = (OrderedDictionary)tree["data"]!;
        data.Keys.Cast<string>().Should().Equal("b", "a");
        ObjectTree.ToJson(tree)!.ToJsonString().Should().Be(obj.Json.ToJsonString());
    }

    [Fact]
    public void Yaml_1_1_boolean_keys_become_their_json_text_as_in_kubectl()
    {
        var obj = ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  on: a\n  \"off\": b\n  1: c\n").Single();

        obj.Json["data"]!.AsObject().Select(p => p.Key).Should().Equal("true", "off", "1");
    }

    [Fact]
    public void Reads_nested_lists_of_objects_and_yaml_strings()
    {
        var inputs = new object?[]
        {
            new object[] { new Hashtable { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new Hashtable { ["name"] = "a" } } },
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
            null,
        };

        ManifestReader.ReadObjects(inputs).Select(o => o.Name).Should().Equal("a", "b");
    }

    [Fact]
    public void Rejects_inputs_that_are_not_objects()
    {
        var act = () => ManifestReader.ReadObjects([42]);

        act.Should().Throw<FleetInputException>().Which.Message.Should().Contain("Int32");
    }

    [MultiCluster.Testing.Xunit.RequiresSharedCrdsFact]
    public void Reads_every_upstream_crd_and_round_trips_it_through_yaml()
    {
        var files = Directory.EnumerateFiles(MultiCluster.Testing.SharedFiles.Crds!, "*.yaml", SearchOption.AllDirectories).ToList();

        var objects = ManifestReader.ReadPaths(files);

        objects.Should().HaveCountGreaterThan(50);
        foreach (var obj in objects)
        {
            var again = ManifestReader.ReadText(obj.ToYaml(), obj.Reference).Single();
            JsonNode.DeepEquals(again.Json, obj.Json).Should().BeTrue(obj.Reference);
        }
    }
}
