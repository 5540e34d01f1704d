using MultiCluster.Engine.Access;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Access;

/// <summary>
/// KubeFed RBAC documents keep their own names: a FederatedClusterRoleBinding named unlike its
/// role, and the namespaced FederatedRole and FederatedRoleBinding; a binding an earlier version
/// created under its role's name is found by its labels and reported, not removed.
/// </summary>
public sealed class KubeFedRbacNamesTests : IAsyncLifetime
{
    // Written for this test: a role "developer" bound to the group "dev-team" by a binding named "developers".
    private const string ClusterDocuments = """
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedClusterRole
        metadata: { name: developer }
        spec:
          template:
            rules:
              - { apiGroups: [apps], resources: [deployments], verbs: [get, list, watch] }
        ---
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedClusterRoleBinding
        metadata: { name: developers }
        spec:
          template:
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: developer }
            subjects:
              - { kind: Group, apiGroup: rbac.authorization.k8s.io, name: dev-team }
        """;

    private const string NamespacedDocuments = """
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedRole
        metadata: { name: config-editor, namespace: payments }
        spec:
          template:
            rules:
              - { apiGroups: [""], resources: [configmaps], verbs: [get, update] }
        ---
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedRoleBinding
        metadata: { name: payments-config-editors, namespace: payments }
        spec:
          template:
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-editor }
            subjects:
              - { kind: ServiceAccount, name: deployer }
        ---
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedRoleBinding
        metadata: { name: payments-viewers, namespace: payments }
        spec:
          template:
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
            subjects:
              - { kind: Group, apiGroup: rbac.authorization.k8s.io, name: auditors }
        """;

    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private RbacService _service = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(2, "kfrbac");
        _connector = new EmulatorConnector(_fleet);
        _service = new RbacService(_connector);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public void A_binding_keeps_its_own_name_whatever_role_it_refers_to()
    {
        var definition = RbacDefinition.FromKubeFed(ManifestReader.ReadText(ClusterDocuments, "dev-rbac.yaml")).Should().ContainSingle().Which;

        var rendered = definition.Render();

        rendered.Should().HaveCount(2);
        rendered[0].Kind.Should().Be("ClusterRole");
        rendered[0].Name.Should().Be("developer");
        rendered[1].Kind.Should().Be("ClusterRoleBinding");
        rendered[1].Name.Should().Be("developers");
        rendered[1].Json["roleRef"]!["name"]!.GetValue<string>().Should().Be("developer");
    }

    [Fact]
    public void FederatedRole_and_FederatedRoleBinding_are_namespaced_and_keep_their_names()
    {
        var definitions = RbacDefinition.FromKubeFed(ManifestReader.ReadText(NamespacedDocuments, "payments-rbac.yaml"));

        definitions.Should().HaveCount(2);
        var editor = definitions[0];
        editor.Namespace.Should().Be("payments");
        editor.RoleKind.Should().Be("Role");
        editor.BindingName.Should().Be("payments-config-editors");
        editor.Subjects.Should().Equal(new RbacSubject("ServiceAccount", "deployer", "payments"));
        var viewers = definitions[1];
        viewers.ManagesRole.Should().BeFalse();
        viewers.BindingKind.Should().Be("RoleBinding");
        viewers.Render().Should().ContainSingle().Which.Name.Should().Be("payments-viewers");
    }

    [Fact]
    public void A_FederatedRoleBinding_to_a_Role_not_given_names_document_and_role()
    {
        var bindingOnly = NamespacedDocuments[(NamespacedDocuments.IndexOf("---", StringComparison.Ordinal) + 3)..];

        var act = () => RbacDefinition.FromKubeFed(ManifestReader.ReadText(bindingOnly, "payments-rbac.yaml"));

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ManifestInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidData);
        error.Message.Should().Contain("FederatedRoleBinding 'payments-config-editors' (payments-rbac.yaml, document 1 (line").And.Contain("Role 'config-editor'");
    }

    [Fact]
    public async Task A_binding_created_under_the_role_name_by_an_earlier_version_is_found_and_left_in_place()
    {
        var definition = RbacDefinition.FromKubeFed(ManifestReader.ReadText(ClusterDocuments)).Single();
        // What an earlier version applied: the binding named after its role.
        var earlier = RbacDefinition.Create("developer", null,
            [new System.Collections.Hashtable { ["apiGroups"] = "apps", ["resources"] = "deployments", ["verbs"] = new[] { "get", "list", "watch" } }],
            [new RbacSubject("Group", "dev-team")]);
        await _service.ApplyAsync(_service.Plan(_connector.Clusters, [earlier]), new ApplyOptions()).ToListAsync();

        var applied = await _service.ApplyAsync(_service.Plan(_connector.Clusters, [definition]), new ApplyOptions()).ToListAsync();
        var misnamed = await _service.FindMisnamedBindingsAsync(_connector.Clusters, [definition], new DeleteOptions { WhatIf = true });

        applied.Should().HaveCount(4);
        applied.Where(r => r.Kind == "ClusterRoleBinding").Should().HaveCount(2).And.OnlyContain(r => r.Name == "developers" && r.Action == FleetResourceAction.Created);
        misnamed.Should().HaveCount(2);
        misnamed.Should().OnlyContain(t => t.Object.Kind == "ClusterRoleBinding" && t.Object.Name == "developer");
        misnamed.Select(t => t.Cluster.Name).Should().BeEquivalentTo(_connector.Clusters.Select(c => c.Name));
        foreach (var cluster in _fleet.Clusters)
        {
            var bindings = cluster.Registry.Find("rbac.authorization.k8s.io", "clusterrolebindings")!;
            cluster.Store.Get(bindings, null, "developer").Should().NotBeNull("finding it removes nothing");
        }
        var drift = await _service.TestAsync(_connector.Clusters, [definition], new FanOutOptions()).ToListAsync();
        drift.Should().BeEmpty();
    }
}
