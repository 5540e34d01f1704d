using System.Text;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Sync-FleetSecret and Test-FleetSecret as users type them, with the test bed's canary token as
/// the secret value: every run's streams, $Error and written files are scanned for it
/// (<see cref="PowerShellSession.Run"/>), success and refusal alike.
/// </summary>
public sealed class SecretSyncTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static readonly string Secret = SecretCanary.NewToken();

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private static List<FleetSecretSyncResult> Results(PowerShellResult result) => result.Output.OfType<FleetSecretSyncResult>().ToList();

    private static List<FleetSecretStatus> Statuses(PowerShellResult result) => result.Output.OfType<FleetSecretStatus>().ToList();

    private async Task<string> StoredValue(int cluster, string name, string key)
    {
        var read = await Kubectl.RunAsync(fixture.Kubeconfig, fixture.Contexts[cluster], "get", "secret", name, "-n", "default", "-o", $"jsonpath={{.data.{key.Replace(".", "\\.")}}}");
        read.ExitCode.Should().Be(0, read.Stderr);
        return Encoding.UTF8.GetString(Convert.FromBase64String(read.Stdout.Trim()));
    }

    [RequiresKubectlFact]
    public async Task A_SecureString_syncs_to_every_cluster_and_no_stream_shows_it_even_with_Verbose_and_Debug()
    {
        using var session = fixture.NewSession();
        var name = Unique("db");
        const string Sync = "$v = ConvertTo-SecureString $args[1] -AsPlainText -Force; Sync-FleetSecret -Name $args[0] -Namespace default -Key password -Value $v -Verbose -Debug";

        var first = session.Run(Sync, name, Secret);
        var second = session.Run(Sync, name, Secret);

        first.Errors.Should().BeEmpty();
        first.Verbose.Should().NotBeEmpty("the API calls are logged, without values");
        var created = Results(first);
        created.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Name == name && r.Namespace == "default");
        created.Select(r => r.Cluster).Should().BeEquivalentTo("prod-a", "prod-b", "dev-c");
        created.Should().OnlyContain(r => r.Keys.SequenceEqual(new[] { "password" }) && r.ContentHash.StartsWith("sha256:") && r.Source == "-Value");
        Results(second).Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        (await StoredValue(2, name, "password")).Equals(Secret, StringComparison.Ordinal).Should().BeTrue("the copy holds the value");
        Statuses(session.Run("Test-FleetSecret -Name $args[0] -Namespace default -Key password -Value (ConvertTo-SecureString $args[1] -AsPlainText -Force)", name, Secret))
            .Should().HaveCount(3).And.OnlyContain(s => s.Status == FleetSecretState.InSync);
    }

    [RequiresKubectlFact]
    public async Task A_PSCredential_becomes_a_basic_auth_secret_and_a_hashtable_of_SecureStrings_keeps_its_keys()
    {
        using var session = fixture.NewSession();
        var (login, settings) = (Unique("login"), Unique("settings"));

        var credential = Results(session.Run("""
            $c = [pscredential]::new('app-user', (ConvertTo-SecureString $args[1] -AsPlainText -Force))
            Sync-FleetSecret -Name $args[0] -Namespace default -Credential $c -Cluster prod-a
            """, login, Secret));
        var hashtable = Results(session.Run("""
            Sync-FleetSecret -Name $args[0] -Namespace default -Cluster prod-a -Data @{
                token = ConvertTo-SecureString $args[1] -AsPlainText -Force
                'api.key' = ConvertTo-SecureString $args[2] -AsPlainText -Force }
            """, settings, Secret, SecretCanary.NewToken()));

        credential.Should().ContainSingle().Which.Keys.Should().Equal("password", "username");
        hashtable.Should().ContainSingle().Which.Keys.Should().Equal("api.key", "token");
        (await StoredValue(0, login, "username")).Should().Be("app-user");
        (await StoredValue(0, login, "password")).Equals(Secret, StringComparison.Ordinal).Should().BeTrue();
        (await StoredValue(0, settings, "token")).Equals(Secret, StringComparison.Ordinal).Should().BeTrue();
        var type = await Kubectl.RunAsync(fixture.Kubeconfig, fixture.Contexts[0], "get", "secret", login, "-n", "default", "-o", "jsonpath={.type}");
        type.Stdout.Should().Be("kubernetes.io/basic-auth");
    }

    [Fact]
    public void What_a_vault_modules_Get_Secret_returns_pipes_straight_in()
    {
        using var session = fixture.NewSession();
        var (single, credential, table) = (Unique("piped"), Unique("piped-cred"), Unique("piped-table"));
        // What SecretManagement's Get-Secret returns for a string, a PSCredential and a hashtable secret.
        const string Vault = """
            function Get-Secret { param($Name, $Vault)
                switch ($Name) {
                    'single' { ConvertTo-SecureString $global:canary -AsPlainText -Force }
                    'cred' { [pscredential]::new('svc', (ConvertTo-SecureString $global:canary -AsPlainText -Force)) }
                    'table' { @{ a = ConvertTo-SecureString $global:canary -AsPlainText -Force; b = ConvertTo-SecureString 'x' -AsPlainText -Force } }
                }
            }
            """;

        var results = Results(session.Run(Vault + """

            $global:canary = $args[3]
            Get-Secret -Name single -Vault ops | Sync-FleetSecret -Name $args[0] -Namespace default -Cluster dev-c
            Get-Secret -Name cred -Vault ops | Sync-FleetSecret -Name $args[1] -Namespace default -Cluster dev-c
            Get-Secret -Name table -Vault ops | Sync-FleetSecret -Name $args[2] -Namespace default -Cluster dev-c
            Remove-Variable canary -Scope Global
            """, single, credential, table, Secret));

        results.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Cluster == "dev-c");
        results.Select(r => string.Join(",", r.Keys)).Should().Equal("value", "password,username", "a,b");
    }

    [Fact]
    public void WhatIf_names_clusters_namespace_and_keys_and_never_the_value_and_creates_nothing()
    {
        var host = new AnsweringHost(answer: true);
        using var session = new PowerShellSession(host: host);
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fixture.FleetYaml, fixture.Kubeconfig).ThrowIfFailed();
        var name = Unique("preview");

        var preview = session.Run("Sync-FleetSecret -Name $args[0] -Namespace default -Data @{ password = ConvertTo-SecureString $args[1] -AsPlainText -Force } -WhatIf", name, Secret);

        var results = Results(preview);
        results.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        var whatIf = host.Lines.Where(l => l.StartsWith("What if:")).ToList();
        whatIf.Should().HaveCount(3);
        whatIf.Should().Contain($"What if: Performing the operation \"sync\" on target \"Cluster prod-b: sync Secret default/{name} (keys: password)\".");
        string.Join("\n", host.Lines).Contains(SecretCanary.Marker, StringComparison.Ordinal).Should().BeFalse("no value reaches the host");
        Statuses(session.Run("Test-FleetSecret -Name $args[0] -Namespace default -Data @{ password = ConvertTo-SecureString $args[1] -AsPlainText -Force }", name, Secret))
            .Should().HaveCount(3).And.OnlyContain(s => s.Status == FleetSecretState.Missing, "-WhatIf created nothing");
    }

    [Theory]
    [InlineData("Sync-FleetSecret -Name db -Namespace default -Data @{ password = $args[0] }",
        "SecretValueNotSecure", "InvalidArgument", "-Data key 'password'",
        "The -Data value of key 'password' is a String, not a SecureString; plain text is refused so that no value travels or shows as text.")]
    [InlineData("$args[0] | Sync-FleetSecret -Name db -Namespace default",
        "SecretValueNotSecure", "InvalidArgument", "-Value key 'value'",
        "The -Value value of key 'value' is a String, not a SecureString; plain text is refused so that no value travels or shows as text.")]
    [InlineData("Sync-FleetSecret -Name db -Namespace default -Data @{ 'bad key' = ConvertTo-SecureString $args[0] -AsPlainText -Force }",
        "SecretKeyInvalid", "InvalidArgument", "Secret default/db (-Data) key 'bad key'",
        "The key 'bad key' of Secret default/db (-Data) is not a valid key: keys consist of letters, digits, '-', '_' and '.' (at most 253 characters).")]
    [InlineData("Sync-FleetSecret -Name db -Namespace default -Data @{ password = [securestring]::new() }",
        "SecretValueEmpty", "InvalidData", "Secret default/db (-Data) key 'password'",
        "The value of key 'password' of Secret default/db (-Data) is empty.")]
    [InlineData("Sync-FleetSecret -Name db -Namespace default -Value (ConvertTo-SecureString $args[0] -AsPlainText -Force) -Path ./db.yaml",
        "SecretSourceConflict", "InvalidArgument", "-Value, -Path",
        "-Value and -Path cannot be given together: each is a source of the content to sync.")]
    [InlineData("Sync-FleetSecret -SourceCluster prod-a -SourceNamespace default -Name no-such-secret",
        "SecretSourceNotFound", "ObjectNotFound", "prod-a/default/no-such-secret",
        "Secret default/no-such-secret does not exist on the source cluster 'prod-a'.")]
    public void Bad_input_is_a_terminating_error_naming_what_and_where_and_changes_nothing(string script, string id, string category, string target, string message)
    {
        using var session = fixture.NewSession();
        var before = Names(session);

        var result = session.Run(script, Secret);

        var record = result.TerminatingRecord;
        record.Should().NotBeNull();
        record!.FullyQualifiedErrorId.Should().Be($"{id},MultiCluster.Commands.Configuration.SyncFleetSecretCommand", record.Exception.Message);
        record.CategoryInfo.Category.ToString().Should().Be(category);
        record.TargetObject.Should().Be(target);
        record.Exception.Message.Should().Be(message);
        result.Output.Should().BeEmpty();
        Names(session).Should().Equal(before, "nothing was created anywhere");
        if (id == "SecretValueNotSecure")
            record.ErrorDetails?.RecommendedAction.Should().Contain("ConvertTo-SecureString -AsPlainText -Force");
    }

    [RequiresKubectlFact]
    public async Task Copies_from_a_source_cluster_the_source_no_longer_has_show_as_Extra_and_Prune_removes_them_within_the_circuit_breaker()
    {
        using var session = fixture.NewSession();
        var ns = Unique("team");
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply | Out-Null
            foreach ($name in 'a', 'b') {
                @{ apiVersion = 'v1'; kind = 'Secret'; metadata = @{ name = $name; namespace = $args[0]; labels = @{ app = 'shop' } }; stringData = @{ key = $args[1] } } |
                    Invoke-FleetApply -Cluster prod-a | Out-Null
            }
            """, ns, Secret).ThrowIfFailed();
        const string FromSource = "Sync-FleetSecret -SourceCluster prod-a -SourceNamespace $args[0] -SourceSelector app=shop";

        var synced = Results(session.Run(FromSource, ns).ThrowIfFailed());
        synced.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Cluster != "prod-a", "the source cluster is no target");
        (await Kubectl.RunAsync(fixture.Kubeconfig, fixture.Contexts[0], "delete", "secret", "b", "-n", ns)).ExitCode.Should().Be(0);

        var status = Statuses(session.Run("Test-FleetSecret -SourceCluster prod-a -SourceNamespace $args[0] -SourceSelector app=shop", ns).ThrowIfFailed());
        status.Should().HaveCount(4);
        status.Where(s => s.Status == FleetSecretState.Extra).Select(s => $"{s.Cluster}/{s.Name}").Should().BeEquivalentTo("prod-b/b", "dev-c/b");
        status.Where(s => s.Status == FleetSecretState.InSync).Select(s => $"{s.Cluster}/{s.Name}").Should().BeEquivalentTo("prod-b/a", "dev-c/a");

        var refused = session.Run(FromSource + " -Prune -Force", ns);
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().Be("DeletionLimitExceeded,MultiCluster.Commands.Configuration.SyncFleetSecretCommand");
        Statuses(session.Run("Test-FleetSecret -SourceCluster prod-a -SourceNamespace $args[0] -SourceSelector app=shop", ns))
            .Count(s => s.Status == FleetSecretState.Extra).Should().Be(2, "the circuit breaker deleted nothing");

        var pruned = session.Run(FromSource + " -Prune -Force -MaxClusters 2", ns).ThrowIfFailed();
        pruned.Output.OfType<FleetResourceResult>().Select(r => $"{r.Cluster}/{r.Name} {r.Action}").Should().BeEquivalentTo("prod-b/b Deleted", "dev-c/b Deleted");
        Results(pruned).Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged && r.Name == "a");
    }

    [Fact]
    public void RolloutRestart_restarts_the_first_waves_Deployment_and_stops_when_it_is_not_ready_in_time()
    {
        using var session = fixture.NewSession();
        var ns = Unique("rollout");
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply | Out-Null
            @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'web'; namespace = $args[0] }
               spec = @{ selector = @{ matchLabels = @{ app = 'web' } }
                         template = @{ metadata = @{ labels = @{ app = 'web' } }
                                       spec = @{ containers = @(@{ name = 'web'; image = 'nginx:1.27'; envFrom = @(@{ secretRef = @{ name = 'cfg' } }) }) } } } } |
                Invoke-FleetApply | Out-Null
            """, ns).ThrowIfFailed();
        const string Sync = "Sync-FleetSecret -Name cfg -Namespace $args[0] -Value (ConvertTo-SecureString $args[1] -AsPlainText -Force) -RolloutRestart -Wave 'prod-a', '*' -WaveTimeoutSeconds 1";
        Results(session.Run(Sync, ns, "first").ThrowIfFailed()).Should().HaveCount(3).And.OnlyContain(r => r.Kind == "Secret" && r.Action == FleetResourceAction.Created);

        // No controller runs in these clusters, so the restarted Deployment never becomes ready.
        var changed = session.Run(Sync, ns, Secret);

        Results(changed).Select(r => $"{r.Cluster} {r.Kind} {r.Name} {r.Action}").Should().Equal(
            "prod-a Secret cfg Configured", "prod-a Deployment web Configured", "prod-a Deployment web Failed");
        changed.Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().Be("SecretRolloutNotReady,MultiCluster.Commands.Configuration.SyncFleetSecretCommand");
        changed.Warnings.Should().Equal("Wave 1 did not become ready; the later waves (prod-b, dev-c) were not synced.");
        Statuses(session.Run("Test-FleetSecret -Name cfg -Namespace $args[0] -Value (ConvertTo-SecureString $args[1] -AsPlainText -Force)", ns, Secret))
            .Select(s => $"{s.Cluster} {s.Status}").Should().BeEquivalentTo("prod-a InSync", "prod-b Stale", "dev-c Stale");

        var badWave = session.Run(Sync.Replace("'prod-a', '*'", "'prod-a'"), ns, Secret);
        badWave.TerminatingRecord!.FullyQualifiedErrorId.Should().Be("SecretWaveInvalid,MultiCluster.Commands.Configuration.SyncFleetSecretCommand");
        badWave.TerminatingRecord.Exception.Message.Should().Be("The clusters prod-b, dev-c are in no wave; add them to a wave, or end with a wave of '*'.");
    }

    private static List<string> Names(PowerShellSession session) =>
        session.Run("Get-FleetResource -Kind Secret -Namespace default | ForEach-Object { $_.Cluster + '/' + $_.Name } | Sort-Object")
            .ThrowIfFailed().Output.Cast<string>().ToList();
}
