using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Patching;
using MultiCluster.Testing.Tests.Schema;

namespace MultiCluster.Testing.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          finalizers: [a]
          labels: {app: web, tier: front}
        spec:
          replicas: 1
          strategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: 1}
          template:
            spec:
              tolerations: [{key: a, operator: Exists}]
              volumes:
              - name: data
                emptyDir: {}
              containers:
              - name: app
                image: app:1
                args: [--a, --b]
                env: [{name: A, value: "1"}, {name: B, value: "2"}]
                ports: [{containerPort: 80}]
              - name: sidecar
                image: side:1
        """;

    /// <summary>The Kubernetes OpenAPI documents when shared/crds is present (see <see cref="TheOpenApiDocumentsAreTheSource"/>), and always the built-in table.</summary>
    public static TheoryData<string> Sources => SharedFiles.Crds is null ? new() { "table" } : new() { "openapi", "table" };

    private static PatchSchema? SchemaFor(string source, string group, string kind) =>
        source == "openapi" ? PatchSchema.ForKind(group, kind) : PatchSchema.FromBuiltInTable(group, kind);

    private static JsonNode Patch(string source, string patchYaml, string yaml = Deployment, string group = "apps", string kind = "Deployment")
    {
        return StrategicMergePatch.Apply(YamlJson.One(yaml), YamlJson.One(patchYaml), SchemaFor(source, group, kind));
    }

    private static JsonNode? Containers(JsonNode result) => result["spec"]!["template"]!["spec"]!["containers"];

    [Theory, MemberData(nameof(Sources))]
    public void ContainersMergeByName(string source)
    {
        var result = Patch(source, """
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: app:2
                    env: [{name: B, value: "3"}, {name: C, value: "4"}]
                  - name: new
                    image: new:1
            """);

        var containers = Containers(result)!.AsArray();
        containers.Select(c => c!["name"]!.GetValue<string>()).Should().Equal("app", "sidecar", "new");
        containers[0]!["image"]!.GetValue<string>().Should().Be("app:2");
        containers[0]!["args"]!.ToJsonString().Should().Be("""["--a","--b"]""");
        containers[0]!["env"]!.ToJsonString().Should().Be("""[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]""");
        result["spec"]!["replicas"]!.GetValue<long>().Should().Be(1);
    }

    [Theory, MemberData(nameof(Sources))]
    public void PatchDeleteRemovesAnItemByKeyAndEmptiesAMap(string source)
    {
        var result = Patch(source, """
            metadata:
              labels: {tier: null}
            spec:
              strategy:
                rollingUpdate: {$patch: delete}
              template:
                spec:
                  containers:
                  - {name: sidecar, $patch: delete}
            """);

        Containers(result)!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("app");
        result["metadata"]!["labels"]!.ToJsonString().Should().Be("""{"app":"web"}""");
        // apimachinery empties a map patched with "$patch": "delete" rather than removing the field.
        result["spec"]!["strategy"]!.ToJsonString().Should().Be("""{"type":"RollingUpdate","rollingUpdate":{}}""");
    }

    [Theory, MemberData(nameof(Sources))]
    public void PatchReplaceReplacesAList(string source)
    {
        var result = Patch(source, """
            spec:
              template:
                spec:
                  containers:
                  - {name: only, image: only:1}
                  - {$patch: replace}
            """);

        Containers(result)!.ToJsonString().Should().Be("""[{"name":"only","image":"only:1"}]""");
    }

    [Theory, MemberData(nameof(Sources))]
    public void RetainKeysDropsTheOtherFields(string source)
    {
        var result = Patch(source, """
            spec:
              strategy:
                $retainKeys: [type]
                type: Recreate
            """);

        result["spec"]!["strategy"]!.ToJsonString().Should().Be("""{"type":"Recreate"}""");
    }

    [Theory, MemberData(nameof(Sources))]
    public void AtomicAndUnkeyedListsAreReplaced(string source)
    {
        var result = Patch(source, """
            spec:
              template:
                spec:
                  tolerations: [{key: b, operator: Exists}]
                  containers:
                  - name: app
                    args: [--c]
            """);

        result["spec"]!["template"]!["spec"]!["tolerations"]!.ToJsonString().Should().Be("""[{"key":"b","operator":"Exists"}]""");
        Containers(result)![0]!["args"]!.ToJsonString().Should().Be("""["--c"]""");
    }

    [Theory, MemberData(nameof(Sources))]
    public void FinalizersAreASetAndPrimitiveDeletionsApply(string source)
    {
        Patch(source, "metadata: {finalizers: [b, a]}")["metadata"]!["finalizers"]!.ToJsonString().Should().Be("""["a","b"]""");
        Patch(source, "metadata: {$deleteFromPrimitiveList/finalizers: [a]}")["metadata"]!["finalizers"]!.ToJsonString().Should().Be("[]");
        Patch(source, "metadata: {$deleteFromPrimitiveList/finalizers: [b]}", Deployment.Replace("finalizers: [a]", "finalizers: [z, b, a, z]"))["metadata"]!["finalizers"]!
            .ToJsonString().Should().Be("""["a","z"]""", "apimachinery returns the rest de-duplicated and sorted");
    }

    [Theory, MemberData(nameof(Sources))]
    public void SetElementOrderReordersItems(string source)
    {
        var result = Patch(source, """
            spec:
              template:
                spec:
                  $setElementOrder/containers: [{name: sidecar}, {name: app}]
                  containers:
                  - {name: app, image: app:3}
            """);

        Containers(result)!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("sidecar", "app");
    }

    [Fact]
    public void ServerOnlyItemsKeepTheirPlaceAmongOrderedOnes()
    {
        var result = StrategicMergePatch.Apply(
            YamlJson.One("spec: {template: {spec: {containers: [{name: a}, {name: s1}, {name: b}, {name: s2}]}}}"),
            YamlJson.One("spec: {template: {spec: {$setElementOrder/containers: [{name: b}, {name: a}, {name: c}], containers: [{name: c}]}}}"),
            PatchSchema.FromBuiltInTable("apps", "Deployment"));

        // Listed: b, a, c. Server-only: s1, s2. s1 came before b live, so it leads; s2 came after all of them.
        Containers(result)!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("s1", "b", "a", "c", "s2");
    }

    [Theory, MemberData(nameof(Sources))]
    public void ServicePortsMergeByPortAndRbacSubjectsAreAtomic(string source)
    {
        var service = Patch(source, "spec: {ports: [{port: 443, name: https}]}",
            "apiVersion: v1\nkind: Service\nspec: {ports: [{port: 80, name: http}]}", "", "Service");
        service["spec"]!["ports"]!.AsArray().Select(p => p!["port"]!.GetValue<long>()).Should().Equal(80, 443);

        var binding = Patch(source, "subjects: [{kind: User, name: b}]",
            "kind: RoleBinding\nsubjects: [{kind: User, name: a}]", "rbac.authorization.k8s.io", "RoleBinding");
        binding["subjects"]!.ToJsonString().Should().Be("""[{"kind":"User","name":"b"}]""");
    }

    [RequiresSharedCrdsFact]
    public void TheOpenApiDocumentsAreTheSource()
    {
        var podSpec = PatchSchema.ForKind("apps", "Deployment")!.Field("spec")!.Field("template")!.Field("spec")!;

        podSpec.Field("volumes")!.PatchStrategy.Should().Be("merge,retainKeys");
        podSpec.Field("containers")!.Items!.Field("ports")!.ListMapKeys.Should().Equal("containerPort", "protocol");
        // resizePolicy is not in the built-in table, so only the OpenAPI documents know it.
        podSpec.Field("containers")!.Items!.Field("resizePolicy")!.ListType.Should().Be("atomic");
        PatchSchema.ForKind("", "Namespace")!.Field("metadata")!.Field("finalizers")!.ListType.Should().Be("set");
    }

    [Fact]
    public void RetainKeysMustListEveryPatchedField()
    {
        var apply = () => Patch("table", "spec: {strategy: {$retainKeys: [type], type: Recreate, rollingUpdate: {maxSurge: 2}}}");

        apply.Should().Throw<PatchException>().WithMessage("invalid patch format of retainKeys");
    }

    [Fact]
    public void AListItemWithoutItsMergeKeyIsRejected()
    {
        var apply = () => Patch("table", "spec: {template: {spec: {containers: [{image: x}]}}}");

        apply.Should().Throw<PatchException>().WithMessage("*does not contain declared merge key: name");
    }
}
