using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>New-FleetOidcConfig installing Dex on the management cluster, moving an existing configuration's secrets, and the provider from the architecture.</summary>
public sealed class DexInstallTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string Ldap = "@{ Type = 'ldap'; Host = 'ldap.corp.example.com:636'; BindDN = 'cn=dex,dc=corp'; BindPasswordSecret = 'dex-ldap/bindPassword'; UserBaseDN = 'ou=people,dc=corp' }";
    private static readonly string[] InstallKinds = ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Secret", "Service", "Deployment"];

    private static string Namespace() => "dex-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public void Apply_installs_dex_on_the_management_cluster_what_if_first_and_a_second_run_is_unchanged()
    {
        using var session = fixture.NewSession();
        var ns = Namespace();
        var command = $"New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector {Ldap} -Cluster dev-c -Namespace $args[0] -Replicas 3 -Apply";

        var preview = session.Run(command + " -WhatIf", ns).ThrowIfFailed().Output.OfType<FleetResourceResult>().ToList();
        var first = session.Run(command + " -Confirm:$false", ns).ThrowIfFailed().Output.OfType<FleetResourceResult>().ToList();
        var second = session.Run(command + " -Confirm:$false", ns).ThrowIfFailed().Output.OfType<FleetResourceResult>().ToList();

        preview.Should().HaveCount(7);
        preview.Should().OnlyContain(r => r.Cluster == "prod-a" && r.Action == FleetResourceAction.WouldCreate);
        first.Should().HaveCount(7);
        first.Select(r => r.Kind).Should().BeEquivalentTo(InstallKinds);
        first.Should().OnlyContain(r => r.Cluster == "prod-a" && r.Action == FleetResourceAction.Created, "the management cluster is the identity cluster");
        second.Should().HaveCount(7).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        var replicas = session.Run("Get-FleetResource -Kind Deployment -Namespace $args[0] -Cluster prod-a | ForEach-Object { [int]$_.Object.spec.replicas }", ns)
            .ThrowIfFailed().Output;
        replicas.Should().ContainSingle().Which.Should().Be(3);
    }

    [Fact]
    public void An_existing_configuration_s_inline_secrets_go_only_to_the_cluster_and_their_fields_are_named()
    {
        using var session = fixture.NewSession();
        var ns = Namespace();
        var folder = Path.Combine(fixture.Emulator.Directory, "dex-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "dex.yaml");
        OwnerOnlyFile.Write(path, $$"""
            issuer: https://dex.example.com
            storage: { type: kubernetes, config: { inCluster: true } }
            connectors:
              - { type: ldap, id: corp, name: LDAP, config: { host: "ldap:636", bindDN: "cn=dex", bindPW: "{{SecretCanary.Marker}}-bind" } }
            staticClients:
              - { id: kubernetes, name: Kubernetes, secret: "{{SecretCanary.Marker}}-client", redirectURIs: [http://localhost:8000] }
            """);
        var output = Path.Combine(folder, "out");

        var result = session.Run("New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -DexConfigPath $args[0] -Cluster dev-c -Namespace $args[1] -OutputPath $args[2] -Apply -Confirm:$false",
            path, ns, output).ThrowIfFailed();

        var dex = result.Output.OfType<FleetDexConfig>().Should().ContainSingle().Which;
        dex.MovedSecrets.Select(m => $"{m.Field}={m.EnvironmentVariable}").Should().Equal(
            "connectors[corp].config.bindPW=DEX_CORP_BINDPW", "staticClients[kubernetes].secret=DEX_CLIENT_KUBERNETES_SECRET");
        result.Warnings.Should().ContainSingle().Which.Should().Be(
            $"Moved 2 inline secrets out of the configuration into Secret {ns}/dex-moved-secrets: connectors[corp].config.bindPW, staticClients[kubernetes].secret.");
        var applied = result.Output.OfType<FleetResourceResult>().ToList();
        applied.Should().HaveCount(8);
        applied.Should().OnlyContain(r => r.Action == FleetResourceAction.Created);
        applied.Where(r => r.Kind == "Secret").Select(r => r.Name).Should().BeEquivalentTo("dex-config", "dex-moved-secrets");
        Directory.GetFiles(output).Select(Path.GetFileName).Should().BeEquivalentTo(
            "dex-config.yaml", "dex-install.yaml", "dev-c.oidc-flags.yaml", "dev-c.authentication-config.yaml");
        File.ReadAllText(Path.Combine(output, "dex-install.yaml")).Should().NotContain("dex-moved-secrets\n  namespace").And.Contain("secretKeyRef");
        // The session's streams, errors and written files were scanned for the canary by Run: the values reached only the cluster.
        var moved = session.Run("Get-FleetResource -Kind Secret -Namespace $args[0] -Name dex-moved-secrets -Cluster prod-a | ForEach-Object { $_.Object.data.Keys }", ns)
            .ThrowIfFailed().Output.Select(o => o?.ToString()).ToList();
        moved.Should().BeEquivalentTo("DEX_CORP_BINDPW", "DEX_CLIENT_KUBERNETES_SECRET");
    }

    [Theory]
    [InlineData("New-FleetOidcConfig", "-Connector $c", "Keycloak realms", "OidcProviderNotRendered", "Keycloak")]
    [InlineData("Set-FleetOidc", "-WhatIf", "home-grown SSO", "OidcProviderUnknown", "identity.federation")]
    public void The_provider_comes_from_the_architecture_and_is_refused_before_anything_is_sent(string cmdlet, string arguments, string federation, string errorId, string target)
    {
        using var session = fixture.NewSession();
        var fleet = $"""
            architecture:
              regions:
                - name: us-east-1
                  clusters:
                    - {"{"} name: prod-a, context: {fixture.Contexts[0]}, purpose: management {"}"}
              identity: {"{"} federation: {federation} {"}"}
            """;
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fleet, fixture.Kubeconfig).ThrowIfFailed();

        var result = session.Run($"$c = {Ldap}; {cmdlet} -IssuerUrl https://dex.example.com -ClientId kubernetes {arguments}");
        var withProvider = session.Run($"$c = {Ldap}; New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector $c -Provider Dex -Verbose");

        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith(errorId + ",");
        result.TerminatingRecord.TargetObject.Should().Be(target);
        result.Output.Should().BeEmpty();
        withProvider.ThrowIfFailed().Verbose.Should().Contain("Identity provider: Dex (from -Provider).");
    }
}

