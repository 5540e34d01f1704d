using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.Tests.Schema;

public sealed class OpenApiDocumentsTests
{
    private static readonly JsonObject Widgets = YamlJson.One("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.shop.example.com}
        spec:
          group: shop.example.com
          scope: Namespaced
          names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}, scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, properties: {replicas: {type: integer}}}
                  status: {type: object, properties: {replicas: {type: integer}}}
        """);

    [Fact]
    public void TheSchemaIsPublishedUnderItsReversedGroupNameWithObjectMeta()
    {
        var document = OpenApiDocuments.ForCrd(Widgets, "v1");

        document["openapi"]!.GetValue<string>().Should().Be("3.0.0");
        var schemas = document["components"]!["schemas"]!.AsObject();
        var widget = schemas["com.example.shop.v1.Widget"]!.AsObject();
        widget["x-kubernetes-group-version-kind"]!.ToJsonString().Should().Be("""[{"group":"shop.example.com","kind":"Widget","version":"v1"}]""");
        widget["properties"]!["metadata"]!["allOf"]![0]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        widget["properties"]!["spec"]!["properties"]!["replicas"]!["type"]!.GetValue<string>().Should().Be("integer");
        schemas["com.example.shop.v1.WidgetList"]!["properties"]!["items"]!["items"]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/com.example.shop.v1.Widget");
        schemas.ContainsKey("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").Should().BeTrue();
    }

    [Fact]
    public void PathsCoverTheResourceItsListAndSubresources()
    {
        var paths = OpenApiDocuments.ForCrd(Widgets, "v1")["paths"]!.AsObject();

        paths.Select(p => p.Key).Should().BeEquivalentTo(
            "/apis/shop.example.com/v1/namespaces/{namespace}/widgets",
            "/apis/shop.example.com/v1/namespaces/{namespace}/widgets/{name}",
            "/apis/shop.example.com/v1/namespaces/{namespace}/widgets/{name}/status",
            "/apis/shop.example.com/v1/namespaces/{namespace}/widgets/{name}/scale",
            "/apis/shop.example.com/v1/widgets");
        var item = paths["/apis/shop.example.com/v1/namespaces/{namespace}/widgets/{name}"]!.AsObject();
        item.Select(p => p.Key).Should().BeEquivalentTo("get", "put", "patch", "delete", "parameters");
        var patch = item["patch"]!.AsObject();
        patch["operationId"]!.GetValue<string>().Should().Be("patchShopExampleComV1NamespacedWidget");
        patch["x-kubernetes-action"]!.GetValue<string>().Should().Be("patch");
        patch["x-kubernetes-group-version-kind"]!.ToJsonString().Should().Be("""{"group":"shop.example.com","kind":"Widget","version":"v1"}""");
        patch["parameters"]!.AsArray().Should().Contain(p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
        patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key).Should().BeEquivalentTo(
            "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json");
        paths["/apis/shop.example.com/v1/namespaces/{namespace}/widgets"]!["get"]!["x-kubernetes-action"]!.GetValue<string>().Should().Be("list");
    }

    [Fact]
    public void AClusterScopedResourceHasNoNamespaceSegment()
    {
        var crd = (JsonObject)Widgets.DeepClone();
        crd["spec"]!["scope"] = "Cluster";

        var paths = OpenApiDocuments.ForCrd(crd, "v1")["paths"]!.AsObject();

        paths.Select(p => p.Key).Should().Contain("/apis/shop.example.com/v1/widgets/{name}").And.NotContain(p => p.Contains("{namespace}"));
        paths["/apis/shop.example.com/v1/widgets/{name}"]!["patch"]!["operationId"]!.GetValue<string>().Should().Be("patchShopExampleComV1Widget");
    }

    [Fact]
    public void TheCompactMetaSchemasAreSelfContained()
    {
        var schemas = OpenApiDocuments.CompactMetaSchemas();
        var references = References(schemas).ToList();

        references.Should().HaveCountGreaterThanOrEqualTo(10, "ObjectMeta, ListMeta, Status and the options refer to one another")
            .And.Contain("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry")
            .And.Contain("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference");
        foreach (var reference in references)
            schemas.ContainsKey(reference["#/components/schemas/".Length..]).Should().BeTrue(reference);
        schemas.Select(s => s.Key).Should().Contain("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").And.Contain("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    }

    [RequiresSharedCrdsFact]
    public void TheCompactObjectMetaHasThePublishedFields()
    {
        var published = JsonNode.Parse(File.ReadAllText(Path.Combine(SharedFiles.Crds!, "kubernetes-openapi-v3", "apis__apiextensions.k8s.io__v1_openapi.json")))!;
        var name = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

        OpenApiDocuments.CompactMetaSchemas()[name]!["properties"]!.AsObject().Select(p => p.Key)
            .Should().BeEquivalentTo(published["components"]!["schemas"]![name]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [RequiresSharedCrdsFact]
    public void EveryReferenceOfEveryUpstreamCrdDocumentResolves()
    {
        var documents = 0;
        var resolved = 0;
        foreach (var (file, crd) in UpstreamCrds.Crds)
            foreach (var version in crd["spec"]!["versions"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()))
            {
                var document = OpenApiDocuments.ForCrd(crd, version);
                var schemas = document["components"]!["schemas"]!.AsObject();
                var references = References(document).ToList();
                references.Should().Contain("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "{0} {1} has metadata", file, version);
                foreach (var reference in references)
                    schemas.ContainsKey(reference["#/components/schemas/".Length..]).Should().BeTrue("{0} {1} refers to {2}", file, version, reference);
                documents++;
                resolved += references.Count;
            }

        documents.Should().BeGreaterThan(90, "the shared CRDs serve about a hundred versions");
        resolved.Should().BeGreaterThan(5000, "each document refers to its ObjectMeta, Status, Patch and options dozens of times");
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue v ? [v.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };
}
