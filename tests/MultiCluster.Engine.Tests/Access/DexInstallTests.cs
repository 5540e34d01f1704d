using k8s;
using System.Collections;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.Access;

/// <summary>Dex's install beside its configuration, an existing configuration's inline secrets moved out, and the identity provider choice.</summary>
public sealed class DexInstallTests
{
    private const string Issuer = "https://dex.example.com";
    private static readonly FleetCluster[] Clusters = [new() { Name = "prod-use1-01" }];

    // Written as an administrator keeps it, with every kind of inline secret Dex's configuration can hold.
    private static readonly string ExistingConfig = $$"""
        issuer: {{Issuer}}
        storage:
          type: postgres
          config:
            host: db.internal
            user: dex
            password: {{SecretCanary.Marker}}-db
        web:
          http: 0.0.0.0:5556
        connectors:
          - type: ldap
            id: corp-ldap
            name: Corporate LDAP
            config:
              host: ldap.corp.example.com:636
              bindDN: cn=dex,dc=corp
              bindPW: {{SecretCanary.Marker}}-bind
          - type: github
            id: github
            name: GitHub
            config:
              clientID: $GITHUB_CLIENT_ID
              clientSecret: $GITHUB_CLIENT_SECRET
        staticClients:
          - id: kubernetes
            name: Kubernetes
            secret: {{SecretCanary.Marker}}-client
            redirectURIs: [http://localhost:8000]
        enablePasswordDB: true
        staticPasswords:
          - email: admin@example.com
            username: admin
            hash: "{{SecretCanary.Marker}}-hash"
            userID: 08a8684b-db88-4b73-90a9-3cd1661f5466
        """;

    private static OidcSettings Settings() => OidcSettings.Create(Issuer, "kubernetes");

    private static Hashtable Ldap() => new()
    {
        ["Type"] = "ldap", ["Host"] = "ldap.corp.example.com:636", ["BindDN"] = "cn=dex,dc=corp",
        ["BindPasswordSecret"] = "dex-ldap/bindPassword", ["UserBaseDN"] = "ou=people,dc=corp",
    };

