using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Tests.Connections;

public class KubeconfigTests
{
    [Fact]
    public void Merges_several_files_first_wins_for_each_name_and_current_context_from_the_first_that_sets_it()
    {
        using var dir = new TempDirectory();
        var first = dir.Write("first", TestKubeconfig.Build(null,
            new TestKubeconfig.Entry("shared", Server: "https://first.example:6443"),
            new TestKubeconfig.Entry("only-first")));
        var second = dir.Write("second", TestKubeconfig.Build("only-second",
            new TestKubeconfig.Entry("shared", Server: "https://second.example:6443", Token: "second-token"),
            new TestKubeconfig.Entry("only-second")));
        var third = dir.Write("third", TestKubeconfig.Build("shared", new TestKubeconfig.Entry("only-third")));

        var loaded = KubeconfigLoader.Load(KubeconfigSource.FromPaths(first, second, third));

        loaded.FilesRead.Should().Equal(first, second, third);
        loaded.CurrentContext.Should().Be("only-second");
        loaded.ContextNames.Should().BeEquivalentTo("shared", "only-first", "only-second", "only-third");
        loaded.Configuration.Clusters.Single(c => c.Name == "shared").ClusterEndpoint.Server.Should().Be("https://first.example:6443");
        loaded.Configuration.Users.Single(u => u.Name == "shared").UserCredentials.Token.Should().Be("token-of-shared");
    }

