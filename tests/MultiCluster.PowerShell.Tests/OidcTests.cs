using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests;

/// <summary>New-FleetOidcConfig against emulated clusters (Kubernetes v1.32.3, as their /version says), and its refusals.</summary>
public sealed class OidcConfigTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string Ldap = "@{ Type = 'ldap'; Host = 'ldap.corp.example.com:636'; BindDN = 'cn=dex,dc=corp'; BindPasswordSecret = 'dex-ldap/bindPassword'; UserBaseDN = 'ou=people,dc=corp' }";

    [Fact]
    public void Renders_dex_once_and_each_cluster_for_its_version_and_writes_the_files()
    {
        using var session = fixture.NewSession();
        var folder = Path.Combine(fixture.Emulator.Directory, "oidc-" + Guid.NewGuid().ToString("N")[..6]);

        var output = session.Run($"New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector {Ldap} -OutputPath $args[0]", folder)
            .ThrowIfFailed().Output;

        var dex = output.OfType<FleetDexConfig>().Should().ContainSingle().Which;
        dex.Connector.Should().Be("ldap");
        dex.Yaml.Should().Contain("bindPW: $DEX_LDAP_BIND_PASSWORD").And.Contain("inCluster: true");
        dex.Yaml.Should().Contain("Kubernetes fleet test-fleet", "the session's fleet is read on the pipeline thread, not a worker's empty one");
        File.ReadAllText(dex.Path!).Should().Be(dex.Yaml);
        var clusters = output.OfType<FleetOidcApiServerConfig>().ToList();
        clusters.Select(c => c.Cluster).Should().BeEquivalentTo("prod-a", "prod-b", "dev-c");
        clusters.Should().OnlyContain(c => c.KubernetesVersion == "v1.32.3" && c.Method == FleetOidcMethod.AuthenticationConfiguration
                                          && c.AuthenticationConfigurationApiVersion == "apiserver.config.k8s.io/v1beta1");
        File.ReadAllText(clusters[0].AuthenticationConfigurationPath!).Should().Contain("kind: AuthenticationConfiguration");
        File.ReadAllText(clusters[0].FlagsPath!).Should().Contain("oidc-issuer-url: https://dex.example.com");
    }

    [Fact]
    public void An_older_version_given_gets_the_flags_only()
    {
        using var session = fixture.NewSession();

        var configs = session.Run($"New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector {Ldap} -Cluster prod-b -KubernetesVersion v1.29.4")
            .ThrowIfFailed().Output.OfType<FleetOidcApiServerConfig>().ToList();

        var config = configs.Should().ContainSingle().Which;
        config.Method.Should().Be(FleetOidcMethod.Flags);
        config.AuthenticationConfiguration.Should().BeNull();
        config.Flags["oidc-client-id"].Should().Be("kubernetes");
    }

    [Theory]
    [InlineData("-IssuerUrl http://dex.example.com -ClientId kubernetes -Connector $c", "OidcInputInvalid")]
    [InlineData("-IssuerUrl https://dex.example.com -ClientId '' -Connector $c", "OidcInputInvalid")]
    [InlineData("-IssuerUrl https://dex.example.com -ClientId kubernetes -Connector @{ Type = 'github' }", "OidcInputInvalid")]
    [InlineData("-IssuerUrl https://dex.example.com -ClientId kubernetes -Connector $c -KubernetesVersion latest -OutputPath ./never", "OidcInputInvalid")]
    public void Bad_input_stops_before_anything_is_rendered(string arguments, string errorId)
    {
        using var session = fixture.NewSession();

        var result = session.Run($"$c = {Ldap}; New-FleetOidcConfig {arguments}");

        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith(errorId + ",");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public void Set_FleetOidc_says_so_when_the_management_cluster_does_not_run_Cluster_API()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -GroupBinding @{ 'oidc:ops' = 'cluster-admin' } -WhatIf");

        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterApiNotInstalled,");
        result.TerminatingRecord.Exception.Message.Should().Contain("prod-a");
        result.Output.Should().BeEmpty("no binding is previewed when the control planes cannot be read");
    }

    [Fact]
    public void A_secret_value_given_inline_is_refused_and_never_shown()
    {
        using var session = fixture.NewSession();
        var secret = SecretCanary.NewToken();

        var result = session.Run("New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector @{ Type = 'ldap'; BindPassword = $args[0] }", secret);

        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("OidcInputInvalid,");
        result.AllText().Should().NotContain(secret).And.Contain("BindPassword");
    }
}

/// <summary>
/// Set-FleetOidc on a management cluster (mgmt) holding the real Cluster API CRDs and the
/// KubeadmControlPlane of workload cluster wl-a, which also gets the OIDC group's binding.
/// </summary>
public sealed class SetOidcTests : IAsyncLifetime
{
    private EmulatorProcess _emulator = null!;
    private string _fleetYaml = "";
    private string _seed = "";

