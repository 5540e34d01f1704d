using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// No command does more than it says: a piped object is deleted or applied on its own cluster
/// only, and a pipeline that stops (an error under -ErrorAction Stop, Select-Object -First) stops
/// the engine before anything else is changed.
/// </summary>
public sealed class SafetyTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void A_piped_object_is_deleted_on_its_own_cluster_and_a_same_named_object_elsewhere_survives()
    {
        using var session = fixture.NewSession();
        var name = "piped-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' }; data = @{ a = '1' } } | Invoke-FleetApply -Cluster prod-a, prod-b",
            name).ThrowIfFailed();

        // prod-a's object is piped; prod-b is named too (as a user selecting "these clusters" would).
        var removed = Results(session.Run("""
            Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a | Remove-FleetResource -Cluster prod-b -MaxClusters 2 -Confirm:$false
            """, name));

        removed.Should().ContainSingle();
        removed[0].Should().Match<FleetResourceResult>(r => r.Cluster == "prod-a" && r.Name == name && r.Action == FleetResourceAction.Deleted);
        var left = session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a, prod-b -ErrorAction SilentlyContinue", name).Output.Cast<FleetResource>().ToList();
        left.Should().ContainSingle().Which.Cluster.Should().Be("prod-b", "prod-b's object was not piped");
    }

    [Fact]
    public void Objects_piped_from_two_clusters_are_each_deleted_where_they_came_from()
    {
        using var session = fixture.NewSession();
        var a = "only-a-" + Guid.NewGuid().ToString("N")[..6];
        var b = "only-b-" + Guid.NewGuid().ToString("N")[..6];
        var shared = "shared-" + Guid.NewGuid().ToString("N")[..6];
        foreach (var (cluster, names) in new[] { ("prod-a", new[] { a, shared }), ("prod-b", new[] { b, shared }) })
        {
            foreach (var n in names)
                session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' } } | Invoke-FleetApply -Cluster $args[1]", n, cluster).ThrowIfFailed();
        }

        // prod-a's own object and prod-b's own object: nothing else, though both clusters hold 'shared'.
        var removed = Results(session.Run("""
            @(Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a) + @(Get-FleetResource ConfigMap $args[1] -Namespace default -Cluster prod-b) |
              Remove-FleetResource -MaxClusters 2 -Confirm:$false
            """, a, b));

        removed.Should().HaveCount(2);
        removed.Select(r => (r.Cluster, r.Name, r.Action)).Should().BeEquivalentTo(new[]
        {
            ("prod-a", a, FleetResourceAction.Deleted), ("prod-b", b, FleetResourceAction.Deleted),
        });
        session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a, prod-b", shared).ThrowIfFailed().Output.Should().HaveCount(2, "'shared' was never piped");
    }

    [Fact]
    public void A_piped_object_is_applied_to_its_own_cluster_only()
    {
        using var session = fixture.NewSession();
        var name = "copy-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' }; data = @{ from = 'a' } } | Invoke-FleetApply -Cluster prod-a", name).ThrowIfFailed();
        session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' }; data = @{ from = 'b' } } | Invoke-FleetApply -Cluster prod-b", name).ThrowIfFailed();

        var applied = Results(session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a, prod-b | Invoke-FleetApply", name));

        applied.Should().HaveCount(2);
        applied.Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[] { ("prod-a", FleetResourceAction.Unchanged), ("prod-b", FleetResourceAction.Unchanged) });
        var live = session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a, prod-b", name).ThrowIfFailed().Output.Cast<FleetResource>()
            .ToDictionary(r => r.Cluster, r => ((System.Collections.IDictionary)r.Object["data"]!)["from"]);
        live.Should().HaveCount(2);
        live["prod-a"].Should().Be("a");
        live["prod-b"].Should().Be("b", "prod-a's copy was never applied to prod-b");
    }

    [Fact]
    public async Task Remove_FleetResource_with_ErrorAction_Stop_stops_the_engine_and_nothing_is_deleted_after_the_error()
    {
        using var session = fixture.NewSession();
        var name = "stop-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' } } | Invoke-FleetApply -Cluster prod-a, dev-c", name).ThrowIfFailed();
        var failing = fixture.Contexts[0]; // prod-a: every DELETE fails
        var slow = fixture.Contexts[2];    // dev-c: every DELETE waits 6 s before it is carried out
        await fixture.Emulator.SetFaultsAsync(failing, """{"failureRate":1,"methods":["DELETE"]}""");
        await fixture.Emulator.SetFaultsAsync(slow, """{"latencyMs":6000,"methods":["DELETE"]}""");
        PowerShellResult result;
        try
        {
            result = session.Run("Remove-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a, dev-c -MaxClusters 2 -Confirm:$false -ErrorAction Stop", name);
            await Task.Delay(TimeSpan.FromSeconds(8)); // past dev-c's delay: an engine left running would have deleted by now
        }
        finally
        {
            await fixture.Emulator.SetFaultsAsync(failing, "{}");
            await fixture.Emulator.SetFaultsAsync(slow, "{}");
        }

        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ServerError,");
        var deletes = (await fixture.Emulator.RequestsAsync(slow)).Where(r => r.Method == "DELETE" && r.Path.Contains(name)).ToList();
        deletes.Should().ContainSingle("dev-c's delete was sent before prod-a failed");
        deletes[0].Status.Should().Be(499, "the stopped command cancelled it before the server carried it out");
        session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster dev-c", name).ThrowIfFailed().Output.Should().ContainSingle();
    }

    [Theory]
    [InlineData("Select-Object -First 1")]
    [InlineData("ForEach-Object { throw 'downstream failed' }")]
    public async Task A_pipeline_stopped_downstream_stops_Get_FleetResource_and_no_request_is_served_afterwards(string downstream)
    {
        using var session = fixture.NewSession();
        var name = "first-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' } } | Invoke-FleetApply -Cluster prod-a", name).ThrowIfFailed();
        var slow = new[] { fixture.Contexts[1], fixture.Contexts[2] }; // prod-b, dev-c: every GET waits 2 s, so prod-a answers first
        foreach (var context in slow) await fixture.Emulator.SetFaultsAsync(context, """{"latencyMs":2000,"methods":["GET"]}""");
        var started = DateTimeOffset.UtcNow;
        var stopped = DateTimeOffset.MaxValue;
        PowerShellResult result;
        try
        {
            result = session.Run("Get-FleetResource ConfigMap -Namespace default -Cluster prod-a, prod-b, dev-c | " + downstream);
            stopped = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(5)); // past discovery + list (2 s each): an engine left running would have listed by now
        }
        finally
        {
            foreach (var context in slow) await fixture.Emulator.SetFaultsAsync(context, "{}");
        }

        if (downstream.StartsWith("Select", StringComparison.Ordinal))
        {
            result.TerminatingRecord.Should().BeNull();
            result.Output.Should().ContainSingle().Which.Should().BeOfType<FleetResource>().Which.Cluster.Should().Be("prod-a");
        }
        else
        {
            result.TerminatingRecord!.Exception.Message.Should().Be("downstream failed");
        }
        foreach (var context in slow)
        {
            var requests = (await fixture.Emulator.RequestsAsync(context)).Where(r => r.Time >= started).ToList();
            requests.Should().NotBeEmpty($"{context} was asked before the pipeline stopped");
            // A discovery fetch in flight is shared by every caller on the connection, so the one begun before
            // the stop may finish (on a loaded machine its connection set-up can even bring it to the server
            // after the command ended); nothing else began or was served, and the engine went no further.
            var late = requests.Where(r => r.Started >= stopped).ToList();
            late.Should().HaveCountLessThanOrEqualTo(1, $"at most the one shared discovery read reached {context} late: {string.Join("; ", late)}");
            late.Where(r => !IsDiscoveryRead(r)).Should().BeEmpty(
                $"no request but the in-flight discovery read reached {context} after the command ended: {string.Join("; ", requests)}");
            var served = requests.Where(r => r.Status != 499).ToList();
            served.Should().HaveCountLessThanOrEqualTo(1, $"at most the one shared discovery read was served on {context}: {string.Join("; ", served)}");
            served.Where(r => !IsDiscoveryRead(r)).Should().BeEmpty(
                $"nothing but an in-flight discovery read was served on {context} after the pipeline stopped: {string.Join("; ", served)}");
            requests.Should().NotContain(r => r.Path.Contains("configmaps"), $"the stopped command never went on to list {context}");
        }
    }

    private static bool IsDiscoveryRead(EmulatedRequest request) =>
        request.Method == "GET" && request.Path.StartsWith("/api", StringComparison.Ordinal) && !request.Path.Contains("configmaps");

    [Fact]
    public async Task Select_Object_First_1_over_a_list_of_more_than_one_page_requests_no_second_page()
    {
        using var session = fixture.NewSession();
        var ns = "pages-" + Guid.NewGuid().ToString("N")[..6];
        const string cluster = "prod-a";
        var context = fixture.Contexts[0]; // prod-a
        session.Run("""
            $ns = $args[0]
            $objects = @(@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $ns } }) +
                @(1..501 | ForEach-Object { @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = ('cm-{0:D3}' -f $_); namespace = $ns } } })
            $objects | Invoke-FleetApply -Cluster $args[1] | Out-Null
            """, ns, cluster).ThrowIfFailed();
        var listPath = $"/api/v1/namespaces/{ns}/configmaps?";
        var seeded = DateTimeOffset.UtcNow; // the apply lists too; only what Get-FleetResource asks counts
        async Task<List<EmulatedRequest>> Lists() => (await fixture.Emulator.RequestsAsync(context))
            .Where(r => r.Started >= seeded && r.Method == "GET" && r.Path.StartsWith(listPath, StringComparison.Ordinal)).ToList();

        var first = session.Run("Get-FleetResource ConfigMap -Namespace $args[0] -Cluster $args[1] | Select-Object -First 1", ns, cluster).ThrowIfFailed();
        await Task.Delay(TimeSpan.FromSeconds(1)); // an engine reading ahead would have asked for the second page by now

        first.Output.Should().ContainSingle().Which.Should().BeOfType<FleetResource>().Which.Name.Should().Be("cm-001");
        var afterFirst = await Lists();
        afterFirst.Should().ContainSingle("the first object needed only the first page")
            .Which.Path.Should().NotContain("continue=");

        var all = session.Run("Get-FleetResource ConfigMap -Namespace $args[0] -Cluster $args[1]", ns, cluster).ThrowIfFailed();
        all.Output.Should().HaveCount(501);
        var lists = (await Lists()).Skip(1).ToList();
        lists.Should().HaveCount(2, "the whole list takes two pages of 500, so a second page was there to be asked for");
        lists[1].Path.Should().Contain("continue=");
    }

    [Fact]
    public async Task A_second_cmdlet_in_the_session_asks_a_cluster_for_no_discovery_again()
    {
        using var session = fixture.NewSession();
        var name = "cached-" + Guid.NewGuid().ToString("N")[..6];
        var context = fixture.Contexts[0]; // prod-a
        var applied = Results(session.Run("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $args[0]; namespace = 'default' } } | Invoke-FleetApply -Cluster prod-a", name));
        var between = DateTimeOffset.UtcNow;
        var read = session.Run("Get-FleetResource ConfigMap $args[0] -Namespace default -Cluster prod-a", name).ThrowIfFailed();
        var requests = (await fixture.Emulator.RequestsAsync(context)).Where(r => r.Started >= between).ToList();

        applied.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Created);
        read.Output.Should().ContainSingle();
        requests.Should().ContainSingle($"only the read itself: {string.Join("; ", requests)}")
            .Which.Path.Should().StartWith("/api/v1/namespaces/default/configmaps", "the apply's discovery of v1 is kept for the session");
    }

    private static List<FleetResourceResult> Results(PowerShellResult result) => result.Output.Cast<FleetResourceResult>().ToList();
}
