using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

/// <summary>The machine's kubectl against an instance with RBAC: can-i, --as, and a restricted token.</summary>
public sealed class KubectlAuthTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "multicluster-auth-" + Guid.NewGuid().ToString("N"));
    private EmulatedCluster _cluster = null!;
    private string _adminConfig = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync();
        _ = _cluster.Auth;
        _adminConfig = WriteConfig("admin", _cluster.Kubeconfig());
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private string WriteConfig(string name, string kubeconfig)
    {
        var path = Path.Combine(_directory, name + ".kubeconfig");
        KubeconfigWriter.WriteFile(path, kubeconfig);
        return path;
    }

    private string ConfigFor(string name, string token) => WriteConfig(name, _cluster.Tokens.Kubeconfig(token));

    [RequiresKubectlFact]
    public async Task Can_i_answers_yes_for_the_admin()
    {
        var pods = await TestSupport.KubectlAsync(_adminConfig, null, "auth", "can-i", "get", "pods", "-n", "default");
        (pods.ExitCode, pods.Stdout.Trim()).Should().Be((0, "yes"), pods.Stderr);
        var everything = await TestSupport.KubectlAsync(_adminConfig, null, "auth", "can-i", "*", "*");
        (everything.ExitCode, everything.Stdout.Trim()).Should().Be((0, "yes"), everything.Stderr);
    }

    [RequiresKubectlFact]
    public async Task Can_i_as_another_user_answers_no_with_exit_code_1()
    {
        var result = await TestSupport.KubectlAsync(_adminConfig, null, "auth", "can-i", "list", "namespaces", "--as", "jane");
        (result.ExitCode, result.Stdout.Trim()).Should().Be((1, "no"), result.Stderr);
        var viaGroup = await TestSupport.KubectlAsync(_adminConfig, null,
            "auth", "can-i", "list", "namespaces", "--as", "jane", "--as-group", "system:masters");
        (viaGroup.ExitCode, viaGroup.Stdout.Trim()).Should().Be((0, "yes"), viaGroup.Stderr);
    }

    [RequiresKubectlFact]
    public async Task Read_only_token_reads_and_is_refused_writes_with_the_real_message()
    {
        var config = ConfigFor("reader", _cluster.Tokens.ReadOnly());
        var canList = await TestSupport.KubectlAsync(config, null, "auth", "can-i", "list", "deployments.apps", "-n", "default");
        (canList.ExitCode, canList.Stdout.Trim()).Should().Be((0, "yes"), canList.Stderr);
        var canCreate = await TestSupport.KubectlAsync(config, null, "auth", "can-i", "create", "configmaps", "-n", "default");
        (canCreate.ExitCode, canCreate.Stdout.Trim()).Should().Be((1, "no"), canCreate.Stderr);

        var get = await TestSupport.KubectlAsync(config, null, "get", "namespaces", "-o", "name");
        get.ExitCode.Should().Be(0, get.Stderr);
        get.Stdout.Should().Contain("namespace/default");

        var create = await TestSupport.KubectlAsync(config, null, "create", "configmap", "x", "-n", "default");
        create.ExitCode.Should().Be(1);
        create.Stderr.Trim().Should().Be("error: failed to create configmap: configmaps is forbidden: User \"read-only\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"");
    }

    [RequiresKubectlFact]
    public async Task Get_as_an_unbound_user_is_forbidden_with_the_real_message()
    {
        var result = await TestSupport.KubectlAsync(_adminConfig, null, "get", "namespaces", "--as", "jane");
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("Error from server (Forbidden): namespaces is forbidden: User \"jane\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
    }

    [RequiresKubectlFact]
    public async Task Whoami_reports_the_service_account_of_a_token()
    {
        var json = await TestSupport.KubectlAsync(_adminConfig, """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"robot","namespace":"default"}}""",
            "create", "-f", "-");
        json.ExitCode.Should().Be(0, json.Stderr);
        var token = await TestSupport.KubectlAsync(_adminConfig, null, "create", "token", "robot", "-n", "default");
        token.ExitCode.Should().Be(0, token.Stderr);
        var whoami = await TestSupport.KubectlAsync(ConfigFor("robot", token.Stdout.Trim()), null, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        (whoami.ExitCode, whoami.Stdout).Should().Be((0, "system:serviceaccount:default:robot"), whoami.Stderr);
    }

    [RequiresKubectlFact]
    public async Task Can_i_list_shows_the_rules_of_a_namespace_token()
    {
        await TestSupport.KubectlAsync(_adminConfig, null, "create", "namespace", "team-c");
        var config = ConfigFor("team-c", _cluster.Tokens.ForNamespace("team-c"));
        var result = await TestSupport.KubectlAsync(config, null, "auth", "can-i", "--list", "-n", "team-c");
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().MatchRegex(@"(?m)^deployments\.apps\s+\[\]\s+\[\]\s+\[create delete deletecollection patch update get list watch\]");
        result.Stdout.Should().MatchRegex(@"(?m)^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]");
        var elsewhere = await TestSupport.KubectlAsync(config, null, "auth", "can-i", "--list", "-n", "default");
        elsewhere.Stdout.Should().NotContain("deployments.apps");
    }
}
