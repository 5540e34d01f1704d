using System.Collections;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Access;

public class RbacDefinitionTests
{
    private static readonly RbacSubject Ops = new("Group", "ops");

    private static Hashtable ReadConfigMaps() => new() { ["apiGroups"] = "", ["resources"] = "configmaps", ["verbs"] = new[] { "get", "list" } };

    [Fact]
    public void Renders_a_labelled_ClusterRole_and_binding()
    {
        var definition = RbacDefinition.Create("cm-readers", null, [ReadConfigMaps()], [Ops]);

        var rendered = definition.Render();

        rendered.Select(o => o.Reference).Should().Equal(
            "rbac.authorization.k8s.io/v1 ClusterRole cm-readers", "rbac.authorization.k8s.io/v1 ClusterRoleBinding cm-readers");
        rendered.Should().OnlyContain(o => o.Labels["app.kubernetes.io/managed-by"] == "multicluster" && o.Labels["multicluster.io/rbac"] == "cm-readers");
        rendered[0].Json["rules"]!.ToJsonString().Should().Be("""[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get","list"]}]""");
        rendered[1].Json["subjects"]!.ToJsonString().Should().Be("""[{"kind":"Group","name":"ops","apiGroup":"rbac.authorization.k8s.io"}]""");
        rendered[1].Json["roleRef"]!["kind"]!.GetValue<string>().Should().Be("ClusterRole");
    }

    [Fact]
    public void A_namespaced_definition_is_a_Role_and_its_service_account_defaults_to_that_namespace()
    {
        var definition = RbacDefinition.Create("deployer", "team-a",
            [new Hashtable { ["apiGroups"] = "apps", ["resources"] = "deployments", ["verbs"] = "patch", ["resourceNames"] = "web" }],
            [new RbacSubject("serviceaccount", "ci")]);

        definition.Render().Select(o => o.Reference).Should().Equal(
            "rbac.authorization.k8s.io/v1 Role team-a/deployer", "rbac.authorization.k8s.io/v1 RoleBinding team-a/deployer");
        definition.Subjects.Should().Equal(new RbacSubject("ServiceAccount", "ci", "team-a"));
    }

    [Fact]
    public void Bind_renders_only_a_binding_to_the_existing_cluster_role()
    {
        var cluster = RbacDefinition.Bind("oidc-admins", null, "cluster-admin", [new RbacSubject("Group", "oidc:admins")]);
        var namespaced = RbacDefinition.Bind("team-edit", "team-a", "edit", [new RbacSubject("User", "jane")]);

        cluster.ManagesRole.Should().BeFalse();
        cluster.Render().Select(o => o.Reference).Should().Equal("rbac.authorization.k8s.io/v1 ClusterRoleBinding oidc-admins");
        cluster.Render()[0].Json["roleRef"]!.ToJsonString().Should().Be("""{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"}""");
        namespaced.Render().Select(o => o.Reference).Should().Equal("rbac.authorization.k8s.io/v1 RoleBinding team-a/team-edit");
        namespaced.RoleKind.Should().Be("ClusterRole", "a RoleBinding may grant a ClusterRole's rules in its namespace");
        var noRole = () => RbacDefinition.Bind("x", null, " ", [new RbacSubject("User", "jane")], "Set-FleetRbac");
        noRole.Should().Throw<FleetInputException>().Which.Message.Should().Contain("clusterRole is missing");
    }

    [Theory]
    [InlineData("team-a/ci", "team-a", "ci")]
    [InlineData("system:serviceaccount:team-a:ci", "team-a", "ci")]
    [InlineData("ci", null, "ci")]
    public void Service_accounts_are_read_as_namespace_and_name(string text, string? ns, string name) =>
        RbacSubject.ServiceAccount(text).Should().Be(new RbacSubject("ServiceAccount", name, ns));

    [Fact]
    public void Rule_keys_are_case_insensitive_as_PowerShell_hashtables_are()
    {
        var definition = RbacDefinition.Create("x", null,
            [new Hashtable { ["APIGroups"] = "", ["Resources"] = "pods", ["Verbs"] = "get", ["NonResourceUrls"] = Array.Empty<string>() }], [Ops]);

        var rule = definition.Rules.Single();
        (rule.ApiGroups, rule.Resources, rule.Verbs).Should().BeEquivalentTo((new[] { "" }, new[] { "pods" }, new[] { "get" }));
    }

