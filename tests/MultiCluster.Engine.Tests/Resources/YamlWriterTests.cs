using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

public class YamlWriterTests
{
    [Fact]
    public void Writes_stable_order_and_quotes_ambiguous_strings()
    {
        var obj = KubeObject.Parse("""
            {"data":{"zeta":"on","alpha":"1","empty":"","plain":"hello world","multi":"a\nb\n"},
             "metadata":{"namespace":"ns","name":"cm","labels":{"b":"2","a":"x"}},
             "kind":"ConfigMap","apiVersion":"v1","spec":{"replicas":3,"enabled":true,"ratio":0.5,"none":null,"list":[],"map":{}}}
            """);

        var yaml = obj.ToYaml();

        yaml.Should().StartWith("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: ns\n  labels:\n    a: x\n    b: \"2\"\n");
        yaml.Should().Contain("  alpha: \"1\"\n").And.Contain("  zeta: \"on\"\n").And.Contain("  empty: \"\"\n")
            .And.Contain("  plain: hello world\n").And.Contain("  multi: |\n    a\n    b\n");
        yaml.Should().Contain("  replicas: 3\n").And.Contain("  enabled: true\n").And.Contain("  ratio: 0.5\n")
            .And.Contain("  none: null\n").And.Contain("  list: []\n").And.Contain("  map: {}\n");
    }

    [Fact]
    public void Output_reads_back_to_the_same_object()
    {
        const string source = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              annotations:
                note: "key: value # not a comment"
                version: "1.10"
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                    args: ["--port", "8080", "yes", "- dash", "*star", "&amp"]
            """;
        var original = ManifestReader.ReadText(source).Single();

        var again = ManifestReader.ReadText(original.ToYaml()).Single();

        System.Text.Json.Nodes.JsonNode.DeepEquals(again.Json, original.Json).Should().BeTrue();
        original.ToYaml().Should().Be(again.ToYaml());
        original.ToYaml().Should().Contain("      containers:\n      - name: web\n", "sequences sit at their key's indent, as kubectl writes them");
    }
}

public class ManifestWriterTests
{
    [Fact]
    public void Writes_one_file_per_cluster_and_one_manifest_per_object()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mc-out-" + Guid.NewGuid().ToString("N"));
        try
        {
            var objects = ManifestReader.ReadText("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: a}\n");

            var manifests = ManifestWriter.Render("arn:aws:eks:us-east-1:1:cluster/prod", objects, directory);

            manifests.Select(m => (m.Kind, m.Name, m.Namespace)).Should().Equal(("Namespace", "a", null), ("ConfigMap", "b", "a"));
            var file = manifests[0].Path!;
            Path.GetFileName(file).Should().Be("arn_aws_eks_us-east-1_1_cluster_prod.yaml");
            ManifestReader.ReadPaths([file]).Select(o => o.Reference).Should().Equal("v1 Namespace a", "v1 ConfigMap a/b");
            manifests[1].Yaml.Should().StartWith("apiVersion: v1\nkind: ConfigMap\n");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Without_a_directory_nothing_is_written()
    {
        var manifests = ManifestWriter.Render("c1", ManifestReader.ReadText("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"));

        manifests.Single().Path.Should().BeNull();
    }
}
