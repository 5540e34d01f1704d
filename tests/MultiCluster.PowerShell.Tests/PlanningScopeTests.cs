using System.Diagnostics;
using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Apply-style cmdlets build their connections inside the engine call: what connecting says reaches
/// the user on the first command, and stopping the pipeline stops a credential plugin that hangs.
/// </summary>
public sealed class PlanningScopeTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string ConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: planning-scope, namespace: default }\ndata: { a: b }\n";

    private string Kubeconfig(string user) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
          - name: c
            cluster:
              server: {{fixture.Emulator.Servers[fixture.Contexts[0]]}}
              insecure-skip-tls-verify: true
        users:
          - name: u
            user:
        {{user}}
        contexts:
          - name: c
            context: { cluster: c, user: u }
        current-context: c
        """;

    [Fact]
    public void The_insecure_TLS_warning_shows_on_the_first_apply_of_a_session()
    {
        using var session = new PowerShellSession();
        var token = fixture.Emulator.AdminTokenOf(fixture.Contexts[0]);
        session.Run("Import-Fleet -Content 'clusters: [ { name: insecure, context: c } ]' -KubeconfigContent $args[0]", Kubeconfig($"      token: {token}")).ThrowIfFailed();

        var result = session.Run("Invoke-FleetApply -InputObject $args[0] -WhatIf", ConfigMap).ThrowIfFailed();

        result.Output.Should().ContainSingle();
        result.Warnings.Should().ContainSingle(w => w.Contains("TLS verification is off")).Which
            .Should().Be("Cluster 'insecure': TLS verification is off (insecure-skip-tls-verify in the kubeconfig); the API server's identity is not checked.");
    }

    [Fact]
    public void Stopping_the_pipeline_stops_an_apply_whose_exec_credential_plugin_hangs()
    {
        using var session = new PowerShellSession();
        var plugin = """
                  exec:
                    apiVersion: client.authentication.k8s.io/v1beta1
                    command: /bin/sh
                    args: [-c, "sleep 120"]
            """;
        session.Run("Import-Fleet -Content 'clusters: [ { name: hanging, context: c } ]' -KubeconfigContent $args[0]", Kubeconfig(plugin)).ThrowIfFailed();
        using var ps = session.CreatePowerShell();
        ps.AddCommand("Invoke-FleetApply").AddParameter("InputObject", ConfigMap);

        var running = ps.BeginInvoke();
        running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2)).Should().BeFalse("the plugin hangs, so the apply is still waiting for it");
        var stopwatch = Stopwatch.StartNew();
        ps.Stop();
        running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)).Should().BeTrue();

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "Stop ends the command instead of waiting out the 120 s plugin");
        ps.InvocationStateInfo.State.Should().Be(PSInvocationState.Stopped);
    }
}