    [Theory]
    [InlineData("empty-rule", "rules[0] is empty")]
    [InlineData("empty-verbs", "rules[0].verbs")]
    [InlineData("no-resources", "rules[0] names neither")]
    [InlineData("unknown-subject", "subjects[0].kind 'Robot'")]
    [InlineData("missing-name", "name is missing")]
    [InlineData("cluster-wide-sa", "subjects[0].namespace")]
    [InlineData("sa-with-slashes", "subjects[0].name 'a/b/c' is not a service account name")]
    public void Bad_input_is_an_input_error_naming_the_field(string problem, string expected)
    {
        var rule = problem switch
        {
            "empty-rule" => new Hashtable(),
            "empty-verbs" => new Hashtable { ["apiGroups"] = "", ["resources"] = "pods", ["verbs"] = Array.Empty<string>() },
            "no-resources" => new Hashtable { ["verbs"] = "get" },
            _ => ReadConfigMaps(),
        };
        var subject = problem switch
        {
            "unknown-subject" => new RbacSubject("Robot", "r2"),
            "cluster-wide-sa" => new RbacSubject("ServiceAccount", "ci"),
            "sa-with-slashes" => RbacSubject.ServiceAccount("a/b/c"),
            _ => Ops,
        };

        var act = () => RbacDefinition.Create(problem == "missing-name" ? " " : "bad", null, [rule], [subject], "Set-FleetRbac");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
        error.Message.Should().Contain("Set-FleetRbac").And.Contain(expected);
    }

    private const string KubeFed = """
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedClusterRole
        metadata:
          name: cm-readers
        spec:
          template:
            rules:
            - apiGroups: [""]
              resources: [configmaps]
              verbs: [get, list]
          placement:
            clusters:
            - name: a
        ---
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedClusterRoleBinding
        metadata:
          name: cm-readers-ops
        spec:
          template:
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: cm-readers
            subjects:
            - kind: Group
              apiGroup: rbac.authorization.k8s.io
              name: ops
            - kind: ServiceAccount
              name: auditor
              namespace: audit
        """;

    [Fact]
    public void Reads_KubeFed_role_and_binding_documents()
    {
        var definition = RbacDefinition.FromKubeFed(ManifestReader.ReadText(KubeFed)).Should().ContainSingle().Which;

        definition.Name.Should().Be("cm-readers");
        definition.BindingName.Should().Be("cm-readers-ops");
        definition.Namespace.Should().BeNull();
        definition.Rules.Should().ContainSingle().Which.Verbs.Should().Equal("get", "list");
        definition.Subjects.Should().Equal(new RbacSubject("Group", "ops"), new RbacSubject("ServiceAccount", "auditor", "audit"));
    }

    [Fact]
    public void A_KubeFed_rule_without_verbs_is_reported_with_its_document()
    {
        var act = () => RbacDefinition.FromKubeFed(ManifestReader.ReadText(KubeFed.Replace("verbs: [get, list]", "verbs: []"), "rbac.yaml"));

        act.Should().Throw<FleetInputException>().Which.Message.Should()
            .Contain("FederatedClusterRole 'cm-readers' (rbac.yaml, document 1").And.Contain("rules[0].verbs is empty");
    }

    [Fact]
    public void KubeFed_placement_is_kept_and_definitions_placed_differently_are_refused_together()
    {
        var placed = RbacDefinition.FromKubeFed(ManifestReader.ReadText(KubeFed)).Single();
        var elsewhere = RbacDefinition.FromKubeFed(ManifestReader.ReadText(KubeFed.Replace("cm-readers", "other").Replace("- name: a", "- name: b"))).Single();
        var unplaced = RbacDefinition.Create("plain", null, [ReadConfigMaps()], [Ops]);

        placed.Placement!.Names.Should().Equal("a");
        RbacDefinition.SharedPlacement([placed, placed]).Should().BeSameAs(placed.Placement);
        RbacDefinition.SharedPlacement([unplaced]).Should().BeNull();
        var mixed = () => RbacDefinition.SharedPlacement([placed, elsewhere]);
        mixed.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be("PlacementConflict");
        var partly = () => RbacDefinition.SharedPlacement([placed, unplaced]);
        partly.Should().Throw<FleetInputException>().Which.Message.Should().Contain("'plain' (no placement)");

        var noCluster = () => RbacDefinition.FromKubeFed(ManifestReader.ReadText(KubeFed.Replace("    clusters:\n    - name: a", "    clusters: []")));
        noCluster.Should().Throw<FleetInputException>().Which.Message.Should().Contain("spec.placement names no cluster");
    }

    [Fact]
    public void A_KubeFed_binding_to_a_role_not_given_binds_that_existing_ClusterRole_under_its_own_name()
    {
        var bindingOnly = KubeFed[(KubeFed.IndexOf("---", StringComparison.Ordinal) + 3)..];

        var definition = RbacDefinition.FromKubeFed(ManifestReader.ReadText(bindingOnly)).Should().ContainSingle().Which;

        definition.Name.Should().Be("cm-readers-ops");
        definition.BindingName.Should().Be("cm-readers-ops");
        definition.ExistingClusterRole.Should().Be("cm-readers");
        definition.Render().Should().ContainSingle().Which.Json["roleRef"]!["name"]!.GetValue<string>().Should().Be("cm-readers");
    }
}
