using k8s.KubeConfigModels;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Tests.Connections;

public class ExecCredentialPluginTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Script(string name, string body)
    {
        var path = _dir.Write(name, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string Runs => Path.Combine(_dir.Path, "runs");

    private string GoodPlugin(string apiVersion = "client.authentication.k8s.io/v1", string expiry = "2099-01-01T00:00:00Z") => Script("good.sh", $$"""
        echo run >> "{{Runs}}"
        printf '%s|%s|%s' "$1" "$2" "$PLUGIN_COLOR" > "{{_dir.Path}}/seen"
        echo "$KUBERNETES_EXEC_INFO" > "{{_dir.Path}}/info"
        cat <<JSON
        {{CredentialJson(apiVersion, expiry)}}
        JSON
        """);

    private static string CredentialJson(string apiVersion, string expiry) =>
        "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"tok-$PLUGIN_COLOR\",\"expirationTimestamp\":\"" + expiry + "\"}}";

    private static ExternalExecution Exec(string command, string apiVersion = "client.authentication.k8s.io/v1", params string[] args) => new()
    {
        ApiVersion = apiVersion,
        Command = command,
        Arguments = args.ToList(),
        EnvironmentVariables = new List<Dictionary<string, string>> { new() { ["name"] = "PLUGIN_COLOR", ["value"] = "blue" } },
    };

    [UnixFact]
    public async Task Runs_the_plugin_with_its_arguments_and_environment_and_reads_the_token()
    {
        var plugin = new ExecCredentialPlugin("c1", Exec(GoodPlugin(), "client.authentication.k8s.io/v1", "two words", "--flag"));

        var credential = await plugin.GetAsync(CancellationToken.None);

        credential.Token.Should().Be("tok-blue");
        credential.Expiration.Should().Be(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        File.ReadAllText(Path.Combine(_dir.Path, "seen")).Should().Be("two words|--flag|blue");
        File.ReadAllText(Path.Combine(_dir.Path, "info")).Should().Contain("\"kind\":\"ExecCredential\"").And.Contain("\"interactive\":false");
    }

    [UnixFact]
    public async Task Running_the_plugin_is_reported_by_its_file_name_and_the_token_is_in_no_line()
    {
        var reporter = new RecordingReporter();
        using var scope = MultiCluster.Engine.Reporting.FleetCallContext.Use(reporter);
        var plugin = new ExecCredentialPlugin("c1", Exec(GoodPlugin()));

        (await plugin.GetAsync(CancellationToken.None)).Token.Should().Be("tok-blue");

        reporter.DebugLines.Should().Equal("Cluster 'c1': running the credential plugin 'good.sh'.");
        reporter.AllLines.Should().NotContain(line => line.Contains("tok-blue"));
    }

    [UnixFact]
    public async Task Caches_the_credential_until_it_expires()
    {
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var plugin = new ExecCredentialPlugin("c1", Exec(GoodPlugin(expiry: "2030-01-01T12:10:00Z")), clock: () => now);

        await plugin.GetAsync(CancellationToken.None);
        await plugin.GetAsync(CancellationToken.None);
        plugin.Runs.Should().Be(1);

        now = now.AddMinutes(11);
        await plugin.GetAsync(CancellationToken.None);
        plugin.Runs.Should().Be(2);
        File.ReadAllLines(Runs).Should().HaveCount(2);
    }

    [UnixFact]
    public async Task Accepts_v1beta1()
    {
        var plugin = new ExecCredentialPlugin("c1", Exec(GoodPlugin("client.authentication.k8s.io/v1beta1"), "client.authentication.k8s.io/v1beta1"));

        (await plugin.GetAsync(CancellationToken.None)).Token.Should().Be("tok-blue");
    }

    [UnixFact]
    public async Task A_failing_plugin_reports_its_scrubbed_stderr_and_exit_code()
    {
        var failing = Script("fail.sh", """
            echo "error: refresh failed for Bearer abc.def.ghi token=hunter2secret" >&2
            echo "also eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl and k8s-aws-v1.aHR0cHM6Ly9zdHM" >&2
            exit 3
            """);
        var plugin = new ExecCredentialPlugin("c1", Exec(failing));

        var act = () => plugin.GetAsync(CancellationToken.None);

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.CredentialPluginFailed);
        error.Cluster.Should().Be("c1");
        error.Message.Should().Contain("exited with code 3").And.Contain("error: refresh failed");
        error.Message.Should().NotContain("abc.def.ghi").And.NotContain("hunter2secret").And.NotContain("eyJ").And.NotContain("aHR0cHM6Ly9zdHM");
    }

    [UnixFact]
    public async Task Stderr_is_cut_to_its_first_line_and_to_nothing_after_a_secret_word()
    {
        var failing = Script("leaky.sh", """
            echo "login failed: password was Tr0ub4dor and more" >&2
            echo "second line with session abc123" >&2
            exit 1
            """);
        var plugin = new ExecCredentialPlugin("c1", Exec(failing));

        var error = (await ((Func<Task>)(() => plugin.GetAsync(CancellationToken.None))).Should().ThrowAsync<FleetClusterException>()).Which;

        error.Message.Should().Contain("login failed: password ***");
        error.Message.Should().NotContain("Tr0ub4dor").And.NotContain("and more").And.NotContain("second line").And.NotContain("abc123");
        ExecCredentialPlugin.Scrub("no access key AKIA1234 given\nmore").Should().Be("no access key ***");
        ExecCredentialPlugin.Scrub("SECRET: x y z").Should().Be("SECRET ***");
        ExecCredentialPlugin.Scrub("the plugin is not logged in").Should().Be("the plugin is not logged in");
    }

    [UnixFact]
    public async Task Output_that_is_not_an_ExecCredential_fails_without_showing_it()
    {
        var wrong = Script("wrong.sh", "echo '{\"kind\":\"Other\",\"status\":{\"token\":\"leaky-token\"}}'\n");
        var plugin = new ExecCredentialPlugin("c1", Exec(wrong));

        var error = (await FluentActions.Awaiting(() => plugin.GetAsync(CancellationToken.None)).Should().ThrowAsync<FleetClusterException>()).Which;

        error.Message.Should().Contain("not an ExecCredential").And.NotContain("leaky-token");
    }

    [UnixFact]
    public async Task An_api_version_mismatch_or_missing_token_fails()
    {
        var plugin = new ExecCredentialPlugin("c1", Exec(GoodPlugin("client.authentication.k8s.io/v1beta1")));
        (await FluentActions.Awaiting(() => plugin.GetAsync(CancellationToken.None)).Should().ThrowAsync<FleetClusterException>())
            .Which.Message.Should().Contain("apiVersion 'client.authentication.k8s.io/v1beta1'");

        var empty = Script("empty.sh", "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'\n");
        (await FluentActions.Awaiting(() => new ExecCredentialPlugin("c1", Exec(empty)).GetAsync(CancellationToken.None)).Should().ThrowAsync<FleetClusterException>())
            .Which.Message.Should().Contain("neither status.token");
    }

    [UnixFact]
    public async Task A_missing_command_and_an_unsupported_api_version_fail_clearly()
    {
        var missing = new ExecCredentialPlugin("c1", Exec(Path.Combine(_dir.Path, "no-such-plugin")));
        (await FluentActions.Awaiting(() => missing.GetAsync(CancellationToken.None)).Should().ThrowAsync<FleetClusterException>())
            .Which.Message.Should().Contain("cannot start");

        FluentActions.Invoking(() => new ExecCredentialPlugin("c1", Exec("x", "client.authentication.k8s.io/v1alpha1")))
            .Should().Throw<FleetClusterException>().Which.Message.Should().Contain("not supported");
    }

    [UnixFact]
    public async Task A_plugin_that_hangs_times_out()
    {
        var hanging = Script("hang.sh", "sleep 30\n");
        var plugin = new ExecCredentialPlugin("c1", Exec(hanging), timeout: TimeSpan.FromMilliseconds(300));

        (await FluentActions.Awaiting(() => plugin.GetAsync(CancellationToken.None)).Should().ThrowAsync<FleetClusterException>())
            .Which.Message.Should().Contain("did not finish within");
    }

    [UnixFact]
    public async Task The_connector_uses_the_plugin_for_an_exec_user()
    {
        var plugin = GoodPlugin();
        var exec = $"""
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {plugin}
                  env:
                  - name: PLUGIN_COLOR
                    value: green
            """;
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(
            TestKubeconfig.Build(null, new TestKubeconfig.Entry("exec-ctx", ExecYaml: exec + "\n"))));

        var connection = connector.Connect(new FleetCluster { Name = "exec-ctx" });

        (await KubeconfigTests.AuthorizationOf(connection)).Should().Be("Bearer tok-green");
    }

    [UnixFact]
    public void A_broken_plugin_fails_the_connection_with_CredentialPluginFailed()
    {
        var failing = Script("fail2.sh", "echo nope >&2\nexit 1\n");
        var exec = $"    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {failing}\n";
        using var connector = new KubernetesConnector(KubeconfigSource.FromContent(
            TestKubeconfig.Build(null, new TestKubeconfig.Entry("x", ExecYaml: exec))));

        FluentActions.Invoking(() => connector.Connect(new FleetCluster { Name = "x" }))
            .Should().Throw<FleetClusterException>().Which.ErrorId.Should().Be(FleetErrorIds.CredentialPluginFailed);
    }
}
