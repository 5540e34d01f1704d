using System.Collections;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Connections;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Federation;

public class WorkloadRendererTests
{
    private static WorkloadPlan Plan(ClusterPlacement placement, IDictionary? overrides = null, string yaml = WorkloadPlannerTests.Deployment) =>
        WorkloadPlanner.Plan(WorkloadDefinition.FromTemplate(ManifestReader.ReadText(yaml).Single(), placement, WorkloadOverrideReader.Read(overrides)),
            WorkloadPlannerTests.Fleet);

    private static readonly Hashtable EucOverrides = new()
    {
        ["prod-euc1"] = new object[]
        {
            new Hashtable { ["op"] = "replace", ["path"] = "/spec/replicas", ["value"] = 5 },
            new Hashtable { ["op"] = "remove", ["path"] = "/spec/template/spec/containers/0/image" },
        },
    };

    [Fact]
    public void Rendering_writes_one_file_per_cluster_holding_its_objects()
    {
        using var output = new TempDirectory();
        var web = Plan(ClusterPlacement.Everywhere, EucOverrides);
        var settings = Plan(new ClusterPlacement { Names = ["prod-euc1"] },
            yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\ndata: { a: '1' }\n");

        var manifests = WorkloadRenderer.RenderClusters([web, settings], output.Path);

        manifests.Select(m => m.ToString()).Should().Equal(
            "prod-use1: Deployment shop/web", "prod-euc1: Deployment shop/web", "prod-euc1: ConfigMap shop/settings", "dev-use1: Deployment shop/web");
        Directory.GetFiles(output.Path).Select(Path.GetFileName).Should().BeEquivalentTo("prod-use1.yaml", "prod-euc1.yaml", "dev-use1.yaml");
        var euc1 = ManifestReader.ReadPaths([Path.Combine(output.Path, "prod-euc1.yaml")]);
        euc1.Select(o => o.Kind).Should().Equal("Deployment", "ConfigMap");
        euc1[0].Json["spec"]!["replicas"]!.GetValue<long>().Should().Be(5);
        euc1[0].Labels[WorkloadDefinition.WorkloadLabel].Should().Be("web");
        manifests.Where(m => m.Cluster == "prod-euc1").Should().OnlyContain(m => m.Path == Path.Combine(output.Path, "prod-euc1.yaml"));
    }

    [Fact]
    public void Without_an_output_folder_nothing_is_written_and_the_yaml_is_returned()
    {
        var manifests = WorkloadRenderer.RenderClusters([Plan(new ClusterPlacement { Names = ["dev-use1"] })]);

        manifests.Should().ContainSingle().Which.Path.Should().BeNull();
        manifests[0].Yaml.Should().Contain("multicluster.io/workload: web");
    }

    [Fact]
    public void Karmada_output_is_the_template_a_propagation_policy_with_cluster_names_and_an_override_policy()
    {
        var objects = WorkloadRenderer.ToKarmada(Plan(new ClusterPlacement { Names = ["prod-*"] }, EucOverrides));

        objects.Select(o => o.Reference).Should().Equal(
            "apps/v1 Deployment shop/web",
            "policy.karmada.io/v1alpha1 PropagationPolicy shop/web-deployment",
            "policy.karmada.io/v1alpha1 OverridePolicy shop/web-deployment");
        var propagation = objects[1].Json["spec"]!;
        propagation["resourceSelectors"]!.ToJsonString().Should().Be("""[{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}]""");
        propagation["placement"]!.ToJsonString().Should().Be("""{"clusterAffinity":{"clusterNames":["prod-use1","prod-euc1"]}}""");
        objects[2].Json["spec"]!["overrideRules"]!.ToJsonString().Should().Be(
            """[{"targetCluster":{"clusterNames":["prod-euc1"]},"overriders":{"plaintext":[{"path":"/spec/replicas","operator":"replace","value":5},{"path":"/spec/template/spec/containers/0/image","operator":"remove"}]}}]""");
    }

    [Fact]
    public void A_placement_by_labels_stays_a_label_selector_and_everywhere_has_no_affinity()
    {
        var byLabels = WorkloadRenderer.ToKarmada(Plan(new ClusterPlacement { LabelSelector = "env=prod,tier notin (bronze),!legacy" }));
        var everywhere = WorkloadRenderer.ToKarmada(Plan(ClusterPlacement.Everywhere));

        byLabels.Should().HaveCount(2, "no cluster has overrides");
        byLabels[1].Json["spec"]!["placement"]!.ToJsonString().Should().Be(
            """{"clusterAffinity":{"labelSelector":{"matchLabels":{"env":"prod"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["bronze"]},{"key":"legacy","operator":"DoesNotExist"}]}}}""");
        everywhere[1].Json["spec"]!["placement"]!.ToJsonString().Should().Be("{}");
    }

    [Fact]
    public void Cluster_scoped_kinds_get_cluster_policies()
    {
        var objects = WorkloadRenderer.ToKarmada(Plan(ClusterPlacement.Everywhere,
            new Hashtable { ["dev-use1"] = new Hashtable { ["/rules/0/verbs"] = new[] { "get", "list" } } },
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: viewer }\nrules: [{ apiGroups: [''], resources: [pods], verbs: [get] }]\n"));

        objects.Select(o => o.Kind).Should().Equal("ClusterRole", "ClusterPropagationPolicy", "ClusterOverridePolicy");
        objects.Skip(1).Should().OnlyContain(o => o.Namespace == null);
    }

    [Fact]
    public void Karmada_output_goes_to_one_file_and_an_unwritable_folder_is_an_input_error()
    {
        using var output = new TempDirectory();
        var blocker = output.Write("taken", "a file where a folder should be");
        var plans = new[] { Plan(ClusterPlacement.Everywhere, EucOverrides) };

        var manifests = WorkloadRenderer.RenderKarmada(plans, output.Path);
        var act = () => WorkloadRenderer.RenderKarmada(plans, Path.Combine(blocker, "karmada"));

        manifests.Should().HaveCount(3, "the template, its PropagationPolicy and its OverridePolicy")
            .And.OnlyContain(m => m.Path == Path.Combine(output.Path, "karmada.yaml"));
        ManifestReader.ReadPaths([Path.Combine(output.Path, "karmada.yaml")]).Select(o => o.Kind).Should().Equal("Deployment", "PropagationPolicy", "OverridePolicy");
        act.Should().Throw<MultiCluster.Engine.Errors.FleetInputException>().Which.ErrorId.Should().Be(MultiCluster.Engine.Errors.FleetErrorIds.OutputPathNotWritable);
    }

    [RequiresSharedCrdsFact]
    public async Task Karmada_policies_are_accepted_by_an_emulator_with_the_real_Karmada_CRDs()
    {
        await using var karmada = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "karmada" });
        SharedCrds.LoadInto(karmada, "karmada");
        karmada.CreateObject(JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""")!.AsObject());
        var plans = new[]
        {
            Plan(new ClusterPlacement { Names = ["prod-*"] }, EucOverrides),
            Plan(new ClusterPlacement { LabelSelector = "env in (prod,dev),!legacy" },
                new Hashtable { ["dev-use1"] = new object[] { new Hashtable { ["op"] = "add", ["path"] = "/data/b", ["value"] = "2" } } },
                "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\ndata: { a: '1' }\n"),
            Plan(ClusterPlacement.Everywhere, new Hashtable { ["prod-use1"] = new Hashtable { ["/rules/0/verbs/0"] = "list" } },
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: viewer }\nrules: [{ apiGroups: [''], resources: [pods], verbs: [get] }]\n"),
        };

        var manifests = WorkloadRenderer.RenderKarmada(plans);

        manifests.Should().HaveCount(9, "each of the three workloads has overrides: template, propagation and override policy")
            .And.OnlyContain(m => m.Cluster == WorkloadRenderer.KarmadaTarget);
        var policies = manifests.Where(m => m.Kind.Contains("Policy")).ToList();
        policies.Select(m => m.Kind).Should().Equal("PropagationPolicy", "OverridePolicy", "PropagationPolicy", "OverridePolicy",
            "ClusterPropagationPolicy", "ClusterOverridePolicy");
        foreach (var manifest in manifests)
        {
            var created = karmada.CreateObject(ManifestReader.ReadText(manifest.Yaml).Single().Json);
            created["metadata"]!["uid"].Should().NotBeNull(manifest.ToString());
        }
        // The same emulator refuses what the Karmada schema forbids, so the acceptance above means something.
        var invalid = () => karmada.CreateObject(JsonNode.Parse("""
            {"apiVersion":"policy.karmada.io/v1alpha1","kind":"OverridePolicy","metadata":{"name":"probe","namespace":"shop"},
             "spec":{"overrideRules":[{"overriders":{"plaintext":[{"path":"/x","operator":"move"}]}}]}}
            """)!.AsObject());
        invalid.Should().Throw<MultiCluster.Testing.ApiServer.ApiStatusException>().Which.Message.Should().Contain("operator");
    }
}
