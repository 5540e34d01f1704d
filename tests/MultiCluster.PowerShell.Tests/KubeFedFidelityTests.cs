using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// KubeFed material taken as it is, through the cmdlets: overrides on members the template lacks,
/// placements by the names KubeFed joined clusters under (fleet aliases), and RBAC bindings that
/// keep their own names.
/// </summary>
public sealed class KubeFedFidelityTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    // The fixture's clusters under the names a KubeFed control plane joined them as.
    private PowerShellSession AliasedSession()
    {
        var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", $"""
            name: aliased
            clusters:
              - name: prod-a
                context: {fixture.Contexts[0]}
                aliases: [kf-east]
                labels: {"{"} env: prod {"}"}
              - name: prod-b
                context: {fixture.Contexts[1]}
                aliases: [kf-west]
                labels: {"{"} env: prod {"}"}
              - name: dev-c
                context: {fixture.Contexts[2]}
                labels: {"{"} env: dev {"}"}
            """, fixture.Kubeconfig).ThrowIfFailed();
        return session;
    }

    private static string FederatedDeployment(string ns) => $"""
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedDeployment
        metadata:
          name: api
          namespace: {ns}
          labels: {"{"} team: payments {"}"}
        spec:
          template:
            metadata:
              labels: {"{"} app: api {"}"}
              annotations: {"{"} owner: payments {"}"}
            spec:
              replicas: 1
              selector: {"{"} matchLabels: {"{"} app: api {"}"} {"}"}
              template:
                metadata: {"{"} labels: {"{"} app: api {"}"} {"}"}
                spec:
                  containers:
                    - name: api
                      image: registry.local/api:3.1
          placement:
            clusters: [{"{"} name: kf-east {"}"}, {"{"} name: kf-west {"}"}]
          overrides:
            - clusterName: kf-west
              clusterOverrides:
                - path: /spec/template/spec/containers/0/env
                  value: [{"{"} name: REGION, value: west {"}"}]
        """;

    [Fact]
    public void A_KubeFed_document_placed_by_alias_publishes_its_absent_member_override_and_says_so_with_Verbose()
    {
        using var session = AliasedSession();
        var ns = Unique("kf");
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply", ns).ThrowIfFailed();

        var run = session.Run("$args[0] | Publish-FleetWorkload -Verbose", FederatedDeployment(ns)).ThrowIfFailed();
        var again = session.Run("$args[0] | Publish-FleetWorkload", FederatedDeployment(ns)).ThrowIfFailed();

        var results = run.Output.Cast<FleetResourceResult>().ToList();
        results.Should().HaveCount(2);
        results.Select(r => r.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
        results.Should().OnlyContain(r => r.Action == FleetResourceAction.Created && r.Kind == "Deployment" && r.Name == "api" && r.Namespace == ns);
        run.Verbose.Should().ContainSingle(v => v.Contains("added /spec/template/spec/containers/0/env")).Which.Should().Contain("'prod-b'");
        again.Output.Cast<FleetResourceResult>().Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var west = session.Run("(Get-FleetResource Deployment api -Namespace $args[0] -Cluster prod-b).Object | ConvertTo-Json -Depth 20 | ConvertFrom-Json", ns).ThrowIfFailed().RawOutput.Single();
        var env = ((dynamic)west).spec.template.spec.containers[0].env;
        ((string)env[0].value).Should().Be("west");
        ((string)((dynamic)west).metadata.annotations.owner).Should().Be("payments", "the template's annotations go with the object");
    }

    [Fact]
    public void Parameter_overrides_are_strict_unless_OverrideMode_KubeFed_and_nothing_is_sent_when_refused()
    {
        using var session = fixture.NewSession();
        var ns = Unique("om");
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply", ns).ThrowIfFailed();
        const string Publish = """
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'flags'; namespace = $args[0] }; data = @{ a = '1' } } |
              Publish-FleetWorkload -Cluster prod-a -Override @{ 'prod-a' = @{ '/metadata/annotations' = @{ tier = 'gold' } } }
            """;

        var strict = session.Run(Publish, ns);
        var nothing = session.Run("Get-FleetWorkload flags ConfigMap -Namespace $args[0]", ns).ThrowIfFailed();
        var kubeFed = session.Run(Publish + " -OverrideMode KubeFed", ns).ThrowIfFailed();

        strict.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("OverrideInvalid,");
        strict.TerminatingRecord.Exception.Message.Should().Contain("/metadata/annotations does not exist").And.Contain("{\"tier\":\"gold\"}");
        nothing.Output.Cast<FleetWorkloadStatus>().Should().HaveCount(3).And.OnlyContain(s => s.Present == false);
        kubeFed.Output.Cast<FleetResourceResult>().Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
    }

    [Fact]
    public void A_FederatedClusterRoleBinding_keeps_its_name_and_a_binding_under_the_role_name_is_reported_not_removed()
    {
        using var session = fixture.NewSession();
        var role = Unique("developer");
        var binding = role + "s";
        var documents = $"""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRole
            metadata: {"{"} name: {role} {"}"}
            spec:
              template:
                rules: [{"{"} apiGroups: [apps], resources: [deployments], verbs: [get, list] {"}"}]
              placement: {"{"} clusters: [{"{"} name: prod-a {"}"}, {"{"} name: prod-b {"}"}] {"}"}
            ---
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRoleBinding
            metadata: {"{"} name: {binding} {"}"}
            spec:
              template:
                roleRef: {"{"} apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role} {"}"}
                subjects: [{"{"} kind: Group, apiGroup: rbac.authorization.k8s.io, name: devs {"}"}]
              placement: {"{"} clusters: [{"{"} name: prod-a {"}"}, {"{"} name: prod-b {"}"}] {"}"}
            """;
        // What an earlier version left: the binding under the role's name.
        session.Run("Set-FleetRbac -Name $args[0] -Rule @{ apiGroups = 'apps'; resources = 'deployments'; verbs = 'get', 'list' } -Group devs -Cluster prod-a, prod-b", role)
            .ThrowIfFailed();

        var run = session.Run("$args[0] | Set-FleetRbac", documents).ThrowIfFailed();

        var results = run.Output.Cast<FleetResourceResult>().ToList();
        results.Should().HaveCount(4);
        results.Where(r => r.Kind == "ClusterRoleBinding").Should().HaveCount(2).And.OnlyContain(r => r.Name == binding && r.Action == FleetResourceAction.Created);
        results.Where(r => r.Kind == "ClusterRole").Should().HaveCount(2).And.OnlyContain(r => r.Name == role && r.Action == FleetResourceAction.Unchanged);
        run.Warnings.Should().HaveCount(2);
        run.Warnings.Should().OnlyContain(w => w.Contains($"ClusterRoleBinding {role} ") && w.Contains($"now named '{binding}'"));
        var old = session.Run("Get-FleetResource ClusterRoleBinding $args[0] -Cluster prod-a, prod-b", role).ThrowIfFailed();
        old.Output.Cast<FleetResource>().Select(r => r.Cluster).Should().BeEquivalentTo(["prod-a", "prod-b"], "the binding under the role's name is left in place");
        var drift = session.Run("$args[0] | Test-FleetRbac", documents).ThrowIfFailed();
        drift.Output.Should().BeEmpty();
    }
}