/// <summary>Get-FleetUpgradePlan choosing versions by the policy's track from the emulated management cluster's ClusterClasses.</summary>
public sealed class UpgradeTrackTests(ClusterApiFixture fixture) : IClassFixture<ClusterApiFixture>
{
    [RequiresSharedCrdsFact]
    public void Latest_takes_the_newest_offered_version_and_says_why_and_a_wave_without_a_track_needs_a_version()
    {
        using var session = fixture.NewSession();
        var folder = Directory.CreateTempSubdirectory("track-").FullName;
        File.WriteAllText(Path.Combine(folder, "class.yaml"), """
            apiVersion: cluster.x-k8s.io/v1beta2
            kind: ClusterClass
            metadata: { name: track-class, namespace: default }
            spec:
              kubernetesVersions: [v1.33.1, v1.34.2]
              infrastructure: { templateRef: { apiVersion: infrastructure.cluster.x-k8s.io/v1beta2, kind: DockerClusterTemplate, name: t } }
              controlPlane: { templateRef: { apiVersion: controlplane.cluster.x-k8s.io/v1beta2, kind: KubeadmControlPlaneTemplate, name: t } }
            """);
        File.WriteAllText(Path.Combine(folder, "latest.yaml"), "clusters:\n  - name: \"bare\"\n    upgrade: { auto: true, track: latest }\n");
        File.WriteAllText(Path.Combine(folder, "untracked.yaml"), "waves:\n  - name: all\n    clusters: [bare]\n");
        session.Run("Invoke-FleetApply -Path $args[0] -Cluster mgmt", Path.Combine(folder, "class.yaml")).ThrowIfFailed();

        var plan = session.Run("Get-FleetUpgradePlan -Policy $args[0] -Verbose", Path.Combine(folder, "latest.yaml")).ThrowIfFailed();
        var untracked = session.Run("Get-FleetUpgradePlan -Policy $args[0]", Path.Combine(folder, "untracked.yaml"));

        var wave = plan.Output.OfType<FleetUpgradeWave>().Should().ContainSingle().Which;
        wave.KubernetesVersion.Should().Be("v1.34.2");
        wave.Track.Should().Be("latest");
        wave.VersionReason.Should().Contain("the newest version Cluster API on 'mgmt'").And.Contain("track-class");
        plan.Verbose.Should().Contain($"Wave 'bare' upgrades to v1.34.2: {wave.VersionReason}.");
        untracked.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("UpgradeVersionUnresolved,");
        untracked.TerminatingRecord.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidOperation);
        untracked.TerminatingRecord.TargetObject.Should().Be("all");
        Directory.Delete(folder, recursive: true);
    }
}
