using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Three emulated clusters with the real Submariner and MCS CRDs, tokens and the MCS controller; east and west share a pod range.</summary>
public sealed class SubmarinerEmulatorFixture : EmulatedFleetFixture
{

    public override async Task InitializeAsync()
    {
        if (MultiCluster.Testing.SharedFiles.Crds is null) return;
        Emulator = await EmulatorProcess.StartAsync(3, "sub" + Guid.NewGuid().ToString("N")[..4], crds: "submariner,mcs-api", controllers: "mcs,serviceaccount-tokens");
        FleetYaml = $"""
            name: tunnels
            clusters:
              - name: hub
                context: {Emulator.Contexts[0]}
                role: management
                network: {"{"} podCidr: 10.240.0.0/16, serviceCidr: 10.90.0.0/16 {"}"}
              - name: East_1
                context: {Emulator.Contexts[1]}
                network: {"{"} podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/16 {"}"}
              - name: west-1
                context: {Emulator.Contexts[2]}
                network: {"{"} podCidr: 10.244.0.0/16, serviceCidr: 10.97.0.0/16 {"}"}
            """;
        using var session = NewSession();
        session.Run("""
            foreach ($cluster in 'hub', 'East_1', 'west-1') {
                $node = $cluster.ToLower().Replace('_', '-') + '-node'
                $labels = @{ 'kubernetes.io/hostname' = $node }
                if ($cluster -ne 'west-1') { $labels['submariner.io/gateway'] = 'true' }
                @{ apiVersion = 'v1'; kind = 'Node'; metadata = @{ name = $node; labels = $labels } } |
                    Invoke-FleetApply -Cluster $cluster | Out-Null
            }
            """).ThrowIfFailed();
    }
}

/// <summary>Join-FleetMesh -Provider Submariner in a real runspace: refusals before any change, -WhatIf per cluster, apply, a second run, -Verify, rendering.</summary>
public sealed class SubmarinerTests(SubmarinerEmulatorFixture fixture) : IClassFixture<SubmarinerEmulatorFixture>
{
    private static List<FleetResourceResult> Results(PowerShellResult result) => result.Output.OfType<FleetResourceResult>().ToList();

    private static int SubmarinerObjects(PowerShellSession session) => session.Run(
        "@(Get-FleetResource -Kind Submariner -ApiVersion submariner.io/v1alpha1 -Namespace submariner-operator -ErrorAction SilentlyContinue).Count + " +
        "@(Get-FleetResource -Kind Broker -ApiVersion submariner.io/v1alpha1 -Namespace submariner-k8s-broker -ErrorAction SilentlyContinue).Count").Output.Cast<int>().Single();

