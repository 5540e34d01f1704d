using System.Collections;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Federation;

/// <summary>
/// Overrides as KubeFed applied them (evanphx/json-patch v4: op defaults to replace, a replace of
/// an absent object member adds it) for KubeFed documents, and strict RFC 6902 for -Override
/// unless the caller asks for KubeFed's semantics.
/// </summary>
public class KubeFedOverrideSemanticsTests
{
    // Written for this test: a FederatedDeployment whose overrides set env (absent from the
    // template) with no op, change the first container's image, and (for one cluster) name a
    // container past the end of the list.
    private const string Document = """
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedDeployment
        metadata:
          name: checkout
          namespace: store
        spec:
          template:
            metadata:
              labels: { app: checkout }
            spec:
              replicas: 2
              selector: { matchLabels: { app: checkout } }
              template:
                metadata: { labels: { app: checkout } }
                spec:
                  containers:
                    - name: api
                      image: registry.local/checkout:2.4
          placement:
            clusters: [{ name: prod-use1 }, { name: prod-euc1 }]
          overrides:
            - clusterName: prod-use1
              clusterOverrides:
                - path: /spec/template/spec/containers/0/env
                  value: [{ name: REGION, value: us-east-1 }]
                - op: replace
                  path: /spec/template/spec/containers/0/image
                  value: registry.local/checkout:2.5
            - clusterName: prod-euc1
              clusterOverrides:
                - path: /spec/replicas
                  value: 4
        """;

    private static WorkloadPlan PlanKubeFed(string yaml) =>
        WorkloadPlanner.Plan(ManifestReader.ReadText(yaml, "checkout.yaml"), new ClusterPlacement(), null, WorkloadPlannerTests.Fleet).Single();

    [Fact]
    public void A_replace_of_an_absent_member_adds_it_as_KubeFed_did_and_says_so()
    {
        var plan = PlanKubeFed(Document);

        plan.Work.Should().HaveCount(2);
        var use1 = plan.Work.Single(w => w.Cluster.Name == "prod-use1").Object;
        var container = use1.Json["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["env"]!.AsArray().Should().HaveCount(1);
        container["env"]![0]!["value"]!.GetValue<string>().Should().Be("us-east-1");
        container["image"]!.GetValue<string>().Should().Be("registry.local/checkout:2.5");
        var euc1 = plan.Work.Single(w => w.Cluster.Name == "prod-euc1").Object;
        euc1.Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(4);
        euc1.Json["spec"]!["template"]!["spec"]!["containers"]![0]!["env"].Should().BeNull("only prod-use1 overrides env");

        plan.AddedMembers.Should().HaveCount(1);
        plan.AddedMembers[0].Should().Contain("'prod-use1'").And.Contain("/spec/template/spec/containers/0/env").And.Contain("checkout.yaml");
    }

    [Fact]
    public void An_array_index_out_of_range_fails_naming_document_line_path_and_value()
    {
        var yaml = Document.Replace("path: /spec/replicas\n          value: 4", "path: /spec/template/spec/containers/1/image\n          value: registry.local/sidecar:1");

        var act = () => PlanKubeFed(yaml);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FederationErrorIds.OverrideInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("FederatedDeployment store/checkout (checkout.yaml, document 1 (line 1)): prod-euc1: /spec/template/spec/containers/1/image");
        error.Message.Should().Contain("/spec/template/spec/containers/1 does not exist")
            .And.Contain("\"registry.local/sidecar:1\"").And.Contain("line 1");
    }

    [Fact]
    public void A_missing_parent_fails_even_in_KubeFed_mode()
    {
        var yaml = Document.Replace("path: /spec/replicas", "path: /spec/strategy/rollingUpdate/maxSurge");

        var act = () => PlanKubeFed(yaml);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FederationErrorIds.OverrideInvalid);
        error.Message.Should().Contain("/spec/strategy does not exist").And.Contain("(value 4)").And.Contain("'prod-euc1'");
    }

    [Fact]
    public void Parameter_overrides_stay_strict_unless_KubeFed_mode_is_asked_for()
    {
        var template = ManifestReader.ReadText(WorkloadPlannerTests.Deployment, "web.yaml").Single();
        var overrides = new Hashtable { ["prod-use1"] = new Hashtable { ["/spec/template/spec/containers/0/env"] = new object[] { new Hashtable { ["name"] = "A", ["value"] = "1" } } } };
        WorkloadPlan Plan(FleetOverrideMode mode) => WorkloadPlanner.Plan(
            WorkloadDefinition.FromTemplate(template, new ClusterPlacement { Names = ["prod-use1"] }, WorkloadOverrideReader.Read(overrides, mode)), WorkloadPlannerTests.Fleet);

        var strict = () => Plan(FleetOverrideMode.Strict);
        var kubeFed = Plan(FleetOverrideMode.KubeFed);

        var error = strict.Should().Throw<FleetInputException>().Which;
        error.Message.Should().Contain("/spec/template/spec/containers/0/env does not exist");
        error.RecommendedAction.Should().Contain("-OverrideMode KubeFed");
        kubeFed.Work.Should().ContainSingle().Which.Object.Json["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]![0]!["name"]!.GetValue<string>().Should().Be("A");
        kubeFed.AddedMembers.Should().HaveCount(1);
    }

    [Theory]
    [InlineData(OverrideOp.Replace, "/spec/containers/2", "the list has 2 items")]
    [InlineData(OverrideOp.Replace, "/spec/missing/field", "/spec/missing does not exist")]
    [InlineData(OverrideOp.Remove, "/spec/absent", "/spec/absent does not exist")]
    public void KubeFed_mode_still_refuses_what_json_patch_v4_refused(OverrideOp op, string pointer, string reason)
    {
        var doc = JsonNode.Parse("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""")!.AsObject();

        var act = () => JsonPointer.Apply(doc, op, pointer, JsonValue.Create(1), FleetOverrideMode.KubeFed);

        act.Should().Throw<JsonPointerException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void KubeFed_mode_adds_an_absent_member_and_reports_it()
    {
        var doc = JsonNode.Parse("""{"spec":{"replicas":1}}""")!.AsObject();

        var added = JsonPointer.Apply(doc, OverrideOp.Replace, "/spec/paused", JsonValue.Create(true), FleetOverrideMode.KubeFed);
        var replaced = JsonPointer.Apply(doc, OverrideOp.Replace, "/spec/replicas", JsonValue.Create(3), FleetOverrideMode.KubeFed);

        added.Should().BeTrue();
        replaced.Should().BeFalse();
        doc.ToJsonString().Should().Be("""{"spec":{"replicas":3,"paused":true}}""");
    }

    [Fact]
    public void A_Secret_override_that_does_not_fit_keeps_its_value_out_of_the_error()
    {
        var yaml = """
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedSecret
            metadata: { name: db, namespace: store }
            spec:
              template: { type: Opaque, data: { password: c2VjcmV0 } }
              placement: { clusters: [{ name: dev-use1 }] }
              overrides:
                - clusterName: dev-use1
                  clusterOverrides: [{ path: /data/nested/password, value: bm90LXNob3du }]
            """;

        var act = () => PlanKubeFed(yaml);

        act.Should().Throw<FleetInputException>().Which.Message.Should().NotContain("bm90LXNob3du").And.Contain("/data/nested does not exist");
    }
}
