using System.Runtime.Loader;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// A session that already loaded another YamlDotNet and AWSSDK.Core (as powershell-yaml, PlatyPS
/// or AWS.Tools do) still imports MultiCluster and runs it: the engine and its packages live in
/// the module's own load context.
/// </summary>
public sealed class IsolationTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void The_module_keeps_its_own_YamlDotNet_AWSSDK_and_KubernetesClient()
    {
        // The session's own, older copies, loaded into the default context first.
        var sessionYaml = typeof(YamlDotNet.Serialization.Deserializer).Assembly;
        var sessionAws = typeof(Amazon.Runtime.AWSCredentials).Assembly;
        sessionYaml.GetName().Version!.Major.Should().Be(13);
        sessionAws.GetName().Version!.Major.Should().Be(3);
        AssemblyLoadContext.GetLoadContext(sessionYaml).Should().Be(AssemblyLoadContext.Default);

        using var session = fixture.NewSession();
        // YAML in (the fleet file) and out (an object rendered as YAML) through the engine's YamlDotNet.
        var yaml = session.Run("(Get-FleetResource Namespace default -Cluster prod-a).ToYaml()").ThrowIfFailed().Output.Single() as string;
        yaml.Should().Contain("kind: Namespace").And.Contain("name: default");

        var contexts = session.Run("""
            [AppDomain]::CurrentDomain.GetAssemblies() |
              Where-Object { $_.GetName().Name -in 'YamlDotNet', 'AWSSDK.Core', 'KubernetesClient', 'MultiCluster.Engine' } |
              ForEach-Object { '{0}|{1}|{2}' -f $_.GetName().Name, $_.GetName().Version.Major, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
            """).ThrowIfFailed().Output.Cast<string>().ToList();
        contexts.Should().Contain("YamlDotNet|13|Default").And.Contain(c => c.StartsWith("YamlDotNet|") && c.EndsWith("|MultiCluster"));
        contexts.Should().Contain(c => c.StartsWith("KubernetesClient|") && c.EndsWith("|MultiCluster"));
        contexts.Should().Contain(c => c.StartsWith("MultiCluster.Engine|") && c.EndsWith("|MultiCluster"));
        contexts.Should().NotContain(c => c.StartsWith("KubernetesClient|") && c.EndsWith("|Default"));
    }

    [Fact]
    public void An_EKS_context_is_signed_with_the_modules_own_AWSSDK_Core_and_leaks_no_key()
    {
        _ = typeof(Amazon.Runtime.AWSCredentials).Assembly; // the session's AWSSDK.Core 3.7 first
        // Both keys carry the canary marker, so the per-run scan finds them wherever they escape.
        var (keyId, secretKey) = ("AKIA" + SecretCanary.NewToken(6), SecretCanary.NewToken(20));
        var server = fixture.Emulator.Servers[fixture.Contexts[0]];
        var kubeconfig = $$"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: eks
                cluster:
                  server: {{server}}
                  certificate-authority-data: {{fixture.Emulator.CertificateAuthorityData}}
            users:
              - name: eks
                user:
                  exec:
                    apiVersion: client.authentication.k8s.io/v1beta1
                    command: aws
                    args: [eks, get-token, --cluster-name, prod-use1-01, --region, us-east-1]
            contexts:
              - name: eks
                context: { cluster: eks, user: eks }
            current-context: eks
            """;
        using var session = new PowerShellSession(environment: new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = keyId,
            ["AWS_SECRET_ACCESS_KEY"] = secretKey,
            ["AWS_REGION"] = "us-east-1",
        });
        session.Run("Import-Fleet -Content 'clusters: [ { name: eks } ]' -KubeconfigContent $args[0]", kubeconfig).ThrowIfFailed();
        var result = session.Run("Test-FleetCluster");
        result.Terminating.Should().BeNull();
        var health = result.Output.Cast<FleetClusterHealth>().Should().ContainSingle().Subject;
        // The emulator does not know AWS tokens: a 401 proves the token was built and sent (no aws CLI exists here).
        health.ErrorId.Should().Be("ClusterAuthenticationFailed", health.Reason);
        result.AllText().Should().NotContain(secretKey).And.NotContain("k8s-aws-v1.");
    }
}
