using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

public class JsonPointerTests
{
    private static JsonObject Deployment() => JsonNode.Parse("""
        {"metadata":{"name":"web","labels":{"app.kubernetes.io/name":"web"}},
         "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}
        """)!.AsObject();

    [Fact]
    public void Evaluates_with_escapes_and_indexes()
    {
        var obj = Deployment();

        JsonPointer.Parse("/spec/template/spec/containers/0/image").Evaluate(obj)!.GetValue<string>().Should().Be("nginx:1.26");
        JsonPointer.Parse("/metadata/labels/app.kubernetes.io~1name").Evaluate(obj)!.GetValue<string>().Should().Be("web");
        JsonPointer.Parse("/spec/template/spec/containers/01").Evaluate(obj).Should().BeNull("leading zeros are not indexes");
        JsonPointer.Parse("/spec/missing").Evaluate(obj).Should().BeNull();
        JsonPointer.Parse("").Evaluate(obj).Should().BeSameAs(obj);
    }

    [Fact]
    public void Replace_add_and_remove_follow_rfc_6902()
    {
        var obj = Deployment();

        JsonPointer.Parse("/spec/replicas").Replace(obj, JsonValue.Create(5));
        JsonPointer.Parse("/spec/template/spec/containers/-").Add(obj, JsonNode.Parse("""{"name":"sidecar"}"""));
        JsonPointer.Parse("/spec/template/spec/containers/0").Add(obj, JsonNode.Parse("""{"name":"init"}"""));
        JsonPointer.Parse("/spec/strategy/type").Add(obj, JsonValue.Create("Recreate"));
        JsonPointer.Parse("/metadata/labels/app.kubernetes.io~1name").Remove(obj);

        obj["spec"]!["replicas"]!.GetValue<int>().Should().Be(5);
        obj["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("init", "web", "sidecar");
        obj["spec"]!["strategy"]!["type"]!.GetValue<string>().Should().Be("Recreate");
        obj["metadata"]!["labels"]!.AsObject().Should().BeEmpty();
    }

    [Theory]
    [InlineData("spec/replicas")]
    [InlineData("/spec/nothing/here")]
    [InlineData("/spec/template/spec/containers/7")]
    public void Bad_pointers_and_missing_targets_are_input_errors(string pointer)
    {
        var act = () => JsonPointer.Parse(pointer).Replace(Deployment(), JsonValue.Create(1));

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
    }

    [Fact]
    public void Removing_a_missing_value_is_an_error()
    {
        var act = () => JsonPointer.Parse("/spec/paused").Remove(Deployment());

        act.Should().Throw<FleetInputException>().WithMessage("*no value to remove*");
    }
}
