using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Two emulated clusters with the real Velero CRDs and every simulated controller, and the
/// emulated Route 53 holding the zone example.com: prod-a the primary, prod-b its standby.
/// </summary>
public sealed class DnsFailoverFixture : EmulatedFleetFixture
{
    public EmulatedRoute53 Route53 => Emulator.Route53!;

    public override async Task InitializeAsync()
    {
        if (MultiCluster.Testing.SharedFiles.Crds is null) return;
        Emulator = await EmulatorProcess.StartAsync(2, "dns" + Guid.NewGuid().ToString("N")[..4], crds: "velero", controllers: "all", route53Zone: "example.com");
        FleetYaml = $"""
            name: dns-fleet
            clusters:
              - name: prod-a
                context: {Emulator.Contexts[0]}
                region: us-east-1
                drPeer: prod-b
              - name: prod-b
                context: {Emulator.Contexts[1]}
                region: us-west-2
                role: dr
            """;
    }
}

/// <summary>
/// Issue 15's proof with issue 14's failover: Set-FleetDnsRecord writes a failover pair into
/// Route 53, Invoke-FleetFailover -TrafficProvider Route53 moves the primary's record set to the
/// standby, as a user runs them. The AWS credentials file is named through a process-wide
/// environment variable, so this class runs alone.
/// </summary>
[Collection(nameof(DnsFailoverCollection))]
public sealed class DnsFailoverTests(DnsFailoverFixture fixture) : IClassFixture<DnsFailoverFixture>
{
    private const string PrimaryAddress = "192.0.2.10";
    private const string StandbyAddress = "198.51.100.20";
    private const string Name = "shop.example.com.";

    /// <summary>Runs a script with the emulated Route 53's credentials file as the AWS shared credentials file, only while it runs.</summary>
    private PowerShellResult WithRoute53(PowerShellSession session, string script, params object?[] arguments) =>
        session.Run($$"""
            [Environment]::SetEnvironmentVariable('AWS_SHARED_CREDENTIALS_FILE', $args[0])
            try {
              $route53 = @{ AwsProfile = '{{EmulatedRoute53.Profile}}'; Route53Endpoint = $args[1] }
              {{script}}
            } finally { [Environment]::SetEnvironmentVariable('AWS_SHARED_CREDENTIALS_FILE', $null) }
            """, [fixture.Route53.CredentialsFile, fixture.Route53.Endpoint, .. arguments]);

    private async Task<List<Route53Reader.RecordSet>> ShopRecordsAsync() =>
        (await Route53Reader.RecordSetsAsync(fixture.Route53)).Where(r => r.Name == Name).OrderBy(r => r.SetIdentifier, StringComparer.Ordinal).ToList();

