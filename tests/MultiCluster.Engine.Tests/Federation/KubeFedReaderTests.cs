using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Federation;

public class KubeFedReaderTests
{
    private static WorkloadDefinition Read(string yaml) => KubeFedReader.Read(ManifestReader.ReadText(yaml, "fed.yaml").Single());

    private const string Header = """
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedConfigMap
        metadata:
          name: settings
          namespace: team
        """;

    [RequiresSharedCrdsFact]
    public void The_upstream_sample_maps_to_template_placement_and_overrides()
    {
        var path = Path.Combine(SharedFiles.Crds!, "examples", "kubefed", "federateddeployment.yaml");

        var workload = KubeFedReader.Read(ManifestReader.ReadPaths([path]).Single());

        workload.Template.Reference.Should().Be("apps/v1 Deployment test-namespace/test-deployment");
        workload.Template.Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(3);
        workload.Placement.Names.Should().Equal("cluster2", "cluster1");
        var overrides = workload.Overrides.Should().ContainSingle().Which;
        overrides.Cluster.Should().Be("cluster2");
        overrides.Operations.Select(o => o.ToString()).Should().Equal(
            "replace /spec/replicas", "replace /spec/template/spec/containers/0/image", "add /metadata/annotations", "remove /metadata/annotations/foo");
        workload.Source.Should().Contain("FederatedDeployment test-namespace/test-deployment").And.Contain("federateddeployment.yaml");
    }

    [Fact]
    public void A_cluster_selector_becomes_a_label_selector()
    {
        var workload = Read(Header + """

            spec:
              template:
                data: { a: "1" }
              placement:
                clusterSelector:
                  matchLabels: { env: prod }
                  matchExpressions:
                    - { key: tier, operator: In, values: [gold, silver] }
                    - { key: legacy, operator: DoesNotExist }
            """);

        workload.Placement.LabelSelector.Should().Be("env=prod,tier in (gold,silver),!legacy");
        workload.Placement.Names.Should().BeNull();
        workload.Template.Reference.Should().Be("v1 ConfigMap team/settings");
    }

    [Fact]
    public void A_cluster_list_wins_over_the_selector_and_an_empty_selector_means_every_cluster()
    {
        var both = Read(Header + "\nspec:\n  template: {}\n  placement:\n    clusters: [{ name: a }]\n    clusterSelector: { matchLabels: { env: prod } }\n");
        var all = Read(Header + "\nspec:\n  template: {}\n  placement:\n    clusterSelector: {}\n");

        both.Placement.Names.Should().Equal("a");
        both.Placement.LabelSelector.Should().BeNull();
        all.Placement.Should().Be(ClusterPlacement.Everywhere);
    }

    [Fact]
    public void Cluster_scoped_and_namespace_kinds_drop_the_namespace()
    {
        var role = KubeFedReader.Read(ManifestReader.ReadText("""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRole
            metadata: { name: viewer }
            spec:
              template:
                rules: [{ apiGroups: [""], resources: [pods], verbs: [get] }]
            """).Single());
        var ns = KubeFedReader.Read(ManifestReader.ReadText("""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedNamespace
            metadata: { name: team, namespace: team }
            spec: { template: {} }
            """).Single());

        role.Template.Reference.Should().Be("rbac.authorization.k8s.io/v1 ClusterRole viewer");
        ns.Template.Reference.Should().Be("v1 Namespace team");
    }

    [Theory]
    [InlineData("spec:\n  placement: {}\n", "no spec.template")]
    [InlineData("spec:\n  template: {}\n  replicaPolicy: x\n", "'replicaPolicy' in spec")]
    [InlineData("spec:\n  template: {}\n  placement:\n    clusterNames: [a]\n", "'clusterNames' in spec.placement")]
    [InlineData("spec:\n  template: {}\n  overrides:\n    - clusterName: a\n      clusterOverrides: [{ op: move, path: /data }]\n", "op 'move'")]
    [InlineData("spec:\n  template: {}\n  overrides:\n    - clusterOverrides: [{ path: /data }]\n", "without clusterName")]
    [InlineData("spec:\n  template: {}\n  placement:\n    clusterSelector:\n      matchExpressions: [{ key: a, operator: Gt, values: ['1'] }]\n", "'a Gt (1)'")]
    [InlineData("spec:\n  template: {}\n  retainReplicas: true\n", "retainReplicas")]
    [InlineData("spec:\n  template: { kind: Secret }\n", "federates ConfigMap")]
    public void Unknown_shapes_are_refused_naming_the_field(string spec, string reason)
    {
        var act = () => Read(Header + "\n" + spec);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(PlacementErrorIds.KubeFedDocumentInvalid);
        error.Message.Should().Contain("FederatedConfigMap team/settings").And.Contain(reason);
    }

    [Fact]
    public void Unknown_kinds_need_the_template_apiVersion()
    {
        var act = () => Read("apiVersion: types.kubefed.io/v1beta1\nkind: FederatedWidget\nmetadata: { name: w }\nspec: { template: {} }\n");
        var given = Read("apiVersion: types.kubefed.io/v1beta1\nkind: FederatedWidget\nmetadata: { name: w }\nspec: { template: { apiVersion: example.com/v1 } }\n");

        act.Should().Throw<FleetInputException>().WithMessage("*add spec.template.apiVersion*");
        given.Template.Reference.Should().Be("example.com/v1 Widget w");
    }

    [Fact]
    public void Other_versions_of_the_group_are_refused()
    {
        var act = () => Read("apiVersion: types.kubefed.io/v1alpha1\nkind: FederatedConfigMap\nmetadata: { name: s }\nspec: { template: {} }\n");

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(PlacementErrorIds.KubeFedDocumentInvalid);
    }
}
