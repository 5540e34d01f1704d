using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.Tests.Schema;

public sealed class StructuralSchemaTests
{
    private static readonly StructuralSchema Widget = StructuralSchema.Parse(YamlJson.One("""
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              replicas: {type: integer, minimum: 1, maximum: 5}
              size: {type: string, enum: [small, large]}
              name: {type: string, pattern: '^[a-z]+$', minLength: 2, maxLength: 5}
              ratio: {type: number, exclusiveMaximum: true, maximum: 1}
              port: {x-kubernetes-int-or-string: true}
              created: {type: string, format: date-time}
              link: {type: string, format: uri}
              count: {type: integer, format: int32}
              note: {type: string, nullable: true}
              mode: {type: string, default: auto}
              tags:
                type: array
                maxItems: 2
                x-kubernetes-list-type: set
                items: {type: string}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {type: integer}
                    protocol: {type: string, default: TCP}
              labels:
                type: object
                additionalProperties: {type: string}
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              template:
                type: object
                x-kubernetes-embedded-resource: true
                properties:
                  spec: {type: object, properties: {x: {type: string}}}
              settings:
                type: object
                default: {}
                properties:
                  level: {type: integer, default: 3}
              optional:
                type: object
                properties:
                  level: {type: integer, default: 7}
          status:
            type: object
            properties:
              phase: {type: string}
        """));

    private static JsonObject Widgets(string specYaml) =>
        YamlJson.One($"apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w, labels: {{a: b}}}}\nspec: {specYaml}");

    [Fact]
    public void AValidObjectIsAdmittedAndDefaulted()
    {
        var obj = Widgets("{size: small, replicas: 2, port: http, created: '2024-05-01T10:00:00Z', ports: [{name: web, port: 80}], count: 9999999999}");

        var outcome = Widget.Admit(obj);

        outcome.Errors.Should().BeEmpty();
        outcome.PrunedFields.Should().BeEmpty();
        obj["spec"]!["mode"]!.GetValue<string>().Should().Be("auto");
        obj["spec"]!["ports"]![0]!["protocol"]!.GetValue<string>().Should().Be("TCP");
        obj["spec"]!["settings"]!.ToJsonString().Should().Be("""{"level":3}""", "an object default is itself defaulted below");
        obj["spec"]!.AsObject().ContainsKey("optional").Should().BeFalse("nested defaults need the parent to exist");
        obj["metadata"]!["labels"]!["a"]!.GetValue<string>().Should().Be("b");
    }