    [RequiresSharedCrdsFact]
    public async Task Set_FleetDnsRecord_writes_a_failover_pair_and_Invoke_FleetFailover_moves_the_primary_record_to_the_standby_and_verifies_it()
    {
        using var session = fixture.NewSession();
        var ns = "shop-" + Guid.NewGuid().ToString("N")[..6];
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply | Out-Null
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[0] }; data = @{ mode = 'live' } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            New-FleetBackupLocation dr -Provider aws -Bucket $args[0] -Default -Cluster prod-a | Out-Null
            New-FleetBackupLocation dr -Provider aws -Bucket $args[0] -AccessMode ReadOnly -Cluster prod-b | Out-Null
            New-FleetBackupSchedule $args[0] -Rpo 01:00:00 -IncludedNamespace $args[0] -StorageLocation dr -Cluster prod-a | Out-Null
            """, ns).ThrowIfFailed();
        const string setRecords = """
            Set-FleetDnsRecord shop.example.com -ZoneName example.com -Policy Failover -Cluster prod-a, prod-b -Primary prod-a `
              -Endpoint @{ 'prod-a' = $args[2]; 'prod-b' = $args[3] } -HealthCheckId @{ 'prod-a' = 'hc-prod-a' } @route53
            """;

        var set = WithRoute53(session, setRecords, PrimaryAddress, StandbyAddress).ThrowIfFailed().Output.Cast<FleetDnsRecord>().ToList();

        set.Select(r => (r.Cluster, r.SetIdentifier, r.Value, r.HealthCheckId, r.Action)).Should().Equal(
            ("prod-a", "prod-a", PrimaryAddress, "hc-prod-a", FleetResourceAction.Created),
            ("prod-b", "prod-b", StandbyAddress, (string?)null, FleetResourceAction.Created));
        (await ShopRecordsAsync()).Should().BeEquivalentTo(new[]
        {
            new Route53Reader.RecordSet(Name, "A", "prod-a", "PRIMARY", "hc-prod-a", 60, [PrimaryAddress]),
            new Route53Reader.RecordSet(Name, "A", "prod-b", "SECONDARY", null, 60, [StandbyAddress]),
        }, o => o.WithStrictOrdering());
        WithRoute53(session, setRecords, PrimaryAddress, StandbyAddress).ThrowIfFailed().Output.Cast<FleetDnsRecord>()
            .Select(r => r.Action).Should().Equal([FleetResourceAction.Unchanged, FleetResourceAction.Unchanged], "a second run changes nothing");

        for (var i = 0; i < 100 && session.Run("@(Get-FleetBackup -Cluster prod-b -Schedule $args[0] -Phase Completed).Count", ns).ThrowIfFailed().Output.Single() is 0; i++)
            Thread.Sleep(200);
        using var health = new MultiCluster.Testing.Monitoring.ReadyEndpoint { Ready = false };
        const string failover = """
            Invoke-FleetFailover -From prod-a -To prod-b -Namespace $args[2] -Force -TrafficProvider Route53 -ZoneName example.com `
              -RecordName shop.example.com -SetIdentifier prod-a -Target $args[3] -HealthUrl $args[4] -Confirm:$false @route53
            """;
        var healthUrl = $"http://{health.Address}/-/ready";

        var unverified = WithRoute53(session, failover, ns, StandbyAddress, healthUrl);

        var failed = unverified.Output.Cast<FleetFailoverResult>().Single();
        failed.Status.Should().Be("Failed");
        failed.Steps.Select(s => s.Outcome).Should().Equal("Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded", "Failed");
        var error = unverified.Errors.Should().ContainSingle("a failed step is a non-terminating error").Which;
        error.FullyQualifiedErrorId.Should().StartWith("FailoverVerifyFailed,");
        error.TargetObject.Should().Be("prod-b");
        error.Exception.Message.Should().Be($"{healthUrl} answered 503 after the switch.");
        unverified.TerminatingRecord.Should().BeNull();
        (await ShopRecordsAsync()).Single(r => r.SetIdentifier == "prod-a").Values.Should().Equal([StandbyAddress], "the check runs after the switch");

        health.Ready = true;
        var run = WithRoute53(session, failover, ns, StandbyAddress, healthUrl);

        var result = run.ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();
        result.Status.Should().Be("Completed", result.Message);
        result.Restore.Should().Be(failed.Restore, "the rerun continued the same failover");
        result.Steps.Select(s => (s.Name, s.Outcome)).Should().Equal(("AssessPrimary", "Succeeded"), ("SelectBackup", "Succeeded"), ("Restore", "Succeeded"),
            ("WaitForWorkloads", "Succeeded"), ("SwitchTraffic", "Succeeded"), ("Verify", "Succeeded"));
        result.Steps[5].Message.Should().Be($"{healthUrl} answered 200");
        result.Traffic.Should().Be($"Route 53 {Name} A (prod-a) -> {StandbyAddress}");
        result.Steps[4].Message.Should().StartWith($"Route 53 {Name} A (prod-a) -> {StandbyAddress}: change ").And.EndWith(" INSYNC");
        // The primary record set answers with the standby now, its failover role and health check kept; the secondary is as it was.
        var after = await ShopRecordsAsync();
        after.Should().BeEquivalentTo(new[]
        {
            new Route53Reader.RecordSet(Name, "A", "prod-a", "PRIMARY", "hc-prod-a", 60, [StandbyAddress]),
            new Route53Reader.RecordSet(Name, "A", "prod-b", "SECONDARY", null, 60, [StandbyAddress]),
        }, o => o.WithStrictOrdering());

        var again = WithRoute53(session, failover, ns, StandbyAddress, healthUrl).ThrowIfFailed().Output.Cast<FleetFailoverResult>().Single();

        again.Status.Should().Be("AlreadyComplete");
        again.Restore.Should().Be(result.Restore);
        session.Run("@(Get-FleetResource -Kind Restore -Namespace velero -Cluster prod-b).Count").ThrowIfFailed().Output.Single().Should().Be(1);
        (await ShopRecordsAsync()).Should().BeEquivalentTo(after, o => o.WithStrictOrdering(), "the second run left the records alone");
        WithRoute53(session, "Set-FleetDnsRecord shop.example.com -ZoneName example.com -Policy Failover -Cluster prod-a, prod-b -Primary prod-a -Endpoint @{ 'prod-a' = $args[2]; 'prod-b' = $args[3] } -HealthCheckId @{ 'prod-a' = 'hc-prod-a' } -WhatIf @route53",
                PrimaryAddress, StandbyAddress).ThrowIfFailed().Output.Cast<FleetDnsRecord>().Select(r => (r.Cluster, r.Action))
            .Should().Equal([("prod-a", FleetResourceAction.WouldChange), ("prod-b", FleetResourceAction.Unchanged)],
                "the fleet's routing still names prod-a's own address: running Set-FleetDnsRecord now would undo the failover");
    }
}

[CollectionDefinition(nameof(DnsFailoverCollection), DisableParallelization = true)]
public sealed class DnsFailoverCollection;