    [RequiresSharedCrdsFact]
    public void Refuses_bad_input_previews_per_cluster_joins_is_Unchanged_the_second_time_and_verifies_every_pair()
    {
        using var session = fixture.NewSession();

        var overlap = session.Run("Join-FleetMesh -Provider Submariner -LabelGatewayNode");
        overlap.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("CidrOverlap");
        overlap.TerminatingRecord.CategoryInfo.Category.Should().Be(ErrorCategory.InvalidArgument);
        overlap.TerminatingRecord.TargetObject.Should().Be("(ranges)");
        overlap.TerminatingRecord.Exception.Message.Should().Contain("East_1 pod range 10.244.0.0/16 (fleet file) and west-1 pod range 10.244.0.0/16 (fleet file)")
            .And.Contain("Enable Submariner Globalnet");
        var noGateway = session.Run("Join-FleetMesh -Provider Submariner -Globalnet");
        noGateway.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("GatewayNodeMissing");
        noGateway.TerminatingRecord.TargetObject.Should().Be("west-1");
        var badId = session.Run("Join-FleetMesh -Provider Submariner -Globalnet -LabelGatewayNode -ClusterId @{ hub = 'Hub!' }");
        badId.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterIdInvalid");
        badId.TerminatingRecord.CategoryInfo.Category.Should().Be(ErrorCategory.InvalidArgument);
        badId.TerminatingRecord.Exception.Message.Should().Be("Submariner cluster id 'Hub!' of 'hub' (-ClusterId) is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit). Nothing was changed.");
        var twice = session.Run("Join-FleetMesh -Provider Submariner -Globalnet -LabelGatewayNode -ClusterId @{ hub = 'one'; 'East_1' = 'one' }");
        twice.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterIdDuplicate");
        twice.TerminatingRecord.TargetObject.Should().Be("East_1");

        var preview = session.Run("Join-FleetMesh -Provider Submariner -Globalnet -LabelGatewayNode -WhatIf");

        preview.Errors.Should().BeEmpty();
        var wouldDo = Results(preview);
        wouldDo.Should().HaveCount(14 + 3 * 4 + 1);
        wouldDo.GroupBy(r => r.Cluster).Select(g => (g.Key, g.Count())).Should().BeEquivalentTo(new[] { ("hub", 14 + 4), ("East_1", 4), ("west-1", 5) });
        wouldDo.Where(r => r.Kind != "Node").Should().HaveCount(14 + 3 * 4).And.AllSatisfy(r => r.Action.Should().Be(FleetResourceAction.WouldCreate));
        wouldDo.Single(r => r.Kind == "Node").Should().BeEquivalentTo(new { Cluster = "west-1", Name = "west-1-node", Action = FleetResourceAction.WouldChange });
        SubmarinerObjects(session).Should().Be(0);

        var join = session.Run("Join-FleetMesh -Provider Submariner -Globalnet -LabelGatewayNode -Verbose");

        join.Errors.Should().BeEmpty();
        var done = Results(join);
        done.Should().HaveCount(14 + 3 * 4 + 1);
        done.Where(r => r.Action != FleetResourceAction.Created).Select(r => (r.Cluster, r.Kind, r.Action)).Should().Equal(("west-1", "Node", FleetResourceAction.Configured));
        join.Verbose.Should().Contain("Submariner East_1: cluster id east-1 (cluster name 'East_1', sanitised as subctl does); pod range 10.244.0.0/16 (fleet file); " +
            "service range 10.96.0.0/16 (fleet file); global CIDR 242.1.0.0/16 (allocated from 242.0.0.0/8); gateway node east-1-node (labelled)");
        SubmarinerObjects(session).Should().Be(4);
        session.Run("""
            $spec = (Get-FleetResource -Kind Submariner -ApiVersion submariner.io/v1alpha1 -Namespace submariner-operator -Cluster west-1).Object.spec
            $spec.globalCIDR; $spec.brokerK8sSecret; $spec.ceIPSecPSKSecret; $spec.Contains('brokerK8sApiServerToken'); $spec.Contains('ceIPSecPSK')
            """).Output.Select(o => o!.ToString()).Should().Equal("242.2.0.0/16", "submariner-broker-secret", "submariner-ipsec-psk", "False", "False");

        var again = session.Run("Join-FleetMesh -Provider Submariner -Globalnet -Verify -TimeoutSeconds 30");

        again.Errors.Should().BeEmpty();
        Results(again).Should().HaveCount(14 + 3 * 4);
        Results(again).Should().AllSatisfy(r => r.Action.Should().Be(FleetResourceAction.Unchanged));
        var links = again.Output.OfType<FleetMeshLink>().ToList();
        links.Should().HaveCount(6);
        links.Should().AllSatisfy(l =>
        {
            l.Provider.Should().Be(FleetMeshProvider.Submariner);
            l.Status.Should().Be(FleetMeshLinkStatus.Healthy);
        });
        links.Select(l => $"{l.Cluster}>{l.Peer}").Should().BeEquivalentTo("hub>East_1", "hub>west-1", "East_1>hub", "East_1>west-1", "west-1>hub", "west-1>East_1");
    }

    [RequiresSharedCrdsFact]
    public void Renders_the_broker_and_each_member_into_files_and_touches_no_cluster()
    {
        using var session = fixture.NewSession();
        var folder = Path.Combine(Path.GetTempPath(), "subm-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            var result = session.Run("Join-FleetMesh -Provider Submariner -Globalnet -Cluster hub, East_1 -BrokerCluster hub -OutputPath $args[0]", folder);

            result.Errors.Should().BeEmpty();
            result.Warnings.Should().BeEmpty();
            var manifests = result.Output.OfType<FleetManifest>().ToList();
            // hub: namespace, Broker, Role, 2 x (account, binding, token Secret), globalnet-info; then its member objects. East_1: its member objects.
            manifests.Should().HaveCount(10 + 2 + 2);
            manifests.Where(m => m.Cluster == "East_1").Select(m => (m.Kind, m.Name)).Should().Equal(("Namespace", "submariner-operator"), ("Submariner", "submariner"));
            manifests.Where(m => m.Cluster == "hub").Select(m => m.Kind).Should().Equal("Namespace", "Broker", "Role", "ServiceAccount", "RoleBinding", "Secret",
                "ServiceAccount", "RoleBinding", "Secret", "ConfigMap", "Namespace", "Submariner");
            var member = File.ReadAllText(Path.Combine(folder, "East_1.yaml"));
            member.Should().Contain("brokerK8sSecret: submariner-broker-secret").And.Contain("ceIPSecPSKSecret: submariner-ipsec-psk")
                .And.NotContain("brokerK8sApiServerToken").And.NotContain("ceIPSecPSK:");
            File.ReadAllText(Path.Combine(folder, "hub.yaml")).Should().Contain("kind: Broker").And.Contain("kind: Submariner");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }
}
