using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>One cluster failing never hides or stops the others.</summary>
public sealed class FaultTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_stopped_cluster_is_reported_with_its_reason_while_the_others_carry_on()
    {
        using var session = fixture.NewSession();
        // prod-b stops for 20 s (it comes back by itself); the other test here uses prod-a and dev-c only.
        await fixture.Emulator.SetFaultsAsync(fixture.Contexts[1], """{"stopped":true,"stoppedForSeconds":20}""");
        {
            var health = session.Run("Test-FleetCluster -TimeoutSeconds 10").ThrowIfFailed().Output.Cast<FleetClusterHealth>().ToList();
            health.Single(h => h.Cluster == "prod-b").Should().Match<FleetClusterHealth>(h =>
                h.Status == FleetHealthStatus.Unreachable && h.ErrorId == "ClusterUnreachable" && !string.IsNullOrEmpty(h.Reason));
            health.Where(h => h.Cluster != "prod-b").Should().HaveCount(2).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy);

            var apply = session.Run("""
                @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'fault-probe'; namespace = 'default' }; data = @{ a = '1' } } |
                  Invoke-FleetApply -TimeoutSeconds 10
                """);
            apply.Terminating.Should().BeNull();
            var results = apply.Output.Cast<FleetResourceResult>().ToList();
            results.Should().HaveCount(3);
            results.Single(r => r.Cluster == "prod-b").Action.Should().Be(FleetResourceAction.Failed);
            results.Where(r => r.Cluster != "prod-b").Should().OnlyContain(r => r.Action == FleetResourceAction.Created || r.Action == FleetResourceAction.Unchanged);
            var error = apply.Errors.Should().ContainSingle().Subject;
            error.FullyQualifiedErrorId.Should().StartWith("ClusterUnreachable,");
            error.CategoryInfo.Category.Should().Be(ErrorCategory.ConnectionError);
            error.TargetObject!.ToString().Should().StartWith("prod-b");
        }
    }

    [Fact]
    public async Task Injected_latency_shows_in_the_round_trip_time()
    {
        using var session = fixture.NewSession();
        foreach (var context in new[] { fixture.Contexts[0], fixture.Contexts[2] })
            await fixture.Emulator.SetFaultsAsync(context, """{"latencyMs":400}""");
        try
        {
            session.Run("Get-FleetCluster prod-a, dev-c | Test-FleetCluster").ThrowIfFailed(); // warm the connections
            var health = session.Run("Get-FleetCluster prod-a, dev-c | Test-FleetCluster").ThrowIfFailed().Output.Cast<FleetClusterHealth>().ToList();
            health.Should().HaveCount(2).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy && h.RoundTripMs >= 400);
        }
        finally
        {
            foreach (var context in new[] { fixture.Contexts[0], fixture.Contexts[2] })
                await fixture.Emulator.SetFaultsAsync(context, "{}");
        }
    }

    [Fact]
    public async Task Ctrl_C_stops_a_fan_out_waiting_on_a_hanging_cluster()
    {
        using var session = fixture.NewSession();
        await fixture.Emulator.SetFaultsAsync(fixture.Contexts[2], """{"hanging":true}""");
        try
        {
            using var ps = session.CreatePowerShell();
            ps.AddScript("Test-FleetCluster -Cluster dev-c -TimeoutSeconds 300");
            var running = ps.BeginInvoke();
            // Wait until the request is out and hanging, then do what Ctrl+C does.
            await Task.Delay(TimeSpan.FromSeconds(1));
            running.IsCompleted.Should().BeFalse("the cluster hangs and the timeout is five minutes");
            var stop = Task.Factory.FromAsync(ps.BeginStop(null, null), ps.EndStop);
            // Without cancellation the stop would wait out the 300 s timeout; 60 s is only a guard.
            (await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(60)))).Should().BeSameAs(stop, "Ctrl+C cancels the cluster still running");
            ps.InvocationStateInfo.State.Should().Be(PSInvocationState.Stopped);
        }
        finally
        {
            await fixture.Emulator.SetFaultsAsync(fixture.Contexts[2], "{}");
        }
    }
}
