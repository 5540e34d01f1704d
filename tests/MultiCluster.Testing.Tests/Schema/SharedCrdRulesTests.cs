using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;
using MultiCluster.Testing.ApiServer.Schema.Cel;

namespace MultiCluster.Testing.Tests.Schema;

/// <summary>
/// Every <c>x-kubernetes-validations</c> rule of every CRD in ../shared/crds parses and evaluates at the
/// schema node it sits on, or is named in <see cref="Unsupported"/> with the reason.
/// </summary>
public sealed class SharedCrdRulesTests
{
    /// <summary>Rules the emulator's CEL subset cannot evaluate, with why. Empty: every shared rule evaluates.</summary>
    private static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>();

    private sealed record FoundRule(string Where, StructuralSchemaNode Node, ValidationRule Rule);

    [RequiresSharedCrdsFact]
    public void Every_rule_of_the_shared_crds_evaluates_against_a_sample_value()
    {
        var declared = UpstreamCrds.Crds.Sum(c => CountDeclaredRules(c.Crd));
        var found = new List<FoundRule>();
        foreach (var (file, crd) in UpstreamCrds.Crds)
            foreach (var version in crd["spec"]!["versions"]!.AsArray())
                if (version!["schema"]?["openAPIV3Schema"] is JsonObject openApi)
                    Collect(StructuralSchema.Parse(openApi).Root, $"{file} {version["name"]} ", found);

        declared.Should().BeGreaterThan(200, "the shared CRDs hold a few hundred rules (Istio's and Cluster API's)");
        found.Should().HaveCount(declared, "every declared rule sits on a node the validator visits");

        var failures = new List<string>();
        var evaluated = 0;
        foreach (var (where, node, rule) in found)
        {
            if (Unsupported.ContainsKey(rule.Rule)) continue;
            try
            {
                if (rule.CompileError is not null) throw new CelSyntaxException(rule.CompileError);
                var self = CelValues.FromJson(SampleValue(node, depth: 0), node);
                var variables = new Dictionary<string, object?> { ["self"] = self, ["oldSelf"] = self };
                var result = CelEvaluator.Evaluate(rule.Program!, variables);
                if (result is not bool) failures.Add($"{where}: {rule.Rule} gave {CelValues.TypeName(result)}, not bool");
                else evaluated++;
            }
            catch (Exception e) when (e is CelSyntaxException or CelEvaluationException)
            {
                failures.Add($"{where}: {rule.Rule}: {e.Message}");
            }
        }

        failures.Should().BeEmpty();
        (evaluated + found.Count(f => Unsupported.ContainsKey(f.Rule.Rule))).Should().Be(declared);
    }

    /// <summary>The rules as written in the CRD documents, wherever they sit.</summary>
    private static int CountDeclaredRules(JsonNode? node) => node switch
    {
        JsonObject obj => (obj["x-kubernetes-validations"] is JsonArray rules ? rules.Count : 0)
            + obj.Where(p => p.Key != "x-kubernetes-validations").Sum(p => CountDeclaredRules(p.Value)),
        JsonArray array => array.Sum(CountDeclaredRules),
        _ => 0,
    };

    private static void Collect(StructuralSchemaNode node, string where, List<FoundRule> found)
    {
        found.AddRange(node.Validations.Select(rule => new FoundRule(where, node, rule)));
        foreach (var branch in node.AllOf) found.AddRange(branch.Validations.Select(rule => new FoundRule(where + "(allOf)", node, rule)));
        foreach (var (name, property) in node.Properties) Collect(property, $"{where}.{name}", found);
        if (node.Items is not null) Collect(node.Items, where + "[]", found);
        if (node.AdditionalProperties is not null) Collect(node.AdditionalProperties, where + "[*]", found);
    }

    /// <summary>A value of the node's shape with every field set: strings read as durations, numbers are in port range.</summary>
    private static JsonNode? SampleValue(StructuralSchemaNode node, int depth)
    {
        if (node.Enum is { Count: > 0 } values) return values[0]?.DeepClone();
        if (node.IntOrString) return 1;
        switch (node.Type)
        {
            case "string": return "10s";
            case "integer": return 1;
            case "number": return 1.5;
            case "boolean": return true;
            case "array":
                return node.Items is null || depth > 8 ? new JsonArray() : new JsonArray(SampleValue(node.Items, depth + 1));
            default:
                var obj = new JsonObject();
                if (depth > 8) return obj;
                foreach (var (name, property) in node.Properties) obj[name] = SampleValue(property, depth + 1);
                if (node.AdditionalProperties is not null) obj["key"] = SampleValue(node.AdditionalProperties, depth + 1);
                return obj;
        }
    }
}
