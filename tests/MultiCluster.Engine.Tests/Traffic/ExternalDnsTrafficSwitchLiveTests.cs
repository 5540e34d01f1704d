using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Tests.Recovery;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Traffic;

/// <summary>The failover's ExternalDNS switch on two emulated clusters, each with the Service production/web.</summary>
public class ExternalDnsTrafficSwitchLiveTests
{
    private static async Task<RecoveryTestBed> StartAsync(string prefix, string primaryAnnotations, string standbyAnnotations)
    {
        var bed = await RecoveryTestBed.StartAsync(prefix);
        foreach (var (cluster, annotations) in new[] { (bed.Primary, primaryAnnotations), (bed.Standby, standbyAnnotations) })
        {
            RecoveryTestBed.CreateNamespace(cluster, "production");
            RecoveryTestBed.Create(cluster, RecoveryTestBed.Parse($$$"""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"production","annotations":{{{{annotations}}}}},
                 "spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}
                """));
        }
        return bed;
    }

    private static IReadOnlyDictionary<string, string> Annotations(Testing.EmulatedCluster cluster) =>
        (RecoveryTestBed.Get(cluster, "", "services", "production", "web")!["metadata"]!["annotations"]?.AsObject() ?? [])
            .ToDictionary(a => a.Key, a => (string)a.Value!);

    [RequiresSharedCrdsFact]
    public async Task The_host_name_moves_from_the_primary_to_the_standby_and_a_second_switch_is_not_needed()
    {
        await using var bed = await StartAsync("xdns", $"\"{ExternalDnsAnnotations.Hostname}\":\"app.example.com,www.example.com\"", "");
        var traffic = new ExternalDnsTrafficSwitch(bed.Connector, bed.PrimaryCluster, bed.StandbyCluster, "Service", "production", "web", "app.example.com.", false);

        await traffic.CheckAsync(default);
        (await traffic.IsSwitchedAsync(default)).Should().BeFalse();
        var message = await traffic.SwitchAsync(default);

        message.Should().Be($"ExternalDNS app.example.com: Service production/web {bed.PrimaryCluster.Name} -> {bed.StandbyCluster.Name}: {bed.StandbyCluster.Name} annotated; removed from {bed.PrimaryCluster.Name}");
        Annotations(bed.Standby).Should().Contain(ExternalDnsAnnotations.Hostname, "app.example.com");
        Annotations(bed.Primary).Should().Contain(ExternalDnsAnnotations.Hostname, "www.example.com");
        (await traffic.IsSwitchedAsync(default)).Should().BeTrue();
    }

    [RequiresSharedCrdsFact]
    public async Task A_restored_object_that_already_carries_the_name_is_not_the_switch_until_the_primary_gives_it_up()
    {
        // What a restore leaves: the standby's copy of the object with the primary's annotations, the name included.
        var named = $"\"{ExternalDnsAnnotations.Hostname}\":\"app.example.com\"";
        await using var bed = await StartAsync("xdnsrestored", named, named);
        var traffic = new ExternalDnsTrafficSwitch(bed.Connector, bed.PrimaryCluster, bed.StandbyCluster, "Service", "production", "web", "app.example.com", false);

        (await traffic.IsSwitchedAsync(default)).Should().BeFalse("both ExternalDNS instances still publish the name");
        var message = await traffic.SwitchAsync(default);

        message.Should().EndWith($"{bed.StandbyCluster.Name} annotated; removed from {bed.PrimaryCluster.Name}");
        Annotations(bed.Primary).Should().NotContainKey(ExternalDnsAnnotations.Hostname);
        Annotations(bed.Standby).Should().Contain(ExternalDnsAnnotations.Hostname, "app.example.com");
        (await traffic.IsSwitchedAsync(default)).Should().BeTrue();
    }

    [RequiresSharedCrdsFact]
    public async Task A_failover_pair_is_flipped_and_a_primary_that_is_down_keeps_its_half()
    {
        var pair = $"\"{ExternalDnsAnnotations.Hostname}\":\"app.example.com\",\"{ExternalDnsAnnotations.SetIdentifier}\":\"{{0}}\",\"{ExternalDnsAnnotations.AwsFailover}\":\"{{1}}\"";
        await using var bed = await StartAsync("xdnspair", string.Format(pair, "use1", "PRIMARY"), string.Format(pair, "euc1", "SECONDARY"));
        await bed.Primary.SetFaultsAsync(new FaultSettings { Stopped = true });
        var traffic = new ExternalDnsTrafficSwitch(bed.Connector, bed.PrimaryCluster, bed.StandbyCluster, "Service", "production", "web", "app.example.com", true);

        await traffic.CheckAsync(default);
        var message = await traffic.SwitchAsync(default);

        message.Should().StartWith($"ExternalDNS app.example.com: Service production/web aws-failover PRIMARY -> {bed.StandbyCluster.Name}: {bed.StandbyCluster.Name} annotated; {bed.PrimaryCluster.Name} not changed (it does not answer");
        Annotations(bed.Standby)[ExternalDnsAnnotations.AwsFailover].Should().Be("PRIMARY");
        Annotations(bed.Primary)[ExternalDnsAnnotations.AwsFailover].Should().Be("PRIMARY", "the primary was down");
        (await traffic.IsSwitchedAsync(default)).Should().BeTrue();
    }

    [RequiresSharedCrdsFact]
    public async Task A_standby_without_the_object_fails_the_switch_and_one_without_the_pair_fails_the_check()
    {
        await using var bed = await StartAsync("xdnsbad", "", "");
        var revision = bed.Standby.Store.CurrentResourceVersion;

        var missing = () => new ExternalDnsTrafficSwitch(bed.Connector, bed.PrimaryCluster, bed.StandbyCluster, "Ingress", "production", "web", "app.example.com", false).SwitchAsync(default);
        var notPair = () => new ExternalDnsTrafficSwitch(bed.Connector, bed.PrimaryCluster, bed.StandbyCluster, "Service", "production", "web", "app.example.com", true).CheckAsync(default);

        var error = (await missing.Should().ThrowAsync<FleetException>()).Which;
        error.ErrorId.Should().Be(ExternalDnsTrafficSwitch.ExternalDnsObjectNotFound);
        error.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        (await notPair.Should().ThrowAsync<FleetException>()).Which.Category.Should().Be(FleetErrorCategory.InvalidData);
        bed.Standby.Store.CurrentResourceVersion.Should().Be(revision);
    }
}
