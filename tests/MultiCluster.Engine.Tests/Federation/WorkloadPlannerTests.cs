using System.Collections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Federation;

public class WorkloadPlannerTests
{
    internal static readonly IReadOnlyList<FleetCluster> Fleet =
    [
        new() { Name = "prod-use1", Labels = new Dictionary<string, string> { ["env"] = "prod" } },
        new() { Name = "prod-euc1", Labels = new Dictionary<string, string> { ["env"] = "prod" } },
        new() { Name = "dev-use1", Labels = new Dictionary<string, string> { ["env"] = "dev" } },
    ];

    internal const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
            spec:
              containers:
                - name: web
                  image: nginx:1.27
        """;

    private static KubeObject Template(string yaml = Deployment) => ManifestReader.ReadText(yaml, "web.yaml").Single();

    private static WorkloadPlan Plan(ClusterPlacement placement, IDictionary? overrides = null, string yaml = Deployment) =>
        WorkloadPlanner.Plan(WorkloadDefinition.FromTemplate(Template(yaml), placement, WorkloadOverrideReader.Read(overrides)), Fleet);

    [Fact]
    public void Each_placed_cluster_gets_the_template_with_its_overrides_and_the_workload_labels()
    {
        var plan = Plan(new ClusterPlacement { LabelSelector = "env=prod" }, new Hashtable
        {
            ["prod-euc1"] = new Hashtable { ["/spec/replicas"] = 5 },
            ["prod-*"] = new object[] { new Hashtable { ["op"] = "add", ["path"] = "/spec/template/spec/containers/0/env", ["value"] = new object[] { new Hashtable { ["name"] = "TIER", ["value"] = "gold" } } } },
        });

        plan.Work.Select(w => w.Cluster.Name).Should().Equal("prod-use1", "prod-euc1");
        var use1 = plan.Work[0].Object;
        var euc1 = plan.Work[1].Object;
        use1.Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(2);
        euc1.Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(5);
        euc1.Json["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>().Should().Be("gold");
        use1.Labels.Should().Contain(KubeObject.ManagedByLabel, "multicluster").And.Contain(WorkloadDefinition.WorkloadLabel, "web");
        plan.Definition.Template.Labels.Should().BeEmpty("the template itself is left as given");
    }

    [Fact]
    public void Names_with_wildcards_and_piped_clusters_place_the_workload()
    {
        var byName = Plan(new ClusterPlacement { Names = ["*-use1"] });
        var piped = Plan(new ClusterPlacement { Clusters = [Fleet[2]] });

        byName.PlacedClusters.Select(c => c.Name).Should().Equal("prod-use1", "dev-use1");
        piped.PlacedClusters.Select(c => c.Name).Should().Equal("dev-use1");
    }

    [Fact]
    public void Unknown_cluster_names_and_unused_overrides_are_reported_but_do_not_stop_the_plan()
    {
        var plan = Plan(new ClusterPlacement { Names = ["prod-use1", "prod-usw2"] },
            new Hashtable { ["dev-use1"] = new Hashtable { ["/spec/replicas"] = 1 } });

        plan.PlacedClusters.Select(c => c.Name).Should().Equal("prod-use1");
        plan.NotFound.Should().ContainSingle().Which.ErrorId.Should().Be(FleetErrorIds.ClusterNotFound);
        plan.UnusedOverrides.Should().Equal("dev-use1");
    }

    [Fact]
    public void A_placement_that_selects_nothing_is_PlacementEmpty()
    {
        var none = () => Plan(new ClusterPlacement());
        var noMatch = () => Plan(new ClusterPlacement { LabelSelector = "env=staging" });

        none.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(PlacementErrorIds.PlacementEmpty);
        var error = noMatch.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(PlacementErrorIds.PlacementEmpty);
        error.Message.Should().Contain("labels 'env=staging'").And.Contain("Deployment shop/web (web.yaml");
    }

    [Fact]
    public void Replace_of_a_missing_path_names_document_cluster_and_path()
    {
        var act = () => Plan(ClusterPlacement.Everywhere, new Hashtable { ["prod-euc1"] = new Hashtable { ["/spec/replica"] = 5 } });

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FederationErrorIds.OverrideInvalid);
        error.Message.Should().Contain("web.yaml").And.Contain("'prod-euc1'").And.Contain("/spec/replica does not exist");
        error.Target.Should().Be("Deployment shop/web (web.yaml, document 1 (line 1)): prod-euc1: /spec/replica");
    }

    [Fact]
    public void Overrides_of_clusters_outside_the_placement_are_checked_too()
    {
        var act = () => Plan(new ClusterPlacement { Names = ["prod-use1"] },
            new Hashtable { ["dev-use1"] = new object[] { new Hashtable { ["op"] = "remove", ["path"] = "/spec/template/spec/containers/1" } } });

        act.Should().Throw<FleetInputException>().WithMessage("*'dev-use1'*list has 1 item*");
    }

    [Fact]
    public void Empty_and_malformed_overrides_are_refused()
    {
        var empty = () => Plan(ClusterPlacement.Everywhere, new Hashtable { ["prod-use1"] = new Hashtable() });
        var badOp = () => Plan(ClusterPlacement.Everywhere, new Hashtable { ["prod-use1"] = new object[] { new Hashtable { ["op"] = "copy", ["path"] = "/spec" } } });
        var notAMap = () => Plan(ClusterPlacement.Everywhere, new Hashtable { ["prod-use1"] = 5 });
        var badPointer = () => Plan(ClusterPlacement.Everywhere, new Hashtable { ["prod-use1"] = new Hashtable { ["spec/replicas"] = 5 } });

        empty.Should().Throw<FleetInputException>().WithMessage("*'prod-use1'*is empty*").Which.ErrorId.Should().Be(FederationErrorIds.OverrideInvalid);
        badOp.Should().Throw<FleetInputException>().WithMessage("*unknown op 'copy'*");
        notAMap.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FederationErrorIds.OverrideInvalid);
        badPointer.Should().Throw<FleetInputException>().WithMessage("*starts with '/'*");
    }

    [Theory]
    [InlineData("""{"kind":"ConfigMap","metadata":{"name":"a"}}""", "apiVersion")]
    [InlineData("""{"apiVersion":"v1","metadata":{"name":"a"}}""", "kind")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""", "metadata.name")]
    public void A_template_without_apiVersion_kind_or_name_is_refused(string json, string missing)
    {
        var template = KubeObject.Parse(json);

        var act = () => WorkloadPlanner.Plan(WorkloadDefinition.FromTemplate(template, ClusterPlacement.Everywhere), Fleet);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
        error.Message.Should().Contain($"has no {missing}");
    }

    [Fact]
    public void The_same_workload_twice_is_refused()
    {
        var definition = WorkloadDefinition.FromTemplate(Template(), ClusterPlacement.Everywhere);

        var act = () => WorkloadPlanner.Plan([definition, definition], Fleet);

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FederationErrorIds.WorkloadDuplicate);
    }

    [Fact]
    public void A_KubeFed_document_brings_its_own_placement_and_refuses_another()
    {
        var document = ManifestReader.ReadText("""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedDeployment
            metadata: { name: web, namespace: shop }
            spec:
              template: { spec: { replicas: 1 } }
              placement: { clusters: [{ name: dev-use1 }] }
            """);

        var definitions = WorkloadReader.Read(document, new ClusterPlacement(),
            WorkloadOverrideReader.Read(new Hashtable { ["dev-use1"] = new Hashtable { ["/spec/replicas"] = 4 } }));
        var conflicting = () => WorkloadReader.Read(document, new ClusterPlacement { Names = ["prod-*"] });

        var plan = WorkloadPlanner.Plan(definitions.Single(), Fleet);
        plan.Work.Should().ContainSingle().Which.Object.Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(4);
        conflicting.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(PlacementErrorIds.PlacementConflict);
    }
}