    [Fact]
    public void KUBECONFIG_lists_files_with_the_path_separator_and_skips_missing_ones()
    {
        using var dir = new TempDirectory();
        var a = dir.Write("a", TestKubeconfig.Build("a", new TestKubeconfig.Entry("a")));
        var b = dir.Write("b", TestKubeconfig.Build("b", new TestKubeconfig.Entry("b")));
        var missing = Path.Combine(dir.Path, "missing");
        var previous = Environment.GetEnvironmentVariable("KUBECONFIG");
        try
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", string.Join(Path.PathSeparator, a, "", missing, b));
            var source = KubeconfigSource.FromEnvironment();
            source.Files.Should().Equal(a, missing, b);

            var loaded = KubeconfigLoader.Load(source);
            loaded.FilesRead.Should().Equal(a, b);
            loaded.CurrentContext.Should().Be("a");
        }
        finally
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", previous);
        }
    }

    // Every field a kubeconfig can carry, in the shapes kubectl and cloud CLIs write: exec plugins with env
    // and interactive mode, auth providers, impersonation, extensions, preferences, proxy and merge keys.
    private const string RichKubeconfig = """
        apiVersion: v1
        kind: Config
        preferences:
          colors: true
        current-context: eks
        clusters:
        - name: eks
          cluster:
            server: https://abc.gr7.eu-west-1.eks.amazonaws.com
            certificate-authority-data: LS0tLS1CRUdJTg==
            insecure-skip-tls-verify: false
            extensions:
            - name: client.authentication.k8s.io/exec
              extension:
                audience: sts
                retries: 3
        - name: local
          cluster: &local
            server: https://127.0.0.1:6443
            certificate-authority: ca.crt
        - name: local-copy
          cluster:
            <<: *local
            server: https://127.0.0.2:6443
        contexts:
        - name: eks
          context:
            cluster: eks
            user: eks-user
            namespace: shop
        - name: local
          context:
            cluster: local
            user: local-user
        users:
        - name: eks-user
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: aws
              args: [eks, get-token, --cluster-name, prod]
              env:
              - name: AWS_PROFILE
                value: prod
              interactiveMode: Never
              provideClusterInfo: true
        - name: local-user
          user:
            client-certificate: client.crt
            client-key: client.key
            as: admin
            as-groups: [system:masters]
            username: basic
            password: secret
        - name: oidc-user
          user:
            auth-provider:
              name: oidc
              config:
                idp-issuer-url: https://issuer.example
                client-id: kubectl
        unknown-top-level-key: ignored
        """;

    [Fact]
    public void Reads_every_kubeconfig_field_as_KubernetesClients_own_loader_does()
    {
        var ours = KubeconfigLoader.Load(KubeconfigSource.FromContent(RichKubeconfig, "/kube")).Configuration;
        var theirs = KubernetesClientConfiguration.LoadKubeConfig(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(RichKubeconfig)));
        foreach (var endpoint in theirs.Clusters.Select(c => c.ClusterEndpoint).Where(e => e.CertificateAuthority is not null))
            endpoint.CertificateAuthority = Path.GetFullPath(endpoint.CertificateAuthority, "/kube");
        foreach (var credentials in theirs.Users.Select(u => u.UserCredentials))
        {
            if (credentials.ClientCertificate is not null) credentials.ClientCertificate = Path.GetFullPath(credentials.ClientCertificate, "/kube");
            if (credentials.ClientKey is not null) credentials.ClientKey = Path.GetFullPath(credentials.ClientKey, "/kube");
        }

        ours.Clusters.Should().HaveCount(3);
        ours.Users.Should().HaveCount(3);
        // The merge rebuilds the top level (kind, contexts, users, clusters); compare each entry whole.
        KubernetesYaml.Serialize(ours.Clusters.ToList()).Should().Be(KubernetesYaml.Serialize(theirs.Clusters.ToList()));
        KubernetesYaml.Serialize(ours.Contexts.ToList()).Should().Be(KubernetesYaml.Serialize(theirs.Contexts.ToList()));
        KubernetesYaml.Serialize(ours.Users.ToList()).Should().Be(KubernetesYaml.Serialize(theirs.Users.ToList()));
        ours.CurrentContext.Should().Be("eks");
        var exec = ours.Users.First().UserCredentials.ExternalExecution;
        exec.Arguments.Should().Equal("eks", "get-token", "--cluster-name", "prod");
        exec.EnvironmentVariables.Should().ContainSingle().Which.Should().Contain("name", "AWS_PROFILE");
        ours.Clusters.Single(c => c.Name == "local-copy").ClusterEndpoint.CertificateAuthority.Should().Be(Path.GetFullPath("/kube/ca.crt"));
    }

    [Fact]
    public void An_empty_kubeconfig_has_no_contexts()
    {
        var loaded = KubeconfigLoader.Load(KubeconfigSource.FromContent("", "/kube"));

        loaded.ContextNames.Should().BeEmpty();
        loaded.CurrentContext.Should().BeNull();
    }

    [Fact]
    public void An_explicit_file_that_does_not_exist_is_an_error()
    {
        var act = () => KubeconfigLoader.Load(KubeconfigSource.FromPaths("/nonexistent/kubeconfig"));

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.KubeconfigInvalid);
    }

    [Fact]
    public void Invalid_yaml_says_where_without_quoting_the_content()
    {
        var act = () => KubeconfigLoader.Load(KubeconfigSource.FromContent("users:\n- name: u\n  user: { token: sekrit-value\n"));

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.KubeconfigInvalid);
        error.Message.Should().Contain("<content>").And.NotContain("sekrit");
    }

    [Fact]
    public void Relative_certificate_paths_resolve_against_the_file_that_holds_them()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("nested/config", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: { server: "https://127.0.0.1:1", certificate-authority: certs/ca.crt }
            contexts: []
            users: []
            """);

        var loaded = KubeconfigLoader.Load(KubeconfigSource.FromPaths(path));

        loaded.Configuration.Clusters.Single().ClusterEndpoint.CertificateAuthority.Should().Be(Path.Combine(dir.Path, "nested", "certs", "ca.crt"));
    }

    [Fact]
    public void A_missing_context_names_the_context_and_files_but_never_tokens_or_certificates()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config", TestKubeconfig.Build("prod-euc1", new TestKubeconfig.Entry("prod-euc1", Token: "super-secret-token")));
        using var connector = new KubernetesConnector(KubeconfigSource.FromPaths(path));

        var act = () => connector.Connect(new FleetCluster { Name = "prod", Context = "prod-euc2" });

        var error = act.Should().Throw<FleetClusterException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterContextNotFound);
        error.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        error.Cluster.Should().Be("prod");
        error.Message.Should().Contain("'prod-euc2'").And.Contain(path).And.Contain("Did you mean 'prod-euc1'?");
        error.Message.Should().NotContain("super-secret-token").And.NotContain(TestKubeconfig.CaData[..40]);
        error.ToString().Should().NotContain("super-secret-token");
    }

    [Fact]
    public void A_missing_context_in_content_says_content()
    {
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(TestKubeconfig.Build(null, new TestKubeconfig.Entry("a", Token: "tkn-123456"))));

        var act = () => connector.Connect(new FleetCluster { Name = "b" });

        act.Should().Throw<FleetClusterException>().Which.Message.Should().Contain("<content>").And.NotContain("tkn-123456");
    }

    [Fact]
    public void Connects_with_the_contexts_server_namespace_and_token_and_caches_one_client_per_context()
    {
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(TestKubeconfig.Build(null,
            new TestKubeconfig.Entry("a", Server: "https://10.1.2.3:6443", Namespace: "team-a"),
            new TestKubeconfig.Entry("b"))));

        var a = connector.Connect(new FleetCluster { Name = "a" });
        var again = connector.Connect(new FleetCluster { Name = "a" });
        var b = connector.Connect(new FleetCluster { Name = "b" });

        a.Server.Should().Be(new Uri("https://10.1.2.3:6443"));
        a.DefaultNamespace.Should().Be("team-a");
        b.DefaultNamespace.Should().Be("default");
        again.Client.Should().BeSameAs(a.Client);
        b.Client.Should().NotBeSameAs(a.Client);
    }

    [Fact]
    public async Task A_clusters_own_kubeconfig_overrides_the_session_kubeconfig()
    {
        using var dir = new TempDirectory();
        var own = dir.Write("own", TestKubeconfig.Build(null, new TestKubeconfig.Entry("x", Server: "https://own.example:6443", Token: "own-token")));
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(TestKubeconfig.Build(null, new TestKubeconfig.Entry("x"))));

        var connection = connector.Connect(new FleetCluster { Name = "x", Kubeconfig = own });

        connection.Server.Host.Should().Be("own.example");
        (await AuthorizationOf(connection)).Should().Be("Bearer own-token");
    }

    [Fact]
    public void A_cluster_without_a_ca_uses_the_system_trust_store()
    {
        var yaml = TestKubeconfig.Build(null, new TestKubeconfig.Entry("public")).Replace($"    certificate-authority-data: {TestKubeconfig.CaData}\n", "");
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(yaml));

        connector.Connect(new FleetCluster { Name = "public" }).Server.Host.Should().Be("127.0.0.1");
    }

    [Fact]
    public void Insecure_skip_tls_verify_warns_once_per_cluster()
    {
        var reporter = new RecordingReporter();
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(TestKubeconfig.Build(null,
            new TestKubeconfig.Entry("lab", Insecure: true), new TestKubeconfig.Entry("safe"))));

        using (FleetCallContext.Use(reporter))
        {
            connector.Connect(new FleetCluster { Name = "lab" });
            connector.Connect(new FleetCluster { Name = "lab" });
            connector.Connect(new FleetCluster { Name = "safe" });
        }

        reporter.Warnings.Should().ContainSingle().Which.Should().Contain("'lab'").And.Contain("TLS verification is off");
    }

    [Fact]
    public void FleetSession_without_a_fleet_file_uses_the_kubeconfig_contexts()
    {
        using var session = new FleetSession(KubeconfigSource.FromContent(TestKubeconfig.Build("b", new TestKubeconfig.Entry("a"), new TestKubeconfig.Entry("b"))));

        session.GetFleet().Clusters.Select(c => (c.Name, c.Context)).Should().Equal(("a", "a"), ("b", "b"));
        session.Select(new ClusterPlacement { Names = new[] { "b" } }).Clusters.Should().ContainSingle();

        session.ImportFleetContent("clusters: [ { name: only, context: a } ]");
        session.GetFleet().Clusters.Select(c => c.Name).Should().Equal("only");
        session.Connector.Connect(session.GetFleet().Clusters[0]).Name.Should().Be("only");

        session.ClearFleet();
        session.CurrentFleet.Should().BeNull();
    }

    [Fact]
    public void A_kubeconfig_that_failed_to_load_is_read_again_once_fixed()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config", "clusters: [ broken");
        using var connector = new KubernetesConnector(KubeconfigSource.FromPaths(path));
        FluentActions.Invoking(() => connector.Connect(new FleetCluster { Name = "a" }))
            .Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(FleetErrorIds.KubeconfigInvalid);

        File.WriteAllText(path, TestKubeconfig.Build(null, new TestKubeconfig.Entry("a")));

        connector.Connect(new FleetCluster { Name = "a" }).Name.Should().Be("a");
    }

    [Fact]
    public void A_connector_for_a_kubeconfig_already_read_does_not_read_it_again()
    {
        // Import-Fleet reads the kubeconfig to check it before the session changes; the session keeps that reading.
        using var dir = new TempDirectory();
        var path = dir.Write("config", TestKubeconfig.Build(null, new TestKubeconfig.Entry("a", Server: "https://a.example:6443")));
        var loaded = KubeconfigLoader.Load(KubeconfigSource.FromPaths(path));
        File.Delete(path);

        using var connector = new KubernetesConnector(loaded);
        var connection = connector.Connect(new FleetCluster { Name = "a" });

        connection.Server.Should().Be(new Uri("https://a.example:6443"));
        connector.Source.Files.Should().Equal(path);
    }

    [Fact]
    public void Switching_the_sessions_kubeconfig_drops_the_cached_clients()
    {
        using var session = new FleetSession(KubeconfigSource.FromContent(TestKubeconfig.Build(null, new TestKubeconfig.Entry("a", Server: "https://one.example:6443"))));
        var before = session.Connector.Connect(new FleetCluster { Name = "a" });

        session.UseKubeconfig(KubeconfigSource.FromContent(TestKubeconfig.Build(null, new TestKubeconfig.Entry("a", Server: "https://two.example:6443"))));
        var after = session.Connector.Connect(new FleetCluster { Name = "a" });

        after.Server.Host.Should().Be("two.example");
        after.Client.Should().NotBeSameAs(before.Client);
        session.Kubeconfig.Description.Should().Be("<content>");
    }

    internal static async Task<string?> AuthorizationOf(ClusterConnection connection)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(connection.Server, "/version"));
        await ((Kubernetes)connection.Client).Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        return request.Headers.Authorization?.ToString();
    }
}