    private static string Decode(JsonNode? base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64!.GetValue<string>()));

    [Fact]
    public void The_install_runs_dex_from_a_secret_with_the_rbac_its_kubernetes_storage_needs()
    {
        var rendering = OidcConfigService.RenderDex(Settings(), DexConnector.Parse(Ldap(), Issuer), Clusters, [], "prod",
            new DexInstallOptions { Namespace = "identity", Replicas = 3, Image = "ghcr.io/dexidp/dex:v2.41.1" }, null);
        var objects = rendering.Install.Objects;

        objects.Should().HaveCount(7);
        objects.Select(o => $"{o.Kind} {o.Namespace}/{o.Name}").Should().Equal(
            "Namespace /identity", "ServiceAccount identity/dex", "ClusterRole /dex-identity", "ClusterRoleBinding /dex-identity",
            "Secret identity/dex-config", "Service identity/dex", "Deployment identity/dex");
        rendering.Install.MovedSecret.Should().BeNull();
        objects.Should().OnlyContain(o => o.Labels[KubeObject.ManagedByLabel] == KubeObject.ManagedByValue);

        var rules = objects[2].Json["rules"]!.AsArray();
        rules.Should().HaveCount(2);
        rules[0]!["apiGroups"]![0]!.GetValue<string>().Should().Be("dex.coreos.com");
        rules[0]!["verbs"]![0]!.GetValue<string>().Should().Be("*");
        rules[1]!["resources"]![0]!.GetValue<string>().Should().Be("customresourcedefinitions");
        rules[1]!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("create");
        objects[3].Json["subjects"]![0]!["namespace"]!.GetValue<string>().Should().Be("identity");
        objects[3].Json["roleRef"]!["name"]!.GetValue<string>().Should().Be("dex-identity", "an install in another namespace has a role of its own");

        Decode(objects[4].Json["data"]!["config.yaml"]).Should().Be(rendering.Config.Yaml);

        var spec = objects[6].Json["spec"]!;
        spec["replicas"]!.GetValue<int>().Should().Be(3);
        var pod = spec["template"]!["spec"]!;
        pod["serviceAccountName"]!.GetValue<string>().Should().Be("dex");
        pod["volumes"]![0]!["secret"]!["secretName"]!.GetValue<string>().Should().Be("dex-config");
        pod["volumes"]![0]!["configMap"].Should().BeNull();
        var container = pod["containers"]![0]!;
        container["image"]!.GetValue<string>().Should().Be("ghcr.io/dexidp/dex:v2.41.1");
        container["command"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("/usr/local/bin/dex", "serve", "/etc/dex/cfg/config.yaml");
        container["volumeMounts"]![0]!["mountPath"]!.GetValue<string>().Should().Be("/etc/dex/cfg");
        var env = container["env"]!.AsArray().Single()!;
        env["name"]!.GetValue<string>().Should().Be("DEX_LDAP_BIND_PASSWORD");
        env["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>().Should().Be("dex-ldap");
        objects[5].Json["spec"]!["ports"]![0]!["port"]!.GetValue<int>().Should().Be(5556);

        rendering.Config.Namespace.Should().Be("identity");
        YamlJson.ParseAll(rendering.Config.InstallYaml!).Should().HaveCount(7);
    }

    [Fact]
    public void An_existing_configuration_has_each_inline_secret_moved_into_a_secret_and_a_reference_dex_reads()
    {
        var existing = DexExistingConfig.Parse(ExistingConfig, "dex.yaml", Issuer);
        var rendering = OidcConfigService.RenderExistingDex(Settings(), existing, new DexInstallOptions(), null);

        var moved = rendering.Config.MovedSecrets;
        moved.Should().HaveCount(4);
        moved.Select(m => $"{m.Field} -> {m.EnvironmentVariable}").Should().Equal(
            "connectors[corp-ldap].config.bindPW -> DEX_CORP_LDAP_BINDPW",
            "storage.config.password -> DEX_STORAGE_PASSWORD",
            "staticClients[kubernetes].secret -> DEX_CLIENT_KUBERNETES_SECRET",
            "staticPasswords[admin].hash -> DEX_PASSWORD_ADMIN_HASH");
        moved.Should().OnlyContain(m => m.SecretName == "dex-moved-secrets" && m.SecretKey == m.EnvironmentVariable);

        var config = (JsonObject)YamlJson.ParseAll(rendering.Config.Yaml).Single()!;
        config["connectors"]![0]!["config"]!["bindPW"]!.GetValue<string>().Should().Be("$DEX_CORP_LDAP_BINDPW");
        config["connectors"]![1]!["config"]!["clientSecret"]!.GetValue<string>().Should().Be("$GITHUB_CLIENT_SECRET", "a reference already is one");
        config["storage"]!["config"]!["password"]!.GetValue<string>().Should().Be("$DEX_STORAGE_PASSWORD");
        config["staticClients"]![0]!["secret"].Should().BeNull();
        config["staticClients"]![0]!["secretEnv"]!.GetValue<string>().Should().Be("DEX_CLIENT_KUBERNETES_SECRET");
        config["staticPasswords"]![0]!["hash"].Should().BeNull();
        config["staticPasswords"]![0]!["hashFromEnv"]!.GetValue<string>().Should().Be("DEX_PASSWORD_ADMIN_HASH");
        rendering.Config.Connector.Should().Be("ldap, github");
        rendering.Config.RedirectUris.Should().Equal("http://localhost:8000");

        // The values are in the Secret -Apply sends, and nowhere the cmdlet shows or writes.
        rendering.Config.Yaml.Should().NotContain(SecretCanary.Marker);
        rendering.Config.InstallYaml.Should().NotContain(SecretCanary.Marker);
        string.Join("\n", moved.Select(m => m.ToString())).Should().NotContain(SecretCanary.Marker);
        var secret = rendering.Install.MovedSecret!;
        secret.Name.Should().Be("dex-moved-secrets");
        var data = secret.Json["data"]!.AsObject();
        data.Should().HaveCount(4);
        Decode(data["DEX_CORP_LDAP_BINDPW"]).Should().Be(SecretCanary.Marker + "-bind");
        Decode(data["DEX_PASSWORD_ADMIN_HASH"]).Should().Be(SecretCanary.Marker + "-hash");
        var env = rendering.Install.Objects.Single(o => o.Kind == "Deployment").Json["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        env.Should().HaveCount(4);
        env.Select(e => e!["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>()).Should().OnlyContain(n => n == "dex-moved-secrets");
        rendering.Install.ToApply.Should().HaveCount(8);
    }

    [Fact]
    public void An_existing_configuration_for_another_issuer_is_refused_without_its_secrets_in_the_message()
    {
        var act = () => DexExistingConfig.Parse(ExistingConfig.Replace(Issuer, "https://old-dex.example.com"), "dex.yaml", Issuer);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(OidcErrorIds.OidcInputInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("dex.yaml");
        error.Message.Should().Contain("https://old-dex.example.com").And.Contain("-IssuerUrl").And.NotContain(SecretCanary.Marker);
    }

    [Theory]
    [InlineData("Bad_Namespace", 2, "ghcr.io/dexidp/dex:v2.41.1", "-Namespace")]
    [InlineData("dex", 0, "ghcr.io/dexidp/dex:v2.41.1", "-Replicas")]
    [InlineData("dex", 2, "ghcr.io/dexidp/dex v2", "-Image")]
    public void Install_options_are_checked_before_anything_is_rendered(string ns, int replicas, string image, string target)
    {
        var act = () => new DexInstallOptions { Namespace = ns, Replicas = replicas, Image = image }.Validate();

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(OidcErrorIds.OidcInputInvalid);
        error.Target.Should().Be(target);
    }

    [Fact]
    public void The_identity_provider_comes_from_the_parameter_then_the_architecture_then_the_default()
    {
        FleetArchitecture Federation(string text) => new()
        {
            Identity = new FleetIdentityArchitecture { Federation = MultiCluster.Engine.Inventory.ArchitectureProviders.Recognise(text) },
        };

        IdentityProviderChoice.Resolve(FleetIdentityProvider.Okta, Federation("Dex with OIDC"), FleetIdentityProvider.Dex).Should()
            .Be(new IdentityProviderChoice(FleetIdentityProvider.Okta, "-Provider"));
        IdentityProviderChoice.Resolve(null, Federation("Dex with OIDC"), FleetIdentityProvider.Generic).Should()
            .Be(new IdentityProviderChoice(FleetIdentityProvider.Dex, "identity.federation 'Dex with OIDC'"));
        IdentityProviderChoice.Resolve(null, Federation("Keycloak realms"), FleetIdentityProvider.Dex).Provider.Should().Be(FleetIdentityProvider.Keycloak);
        IdentityProviderChoice.Resolve(null, null, FleetIdentityProvider.Generic).Provider.Should().Be(FleetIdentityProvider.Generic);

        var unknown = () => IdentityProviderChoice.Resolve(null, Federation("home-grown SSO"), FleetIdentityProvider.Dex);
        var error = unknown.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(OidcErrorIds.OidcProviderUnknown);
        error.Target.Should().Be("identity.federation");
        error.Message.Should().Contain("'home-grown SSO'");

        var notDex = () => IdentityProviderChoice.Resolve(null, Federation("Keycloak realms"), FleetIdentityProvider.Dex).RequireDex();
        var refused = notDex.Should().Throw<FleetInputException>().Which;
        refused.ErrorId.Should().Be(OidcErrorIds.OidcProviderNotRendered);
        refused.Category.Should().Be(FleetErrorCategory.InvalidOperation);
        refused.Message.Should().Contain("Keycloak").And.Contain("identity.federation 'Keycloak realms'");
    }
}

/// <summary>The install applied to an emulated identity cluster, which validates every object against Kubernetes' OpenAPI strictly.</summary>
public sealed class DexInstallLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(1, "dex-identity");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task The_install_with_moved_secrets_is_accepted_by_the_api_server_and_a_second_run_is_unchanged()
    {
        var settings = OidcSettings.Create("https://dex.example.com", "kubernetes");
        var existing = DexExistingConfig.Parse($$"""
            issuer: https://dex.example.com
            storage: { type: kubernetes, config: { inCluster: true } }
            connectors:
              - type: ldap
                id: ldap
                name: LDAP
                config: { host: "ldap:636", bindDN: "cn=dex", bindPW: "{{SecretCanary.Marker}}-pw" }
            staticClients:
              - id: kubernetes
                name: Kubernetes
                public: true
                redirectURIs: ["http://localhost:8000"]
            """, "dex.yaml", settings.IssuerUrl);
        var install = OidcConfigService.RenderExistingDex(settings, existing, new DexInstallOptions(), null).Install;
        var apply = new ApplyService(_connector);

        var first = await apply.ApplyAsync(apply.Plan(_connector.Clusters, install.ToApply), new ApplyOptions()).ToListAsync();
        var second = await apply.ApplyAsync(apply.Plan(_connector.Clusters, install.ToApply), new ApplyOptions()).ToListAsync();

        first.Should().HaveCount(8);
        first.Should().OnlyContain(r => r.Action == FleetResourceAction.Created, string.Join("; ", first.Select(r => $"{r.Kind} {r.Name}: {r.Action} {r.Message}")));
        second.Should().HaveCount(8).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(_fleet.KubeconfigPath, currentContext: _fleet.Clusters[0].Name));
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("dex", "dex");
        deployment.Spec.Replicas.Should().Be(2);
        deployment.Spec.Template.Spec.Containers[0].Env.Should().ContainSingle()
            .Which.ValueFrom.SecretKeyRef.Name.Should().Be("dex-moved-secrets");
        var moved = await client.CoreV1.ReadNamespacedSecretAsync("dex-moved-secrets", "dex");
        Encoding.UTF8.GetString(moved.Data["DEX_LDAP_BINDPW"]).Should().Be(SecretCanary.Marker + "-pw");
        first.Concat(second).Select(r => r.Message ?? "").Should().NotContain(m => m.Contains(SecretCanary.Marker));
    }
}
