using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// CRD x-kubernetes-validations (CEL) on writes to custom resources, on a small CRD of the test's own
/// (unique group, removed at the end). Expectations from the Kubernetes documentation "Validation rules"
/// (tasks/extend-kubernetes/custom-resources/custom-resource-definitions) and apiextensions-apiserver's
/// pkg/apiserver/schema/cel/validation.go: each failure is a cause at the rule's node (or its fieldPath),
/// Invalid value being the node's type, then the message, messageExpression's result, or "failed rule: RULE".
/// </summary>
[Trait("Category", "Conformance")]
public sealed class CelValidationTests
{
    private static string GadgetCrd(string group) => $$"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.{{group}}}
        spec:
          group: {{group}}
          scope: Namespaced
          names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-validations:
                    - rule: "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas"
                      messageExpression: "'minReplicas (' + string(self.minReplicas) + ') exceeds maxReplicas (' + string(self.maxReplicas) + ')'"
                      fieldPath: .minReplicas
                    - rule: "!has(self.owner) || self.owner != 'root'"
                      reason: FieldValueForbidden
                      message: the root owner is reserved
                    properties:
                      region:
                        type: string
                        maxLength: 32
                        x-kubernetes-validations:
                        - rule: self == oldSelf
                          message: region is immutable
                      size:
                        type: integer
                        x-kubernetes-validations:
                        - rule: self >= oldSelf
                      owner: {type: string, maxLength: 32}
                      minReplicas: {type: integer}
                      maxReplicas: {type: integer}
        """;

    /// <summary>Installs the Gadget CRD under a unique group and waits until it is Established; returns the namespace's gadgets path and kind.</summary>
    private static async Task<(string Gadgets, string QualifiedKind)> InstallGadgetsAsync(ConformanceTarget t)
    {
        var group = ConformanceTarget.UniqueName("conf").Replace("-", "") + ".conformance.multicluster.io";
        var crdPath = $"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.{group}";
        (await t.ApplyAsync(crdPath, GadgetCrd(group), "conformance")).ShouldHaveCode(201);
        t.RemoveAtEnd(crdPath);
        var gadgets = t.PathOf(group, "v1", "gadgets");
        for (var attempt = 0; ; attempt++)
        {
            var crd = await t.SendAsync(HttpMethod.Get, crdPath);
            var established = crd.Object["status"]?["conditions"]?.AsArray()
                .Any(c => c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True") ?? false;
            // Established means served; the first request may still race the new handler, so list once too.
            if (established && (await t.SendAsync(HttpMethod.Get, gadgets)).Code == 200) break;
            attempt.Should().BeLessThan(100, "a CRD is Established within seconds");
            await Task.Delay(200);
        }
        return (gadgets, $"Gadget.{group}");
    }

    private static string Gadget(string spec) => $$"""{"apiVersion":"GROUP/v1","kind":"Gadget","metadata":{"name":"g1"},"spec":{{spec}}}""";

    private static string GadgetIn(string gadgets, string spec) => Gadget(spec).Replace("GROUP", gadgets.Split('/')[2]);

    private static void ShouldBeInvalid(ApiResponse answer, string qualifiedKind, params (string Type, string Field, string Message)[] causes)
    {
        var message = answer.ShouldBeStatus(422, "Invalid");
        // k8s.io/apimachinery/pkg/api/errors NewInvalid: "KIND.GROUP \"NAME\" is invalid: " then the error, or "[e1, e2]" for several.
        var errors = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        message.Should().Be($"{qualifiedKind} \"g1\" is invalid: " + (errors.Count == 1 ? errors[0] : $"[{string.Join(", ", errors)}]"));
        var actual = answer.Object["details"]!["causes"]!.AsArray();
        actual.Should().HaveCount(causes.Length);
        actual.Select(c => (c!["reason"]!.GetValue<string>(), c["field"]!.GetValue<string>(), c["message"]!.GetValue<string>()))
            .Should().Equal(causes.Select(c => (c.Type, c.Field, c.Message)));
    }

    [ConformanceTheory]
    public async Task Failing_rules_are_422_with_messageExpression_fieldPath_and_reason_and_store_nothing(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var (gadgets, kind) = await InstallGadgetsAsync(t);

        var answer = await t.SendAsync(HttpMethod.Post, gadgets, GadgetIn(gadgets, """{"owner": "root", "minReplicas": 5, "maxReplicas": 2}"""));

        ShouldBeInvalid(answer, kind,
            ("FieldValueInvalid", "spec.minReplicas", "Invalid value: \"object\": minReplicas (5) exceeds maxReplicas (2)"),
            ("FieldValueForbidden", "spec", "Forbidden: the root owner is reserved"));
        (await t.SendAsync(HttpMethod.Get, gadgets + "/g1")).ShouldBeStatus(404, "NotFound");
        (await t.SendAsync(HttpMethod.Post, gadgets, GadgetIn(gadgets, """{"owner": "team-a", "minReplicas": 1, "maxReplicas": 2}"""))).ShouldHaveCode(201);
    }

    [ConformanceTheory]
    public async Task A_transition_rule_refuses_an_immutable_change_on_update_patch_and_apply(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var (gadgets, kind) = await InstallGadgetsAsync(t);
        var created = (await t.SendAsync(HttpMethod.Post, gadgets, GadgetIn(gadgets, """{"region": "eu-west-1", "size": 3}"""))).ShouldHaveCode(201);
        var replaced = created.Object.DeepClone().AsObject();
        replaced["spec"]!["region"] = "us-east-1";

        var put = await t.SendAsync(HttpMethod.Put, gadgets + "/g1", replaced.ToJsonString());
        var merge = await t.SendAsync(HttpMethod.Patch, gadgets + "/g1", """{"spec": {"region": "us-east-1"}}""", "application/merge-patch+json");
        var apply = await t.ApplyAsync(gadgets + "/g1", GadgetIn(gadgets, """{"region": "us-east-1", "size": 3}"""), "conformance", force: true);
        var shrink = await t.SendAsync(HttpMethod.Patch, gadgets + "/g1", """{"spec": {"size": 2}}""", "application/merge-patch+json");

        foreach (var refused in new[] { put, merge, apply })
            ShouldBeInvalid(refused, kind, ("FieldValueInvalid", "spec.region", "Invalid value: \"string\": region is immutable"));
        ShouldBeInvalid(shrink, kind, ("FieldValueInvalid", "spec.size", "Invalid value: \"integer\": failed rule: self >= oldSelf"));
        var stored = await t.SendAsync(HttpMethod.Get, gadgets + "/g1");
        (stored.StringAt("spec", "region"), stored.Object["spec"]!["size"]!.GetValue<long>()).Should().Be(("eu-west-1", 3L));
        stored.StringAt("metadata", "resourceVersion").Should().Be(created.StringAt("metadata", "resourceVersion"));
        (await t.SendAsync(HttpMethod.Patch, gadgets + "/g1", """{"spec": {"size": 4}}""", "application/merge-patch+json")).ShouldHaveCode(200)
            .Object["spec"]!["size"]!.GetValue<long>().Should().Be(4);
    }
}
