using System.Collections;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.Errors;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Engine.Tests.Access;

/// <summary>Dex configuration, API server flags and AuthenticationConfiguration, and the input they refuse.</summary>
public sealed class OidcRenderingTests
{
    private const string Issuer = "https://dex.example.com";
    private const string BindPassword = "Hunter2-bind-Pa55";
    private const string UpstreamSecret = "upstream-Cl13nt-s3cret";

    private static readonly FleetCluster[] Clusters = [new() { Name = "prod-use1-01" }, new() { Name = "prod-euc1-01" }];

    private static OidcSettings Settings(string issuer = Issuer, string clientId = "kubernetes") => OidcSettings.Create(issuer, clientId);

    private static Hashtable Ldap() => new()
    {
        ["Type"] = "ldap",
        ["Host"] = "ldap.corp.example.com:636",
        ["BindDN"] = "cn=dex,ou=services,dc=corp,dc=example,dc=com",
        ["BindPasswordSecret"] = "dex-ldap/bindPassword",
        ["UserBaseDN"] = "ou=people,dc=corp,dc=example,dc=com",
        ["GroupBaseDN"] = "ou=groups,dc=corp,dc=example,dc=com",
    };

    private static Hashtable Upstream() => new()
    {
        ["Type"] = "oidc",
        ["Issuer"] = "https://login.example.com",
        ["ClientId"] = "dex",
        ["ClientSecretEnv"] = "UPSTREAM_CLIENT_SECRET",
    };

    private static JsonObject Parse(string yaml) => (JsonObject)YamlJson.ParseAll(yaml).Single();