    [Fact]
    public void ATypeMismatchIsReportedWithTheServersWording()
    {
        var outcome = Widget.Admit(Widgets("{size: small, replicas: 'three'}"));

        outcome.Errors.Should().Equal(new FieldError("FieldValueTypeInvalid", "spec.replicas",
            "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""));
    }

    [Fact]
    public void AWholeFloatIsAnInteger()
    {
        var obj = Widgets("{size: small}");
        obj["spec"]!["replicas"] = JsonNode.Parse("2.0");
        Widget.Admit(obj).Errors.Should().BeEmpty();
        obj["spec"]!["replicas"] = JsonNode.Parse("2.5");
        Widget.Admit(obj).Errors.Should().ContainSingle().Which.Message.Should().EndWith("must be of type integer: \"number\"");
    }

    [Fact]
    public void MissingRequiredAndUnsupportedEnumValues()
    {
        Widget.Admit(Widgets("{replicas: 1}")).Errors.Should().Equal(new FieldError("FieldValueRequired", "spec.size", "Required value"));
        Widget.Admit(Widgets("{size: medium}")).Errors.Should().Equal(new FieldError("FieldValueNotSupported", "spec.size",
            "Unsupported value: \"medium\": supported values: \"small\", \"large\""));
    }

    [Fact]
    public void NumberStringAndArrayLimits()
    {
        var errors = Widget.Admit(Widgets("{size: small, replicas: 9, name: 'ABCDEFG', ratio: 1, tags: [a, b, c]}")).Errors;

        errors.Should().BeEquivalentTo(new[]
        {
            new FieldError("FieldValueInvalid", "spec.replicas", "Invalid value: 9: spec.replicas in body should be less than or equal to 5"),
            new FieldError("FieldValueTooLong", "spec.name", "Too long: may not be longer than 5"),
            new FieldError("FieldValueInvalid", "spec.name", "Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'"),
            new FieldError("FieldValueInvalid", "spec.ratio", "Invalid value: 1: spec.ratio in body should be less than 1"),
            new FieldError("FieldValueTooMany", "spec.tags", "Too many: 3: must have at most 2 items"),
        });
    }

    [Fact]
    public void FormatsTheServerChecks()
    {
        var errors = Widget.Admit(Widgets("{size: small, created: 'yesterday', link: 'not a uri'}")).Errors;

        errors.Should().BeEquivalentTo(new[]
        {
            new FieldError("FieldValueTypeInvalid", "spec.created", "Invalid value: \"yesterday\": spec.created in body must be of type date-time: \"yesterday\""),
            new FieldError("FieldValueTypeInvalid", "spec.link", "Invalid value: \"not a uri\": spec.link in body must be of type uri: \"not a uri\""),
        });
    }

    [Fact]
    public void IntOrStringRejectsOtherTypes()
    {
        Widget.Admit(Widgets("{size: small, port: 8080}")).Errors.Should().BeEmpty();
        Widget.Admit(Widgets("{size: small, port: true}")).Errors.Should().Equal(new FieldError("FieldValueTypeInvalid", "spec.port",
            "Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\""));
    }

    [Fact]
    public void NullsAreDroppedUnlessNullableOrDefaulted()
    {
        var obj = Widgets("{size: small, replicas: null, note: null, mode: null}");

        var outcome = Widget.Admit(obj);

        outcome.Errors.Should().BeEmpty();
        var spec = obj["spec"]!.AsObject();
        spec.ContainsKey("replicas").Should().BeFalse();
        spec.ContainsKey("note").Should().BeTrue();
        spec["note"].Should().BeNull();
        spec["mode"]!.GetValue<string>().Should().Be("auto");
    }

    [Fact]
    public void UnknownFieldsArePrunedAndReported()
    {
        var obj = Widgets("{size: small, foo: 1, ports: [{name: a, bar: 2}], extra: {anything: {goes: 1}}, labels: {x: y}, template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {x: y, z: 1}}}");
        obj["status"] = new JsonObject { ["phase"] = "Ready", ["junk"] = 1 };
        obj["unknownTop"] = 1;

        var outcome = Widget.Admit(obj);

        outcome.Errors.Should().BeEmpty();
        outcome.PrunedFields.Should().BeEquivalentTo("spec.foo", "spec.ports[0].bar", "spec.template.spec.z", "status.junk", "unknownTop");
        obj["spec"]!["extra"]!["anything"]!["goes"]!.GetValue<long>().Should().Be(1);
        obj["spec"]!["template"]!["metadata"]!["name"]!.GetValue<string>().Should().Be("p");
        obj["spec"]!["labels"]!["x"]!.GetValue<string>().Should().Be("y");
    }

    [Fact]
    public void ListTypeDuplicatesAreReported()
    {
        var errors = Widget.Admit(Widgets("{size: small, tags: [a, a], ports: [{name: web}, {name: web, port: 1}]}")).Errors;

        errors.Should().Equal(
            new FieldError("FieldValueDuplicate", "spec.tags[1]", "Duplicate value: \"a\""),
            new FieldError("FieldValueDuplicate", "spec.ports[1]", "Duplicate value: map[string]interface {}{\"name\":\"web\"}"));
    }

    [Fact]
    public void EmbeddedResourcesNeedApiVersionAndKind()
    {
        Widget.Admit(Widgets("{size: small, template: {spec: {x: y}}}")).Errors.Should().BeEquivalentTo(new[]
        {
            new FieldError("FieldValueRequired", "spec.template.apiVersion", "Required value: must not be empty"),
            new FieldError("FieldValueRequired", "spec.template.kind", "Required value: must not be empty"),
        });
    }

    [Fact]
    public void MetadataNameRestrictionsOfTheSchemaApply()
    {
        var schema = StructuralSchema.Parse(YamlJson.One("""
            type: object
            properties:
              metadata:
                type: object
                properties:
                  name: {type: string, maxLength: 5}
            """));

        schema.Admit(YamlJson.One("metadata: {name: short, labels: {a: b}}")).Errors.Should().BeEmpty();
        schema.Admit(YamlJson.One("metadata: {name: toolongname}")).Errors.Should().Equal(
            new FieldError("FieldValueTooLong", "metadata.name", "Too long: may not be longer than 5"));
    }

    [Fact]
    public void CombinatorsValidateValues()
    {
        var schema = StructuralSchema.Parse(YamlJson.One("""
            type: object
            properties:
              spec:
                type: object
                properties:
                  a: {type: string}
                  b: {type: string}
                oneOf:
                - required: [a]
                - required: [b]
            """));

        schema.Admit(YamlJson.One("spec: {a: x}")).Errors.Should().BeEmpty();
        schema.Admit(YamlJson.One("spec: {a: x, b: y}")).Errors.Should().Equal(new FieldError("FieldValueInvalid", "<nil>",
            "Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found 2 valid alternatives"));
        schema.Admit(YamlJson.One("spec: {}")).Errors.Should().Contain(e => e.Type == "FieldValueRequired" && e.Field == "spec.a");
    }
}