    public async Task InitializeAsync()
    {
        if (SharedCrdsFactAttribute.Missing) return;
        _emulator = await EmulatorProcess.StartAsync(2, "oidc" + Guid.NewGuid().ToString("N")[..4], crds: "cluster-api");
        _fleetYaml = $"""
            name: oidc
            clusters:
              - name: mgmt
                context: {_emulator.Contexts[0]}
                role: management
              - name: wl-a
                context: {_emulator.Contexts[1]}
            """;
        _seed = Path.Combine(_emulator.Directory, "wl-a.yaml");
        File.WriteAllText(_seed, """
            apiVersion: cluster.x-k8s.io/v1beta2
            kind: Cluster
            metadata: { name: wl-a, namespace: default }
            spec:
              controlPlaneRef: { apiGroup: controlplane.cluster.x-k8s.io, kind: KubeadmControlPlane, name: wl-a-control-plane }
            ---
            apiVersion: controlplane.cluster.x-k8s.io/v1beta2
            kind: KubeadmControlPlane
            metadata: { name: wl-a-control-plane, namespace: default }
            spec:
              replicas: 1
              version: v1.31.4
              machineTemplate:
                spec:
                  infrastructureRef: { apiGroup: infrastructure.cluster.x-k8s.io, kind: DockerMachineTemplate, name: wl-a-control-plane }
              kubeadmConfigSpec:
                clusterConfiguration:
                  apiServer:
                    extraArgs:
                      - { name: audit-log-maxage, value: "30" }
            """);
        using var session = NewSession();
        session.Run("Invoke-FleetApply -Path $args[0] -Cluster mgmt", _seed).ThrowIfFailed();
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    private PowerShellSession NewSession()
    {
        var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", _fleetYaml, _emulator.Kubeconfig).ThrowIfFailed();
        return session;
    }

    private const string Set = "Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -GroupBinding @{ 'oidc:platform-admins' = 'cluster-admin' }";

    private static string Rows(IEnumerable<FleetResourceResult> results) =>
        string.Join(", ", results.Select(r => $"{r.Cluster} {r.Kind} {r.Action}").Order(StringComparer.Ordinal));

    [SharedCrdsFact]
    public void WhatIf_previews_then_the_settings_and_binding_are_set_once()
    {
        using var session = NewSession();
        const string read = "(Get-FleetResource KubeadmControlPlane wl-a-control-plane -ApiVersion controlplane.cluster.x-k8s.io/v1beta2 -Namespace default -Cluster mgmt).ToYaml()";
        var before = session.Run(read).ThrowIfFailed().Output.Single()!.ToString();

        var preview = session.Run(Set + " -WhatIf").ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
        var flagsOnly = session.Run("Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -Method Flags -WhatIf")
            .ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
        var applied = session.Run(Set + " -Confirm:$false").ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();
        var again = session.Run(Set + " -Confirm:$false").ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();

        Rows(preview).Should().Be("mgmt KubeadmControlPlane WouldChange, wl-a ClusterRole WouldCreate, wl-a ClusterRoleBinding WouldCreate");
        preview.Single(r => r.Kind == "KubeadmControlPlane").Changes.Should().NotBeEmpty();
        Rows(flagsOnly).Should().Be("mgmt KubeadmControlPlane WouldChange", "without -GroupBinding nothing is bound");
        flagsOnly.Single().Message.Should().Contain("--oidc-* flags");
        Rows(applied).Should().Be("mgmt KubeadmControlPlane Configured, wl-a ClusterRole Created, wl-a ClusterRoleBinding Created");
        Rows(again).Should().Be("mgmt KubeadmControlPlane Unchanged, wl-a ClusterRole Unchanged, wl-a ClusterRoleBinding Unchanged");
        before.Should().NotContain("authentication-config");
        var after = session.Run(read).ThrowIfFailed().Output.Single()!.ToString();
        after.Should().Contain("authentication-config").And.Contain("audit-log-maxage").And.Contain("apiserver.config.k8s.io/v1beta1");
    }

    [SharedCrdsFact]
    public void Bad_input_and_an_unknown_management_cluster_stop_before_anything_changes()
    {
        using var session = NewSession();

        var insecure = session.Run("Set-FleetOidc -IssuerUrl http://dex.example.com -ClientId kubernetes -Confirm:$false");
        var badBinding = session.Run("Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -GroupBinding @{ 'oidc:x' = 'edit' } -Confirm:$false");
        var noManagement = session.Run("Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -ManagementCluster nope -Confirm:$false");

        insecure.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("OidcInputInvalid,");
        badBinding.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("OidcInputInvalid,");
        noManagement.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterNotFound,");
        new[] { insecure, badBinding, noManagement }.Should().OnlyContain(r => r.Output.Count == 0);
    }
}

/// <summary>Skips, with the reason, when ../shared/crds (which the emulator loads) is absent.</summary>
public sealed class SharedCrdsFactAttribute : FactAttribute
{
    public static bool Missing { get; } = FindCrds() is null;

    public SharedCrdsFactAttribute()
    {
        if (Missing) Skip = "../shared/crds is absent on this machine (set MULTICLUSTER_SHARED to the shared folder to run this test)";
    }

    private static string? FindCrds()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MULTICLUSTER_SHARED");
        if (!string.IsNullOrEmpty(fromEnv)) return Directory.Exists(Path.Combine(fromEnv, "crds")) ? fromEnv : null;
        for (var dir = new DirectoryInfo(Repository.Root); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "shared", "crds", "README.md"))) return dir.FullName;
        return null;
    }
}