    [Fact]
    public void The_dex_configuration_keeps_state_in_kubernetes_and_has_one_client_for_every_cluster()
    {
        var dex = DexConfigRenderer.Render(Settings(), DexConnector.Parse(Ldap(), Issuer), Clusters,
            ["https://dashboard.{cluster}.example.com/oauth2/callback"], "prod");
        var config = Parse(dex.Yaml);

        config["issuer"]!.GetValue<string>().Should().Be(Issuer);
        config["storage"]!["type"]!.GetValue<string>().Should().Be("kubernetes");
        config["storage"]!["config"]!["inCluster"]!.GetValue<bool>().Should().BeTrue();
        config["web"]!["http"]!.GetValue<string>().Should().Be("0.0.0.0:5556");
        var client = config["staticClients"]!.AsArray().Single()!;
        client["id"]!.GetValue<string>().Should().Be("kubernetes");
        client["public"]!.GetValue<bool>().Should().BeTrue();
        client["redirectURIs"]!.AsArray().Select(u => u!.GetValue<string>()).Should().Equal(
            "http://localhost:8000", "http://localhost:18000",
            "https://dashboard.prod-use1-01.example.com/oauth2/callback", "https://dashboard.prod-euc1-01.example.com/oauth2/callback");
        var connector = config["connectors"]!.AsArray().Single()!;
        connector["type"]!.GetValue<string>().Should().Be("ldap");
        connector["config"]!["bindPW"]!.GetValue<string>().Should().Be("$DEX_LDAP_BIND_PASSWORD");
        connector["config"]!["userSearch"]!["baseDN"]!.GetValue<string>().Should().Be("ou=people,dc=corp,dc=example,dc=com");
        connector["config"]!["groupSearch"]!["userMatchers"]![0]!["groupAttr"]!.GetValue<string>().Should().Be("member");

        var env = Parse(dex.EnvironmentYaml!)["env"]!.AsArray().Single()!;
        env["name"]!.GetValue<string>().Should().Be("DEX_LDAP_BIND_PASSWORD");
        env["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>().Should().Be("dex-ldap");
        env["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>().Should().Be("bindPassword");
    }

    [Fact]
    public void A_generic_oidc_upstream_reads_its_client_secret_from_the_environment_and_passes_groups_on()
    {
        var dex = DexConfigRenderer.Render(Settings(), DexConnector.Parse(Upstream(), Issuer), Clusters, [], null);
        var config = Parse(dex.Yaml)["connectors"]![0]!["config"]!;

        config["issuer"]!.GetValue<string>().Should().Be("https://login.example.com");
        config["clientSecret"]!.GetValue<string>().Should().Be("$UPSTREAM_CLIENT_SECRET");
        config["redirectURI"]!.GetValue<string>().Should().Be(Issuer + "/callback");
        config["insecureEnableGroups"]!.GetValue<bool>().Should().BeTrue();
        dex.EnvironmentYaml.Should().BeNull("the variable is set by whoever runs Dex, not from a Secret named here");
        dex.SecretReferences.Should().ContainSingle().Which.EnvironmentVariable.Should().Be("UPSTREAM_CLIENT_SECRET");
    }

    [Theory]
    [InlineData("ldap", "BindPassword", BindPassword)]
    [InlineData("ldap", "bindPW", BindPassword)]
    [InlineData("oidc", "ClientSecret", UpstreamSecret)]
    public void A_secret_value_is_refused_without_being_repeated(string type, string key, string secret)
    {
        var connector = type == "ldap" ? Ldap() : Upstream();
        connector[key] = secret;

        var act = () => DexConnector.Parse(connector, Issuer);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(OidcErrorIds.OidcInputInvalid);
        error.Message.Should().NotContain(secret).And.Contain(key);
        error.Target.Should().NotContain(secret);
    }

    [Theory]
    [InlineData("ldap", "BindPasswordSecret", BindPassword)]
    [InlineData("ldap", "BindPasswordEnv", BindPassword)]
    [InlineData("oidc", "ClientSecretSecret", UpstreamSecret)]
    [InlineData("oidc", "ClientSecretEnv", UpstreamSecret)]
    public void A_secret_value_given_where_its_reference_goes_is_refused_without_being_repeated(string type, string key, string secret)
    {
        var connector = type == "ldap" ? Ldap() : Upstream();
        connector.Remove(key.EndsWith("Env", StringComparison.Ordinal) ? key[..^3] + "Secret" : key[..^6] + "Env");
        connector[key] = secret;

        var act = () => DexConnector.Parse(connector, Issuer);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.Message.Should().NotContain(secret).And.Contain(key);
        error.Target.Should().NotContain(secret);
    }

    [Fact]
    public void The_rendered_configuration_holds_no_secret_value_only_references()
    {
        foreach (var connector in new[] { Ldap(), Upstream() })
        {
            // The values the test knows are offered inline first: refused, so they cannot reach any output.
            var inline = (Hashtable)connector.Clone();
            inline[connector["Type"] as string == "ldap" ? "BindPassword" : "ClientSecret"] = connector["Type"] as string == "ldap" ? BindPassword : UpstreamSecret;
            FluentActions.Invoking(() => DexConnector.Parse(inline, Issuer)).Should().Throw<FleetInputException>();

            var dex = DexConfigRenderer.Render(Settings(), DexConnector.Parse(connector, Issuer), Clusters, [], "prod");
            var text = dex.Yaml + dex.EnvironmentYaml + dex + string.Join(" ", dex.SecretReferences);
            text.Should().NotContain(BindPassword).And.NotContain(UpstreamSecret);
            var config = Parse(dex.Yaml)["connectors"]![0]!["config"]!.AsObject();
            var secretFields = new[] { "bindPW", "clientSecret" }.Where(config.ContainsKey).ToList();
            secretFields.Should().ContainSingle();
            foreach (var field in secretFields)
                config[field]!.GetValue<string>().Should().MatchRegex(@"^\$[A-Z_][A-Z0-9_]*$", $"{field} is a reference");
        }
    }

    [Theory]
    [InlineData("http://dex.example.com", "kubernetes", "-IssuerUrl")]
    [InlineData("dex.example.com", "kubernetes", "-IssuerUrl")]
    [InlineData("https://dex.example.com?x=1", "kubernetes", "-IssuerUrl")]
    [InlineData(Issuer, "", "-ClientId")]
    [InlineData(Issuer, "two words", "-ClientId")]
    public void Bad_issuer_or_client_id_is_refused(string issuer, string clientId, string named)
    {
        var act = () => OidcSettings.Create(issuer, clientId);

        act.Should().Throw<FleetInputException>().Which.Message.Should().StartWith(named);
    }

    [Theory]
    [InlineData("github", "is not a connector this module renders")]
    [InlineData(null, "is not a connector this module renders")]
    public void An_unknown_connector_is_refused(string? type, string message)
    {
        var connector = Ldap();
        connector["Type"] = type;

        var act = () => DexConnector.Parse(connector, Issuer);

        act.Should().Throw<FleetInputException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Connector_settings_are_checked_one_by_one()
    {
        var noReference = Ldap();
        noReference.Remove("BindPasswordSecret");
        var both = Ldap();
        both["BindPasswordEnv"] = "LDAP_PW";
        var badSecret = Ldap();
        badSecret["BindPasswordSecret"] = "just-a-name";
        var typo = Ldap();
        typo["UserBaseDn2"] = "x";
        var plainUpstream = Upstream();
        plainUpstream["Issuer"] = "http://login.example.com";

        foreach (var (connector, expected) in new[]
                 {
                     (noReference, "exactly one of BindPasswordSecret"), (both, "exactly one of BindPasswordSecret"),
                     (badSecret, "is not 'secret-name/key'"), (typo, "is not a setting of the ldap connector"), (plainUpstream, "-Connector.Issuer"),
                 })
        {
            var act = () => DexConnector.Parse(connector, Issuer);
            act.Should().Throw<FleetInputException>().Which.Message.Should().Contain(expected);
        }
    }

    [Fact]
    public void The_flags_carry_issuer_client_claims_and_prefixes()
    {
        var flags = OidcApiServerRenderer.Flags(OidcSettings.Create(Issuer, "kubernetes", "preferred_username", "sso:", "roles", "sso:"));

        flags.Select(f => $"{f.Key}={f.Value}").Should().Equal(
            "oidc-issuer-url=https://dex.example.com", "oidc-client-id=kubernetes", "oidc-username-claim=preferred_username",
            "oidc-username-prefix=sso:", "oidc-groups-claim=roles", "oidc-groups-prefix=sso:");
    }

    [Theory]
    [InlineData("v1.28.9", null, FleetOidcMethod.Flags)]
    [InlineData("v1.29.4", null, FleetOidcMethod.Flags)]
    [InlineData("v1.30.0", "apiserver.config.k8s.io/v1beta1", FleetOidcMethod.AuthenticationConfiguration)]
    [InlineData("v1.31.2", "apiserver.config.k8s.io/v1beta1", FleetOidcMethod.AuthenticationConfiguration)]
    [InlineData("v1.32.3", "apiserver.config.k8s.io/v1beta1", FleetOidcMethod.AuthenticationConfiguration)]
    [InlineData("1.33", "apiserver.config.k8s.io/v1beta1", FleetOidcMethod.AuthenticationConfiguration)]
    [InlineData("v1.34.1", "apiserver.config.k8s.io/v1", FleetOidcMethod.AuthenticationConfiguration)]
    [InlineData("v1.30.2-eks-1b3e656", "apiserver.config.k8s.io/v1beta1", FleetOidcMethod.AuthenticationConfiguration)]
    [InlineData(null, null, FleetOidcMethod.Flags)]
    public void The_structured_configuration_follows_the_kubernetes_version(string? version, string? apiVersion, FleetOidcMethod method)
    {
        var config = OidcApiServerRenderer.Describe("prod-use1-01", Settings(), version);

        config.Method.Should().Be(method);
        config.AuthenticationConfigurationApiVersion.Should().Be(apiVersion);
        config.Flags.Should().ContainKey("oidc-issuer-url").WhoseValue.Should().Be(Issuer);
        if (apiVersion is null)
        {
            config.AuthenticationConfiguration.Should().BeNull();
            return;
        }
        var document = Parse(config.AuthenticationConfiguration!);
        document["apiVersion"]!.GetValue<string>().Should().Be(apiVersion);
        document["kind"]!.GetValue<string>().Should().Be("AuthenticationConfiguration");
        var jwt = document["jwt"]!.AsArray().Single()!;
        jwt["issuer"]!["url"]!.GetValue<string>().Should().Be(Issuer);
        jwt["issuer"]!["audiences"]!.AsArray().Select(a => a!.GetValue<string>()).Should().Equal("kubernetes");
        jwt["claimMappings"]!["username"]!["claim"]!.GetValue<string>().Should().Be("email");
        jwt["claimMappings"]!["username"]!["prefix"]!.GetValue<string>().Should().Be("oidc:");
        jwt["claimMappings"]!["groups"]!["claim"]!.GetValue<string>().Should().Be("groups");
        jwt["claimMappings"]!["groups"]!["prefix"]!.GetValue<string>().Should().Be("oidc:");
    }

    [Fact]
    public void A_ca_file_goes_into_the_structured_configuration_and_to_a_file_for_the_flags()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nMIIBdemo\n-----END CERTIFICATE-----\n");
            var settings = OidcSettings.Create(Issuer, "kubernetes", caFile: path);
            var config = OidcApiServerRenderer.Describe("c", settings, "v1.32.3");

            config.Flags["oidc-ca-file"].Should().Be(OidcApiServerRenderer.CaFilePath);
            Parse(config.AuthenticationConfiguration!)["jwt"]![0]!["issuer"]!["certificateAuthority"]!.GetValue<string>()
                .Should().Contain("MIIBdemo");

            File.WriteAllText(path, "not a certificate");
            var act = () => OidcSettings.Create(Issuer, "kubernetes", caFile: path);
            act.Should().Throw<FleetInputException>().Which.Message.Should().Contain("holds no PEM certificate");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Group_bindings_become_roles_of_their_own_bound_to_the_group()
    {
        var definitions = OidcGroupBindings.Create(new Hashtable
        {
            ["oidc:platform-admins"] = "cluster-admin",
            ["oidc:viewers"] = new Hashtable { ["apiGroups"] = "", ["resources"] = "pods", ["verbs"] = new[] { "get", "list" } },
        });

        var admins = definitions.Single(d => d.Name == "oidc-platform-admins");
        admins.RoleKind.Should().Be("ClusterRole");
        admins.Subjects.Should().Equal(new RbacSubject("Group", "oidc:platform-admins"));
        admins.Rules.Select(r => r.Canonical).Should().Equal("[*] [*] [*] [] []", "[] [] [*] [] [*]");
        definitions.Single(d => d.Name == "oidc-viewers").Rules.Single().Verbs.Should().Equal("get", "list");

        var unknown = () => OidcGroupBindings.Create(new Hashtable { ["oidc:x"] = "edit" });
        unknown.Should().Throw<FleetInputException>().Which.Message.Should().Contain("give 'cluster-admin' or the role's rules");
        var clash = () => OidcGroupBindings.Create(new Hashtable { ["oidc:a b"] = "cluster-admin", ["oidc:a-b"] = "cluster-admin" });
        clash.Should().Throw<FleetInputException>().Which.Message.Should().Contain("share the role name 'oidc-a-b'");
    }
}
