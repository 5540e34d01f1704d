using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Mesh;

/// <summary>
/// Joins the selected clusters into an Istio multi-primary mesh: per member the istio-system
/// network label and the reader account, role, binding and token, and on a multi-network mesh the
/// cross-network Gateway; for every ordered pair the remote secret istioctl create-remote-secret
/// makes. A second run writes only missing or broken links; -Rotate rolls every token without a
/// gap. With -OutputPath it renders each member's install configuration (IstioOperator or Helm
/// values, east-west gateway) and touches no cluster.
/// -Provider Cilium renders or connects Cluster Mesh; -Provider Submariner checks ranges, ids and
/// gateways first, then deploys the broker and joins each member (or renders them), and with
/// -Verify proves every pair through the Multi-Cluster Services API.
/// </summary>
[Cmdlet(VerbsCommon.Join, "FleetMesh", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetMeshLink), typeof(FleetManifest), typeof(FleetResourceResult))]
public sealed class JoinFleetMeshCommand : FanOutCmdlet
{
    /// <summary>The mesh to join: Istio, Cilium or Submariner; by default what the fleet file's networking section names.</summary>
    [Parameter]
    [ValidateSet(nameof(FleetMeshProvider.Istio), nameof(FleetMeshProvider.Cilium), nameof(FleetMeshProvider.Submariner))]
    public FleetMeshProvider Provider { get; set; }

    /// <summary>Istio's global.meshID, the same on every member (Istio only, required there).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string MeshId { get; set; } = "";

    /// <summary>Cilium: ids up to 511 (clustermesh.maxConnectedClusters: 511).</summary>
    [Parameter]
    public SwitchParameter ExtendedClusterId { get; set; }

    /// <summary>Cilium: the clustermesh-apiserver Service type.</summary>
    [Parameter]
    [ValidateSet("NodePort", "LoadBalancer")]
    public string ServiceType { get; set; } = "NodePort";

    /// <summary>Istio network per cluster: @{ 'prod-use1-01' = 'net-east' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Network { get; set; }

    /// <summary>Each cluster's network is its region.</summary>
    [Parameter]
    public SwitchParameter NetworkPerRegion { get; set; }

    /// <summary>New reader tokens everywhere; the old ones are revoked once every new link works.</summary>
    [Parameter]
    public SwitchParameter Rotate { get; set; }

    /// <summary>Renders each member's install configuration into this folder instead of changing clusters.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>IstioOperator resources (default) or Helm values files.</summary>
    [Parameter]
    public IstioConfigFormat Format { get; set; } = IstioConfigFormat.IstioOperator;

    /// <summary>Submariner: the cluster that runs the broker; by default the fleet's management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? BrokerCluster { get; set; }

    /// <summary>Submariner: turn Globalnet on (needed when members' ranges overlap).</summary>
    [Parameter]
    public SwitchParameter Globalnet { get; set; }

    /// <summary>Submariner: the range Globalnet allocates each cluster's global CIDR from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string GlobalnetCidrRange { get; set; } = SubmarinerRules.DefaultGlobalnetRange;

    /// <summary>Submariner: global addresses per cluster (rounded up to a power of two).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int GlobalnetClusterSize { get; set; } = SubmarinerRules.DefaultGlobalnetClusterSize;

    /// <summary>Cluster ids per cluster: Submariner @{ 'prod_use1' = 'prod-use1' }, Cilium @{ 'prod-use1' = 3 }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? ClusterId { get; set; }

    /// <summary>Submariner: label a node submariner.io/gateway=true where no node is.</summary>
    [Parameter]
    public SwitchParameter LabelGatewayNode { get; set; }

    /// <summary>Submariner's cable driver.</summary>
    [Parameter]
    [ValidateSet("libreswan", "wireguard", "vxlan")]
    public string CableDriver { get; set; } = "libreswan";

    /// <summary>Submariner: after joining, prove every pair through the Multi-Cluster Services API.</summary>
    [Parameter]
    public SwitchParameter Verify { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    // The reference architecture's networking.mesh (then cross_cluster) stands in for -Provider.
    private FleetMeshProvider ProviderFromArchitecture()
    {
        var architecture = RunspaceSessions.Current.GetFleet().Architecture;
        var named = MultiCluster.Engine.Inventory.ArchitectureProviders.MeshProvider(architecture);
        if (named is not null)
        {
            var text = new[] { architecture!.Networking.Mesh, architecture.Networking.CrossCluster }.First(c => c?.Provider == named.Value.ToString())!.Text;
            WriteVerbose($"-Provider {named}: from the fleet file's networking section ('{text}').");
            return named.Value;
        }
        Terminate(new ArgumentException("Give -Provider Istio, Cilium or Submariner: the fleet file's networking section names no mesh this cmdlet knows.", nameof(Provider)));
        return default; // not reached
    }

    protected override void EndProcessing()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(Provider))) Provider = ProviderFromArchitecture();
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var whatIf = IsWhatIf;
        if (Provider == FleetMeshProvider.Cilium)
        {
            JoinCilium(clusters, whatIf);
            return;
        }
        if (Provider == FleetMeshProvider.Submariner)
        {
            JoinSubmariner(clusters, whatIf);
            return;
        }
        if (ClusterId is not null)
        {
            Terminate(new ArgumentException("-ClusterId is for Cilium and Submariner; an Istio member's cluster name is its id. Leave -ClusterId out.", nameof(ClusterId)));
            return;
        }
        if (MeshId.Length == 0)
        {
            Terminate(new ArgumentException("Istio needs -MeshId, the global.meshID every member shares.", nameof(MeshId)));
            return;
        }
        IstioMeshPlan plan;
        try
        {
            var networks = Network?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? "", e => e.Value?.ToString() ?? "", StringComparer.OrdinalIgnoreCase);
            plan = IstioMeshPlan.Create(clusters, new IstioJoinOptions
            {
                MeshId = MeshId, Networks = networks, NetworkPerRegion = NetworkPerRegion, Rotate = Rotate, WhatIf = whatIf, FanOut = FanOutSettings(),
            });
        }
        catch (Exception ex)
        {
            Terminate(ex);
            return;
        }

        if (OutputPath is not null)
        {
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            try
            {
                foreach (var member in plan.Members)
                    foreach (var manifest in IstioInstallRenderer.Render(member, MeshId, Format, whatIf ? null : directory))
                        WriteObject(manifest);
            }
            catch (Exception ex)
            {
                Terminate(ex);
            }
            return;
        }

        var peers = plan.Members.Count - 1;
        var gateways = plan.CrossNetworkMembers.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var confirmed = whatIf ? plan.Members : plan.Members.Where(m => ShouldProcess(
            $"Cluster {m.Name}: join Istio mesh {MeshId}{(m.Network is null ? "" : " on network " + m.Network)} " +
            $"({(gateways.Contains(m.Name) ? $"{IstioInstallRenderer.CrossNetworkGatewayName} Gateway, " : "")}reader access, remote secrets of {peers} peers{(Rotate ? ", new token" : "")})",
            "Join-FleetMesh")).ToList();
        if (confirmed.Count == 0) return;
        var service = new IstioMeshService(RunspaceSessions.Current.Connector);
        RunEngine(async cancel =>
        {
            // Read once: a member on another mesh id stops everything before the Gateway or any link is written.
            var members = await service.ReadMembersAsync(plan with { Members = confirmed }, cancel).ConfigureAwait(false);
            await foreach (var result in service.ApplyCrossNetworkGatewaysAsync(members, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
            await foreach (var link in service.JoinAsync(members, cancel).ConfigureAwait(false))
            {
                Emit(link);
                if (link.Error is { } error) EmitError(error);
            }
        });
    }

    private Dictionary<string, string>? GivenClusterIds() =>
        ClusterId?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? "", e => e.Value?.ToString() ?? "", StringComparer.OrdinalIgnoreCase);

    // Cilium: with -OutputPath each member's Helm values are rendered; without, the shared CA and the
    // cilium-clustermesh Secrets are applied to the reachable members, as cilium clustermesh connect does.
    private void JoinCilium(IReadOnlyList<FleetCluster> clusters, bool whatIf)
    {
        var options = new CiliumJoinOptions { ExtendedClusterIds = ExtendedClusterId, ServiceType = ServiceType, ClusterIds = GivenClusterIds(), FanOut = FanOutSettings() };
        var planner = new CiliumMeshPlanner(RunspaceSessions.Current.Connector);
        if (OutputPath is not null)
        {
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            RunEngine(async cancel =>
            {
                var members = await planner.PlanAsync(clusters, options, cancel).ConfigureAwait(false);
                foreach (var manifest in CiliumMeshPlanner.Render(members, options, whatIf ? null : directory))
                    Emit(manifest);
            });
            return;
        }
        var planned = RunEngineStep(() => planner.PlanAsync(clusters, options, StopToken).GetAwaiter().GetResult());
        var confirmed = whatIf ? planned : planned.Where(m => ShouldProcess(
            $"Cluster {m.Cluster}: connect Cilium Cluster Mesh as {m.Name} (id {m.Id}): shared CA and kube-system/cilium-clustermesh with {planned.Count - 1} peers",
            "Join-FleetMesh")).ToList();
        if (confirmed.Count == 0) return;
        var secrets = new CiliumClusterMeshSecrets(RunspaceSessions.Current.Connector);
        RunEngine(async cancel =>
        {
            // Every planned member stays a peer; only the confirmed ones are written to.
            await foreach (var result in secrets.ApplyAsync(planned, clusters, confirmed.Select(m => m.Cluster).ToHashSet(StringComparer.Ordinal), whatIf, options.FanOut, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }

    // Submariner: the preflight decides everything first (Globalnet, global CIDRs, ids, gateways); then the broker and
    // each member are rendered or, confirmed one by one, applied; -Verify proves every pair through the MCS API.
    private void JoinSubmariner(IReadOnlyList<FleetCluster> clusters, bool whatIf)
    {
        var ids = GivenClusterIds();
        var options = new SubmarinerJoinOptions
        {
            BrokerCluster = BrokerCluster, Globalnet = Globalnet, GlobalnetCidrRange = GlobalnetCidrRange, GlobalnetClusterSize = GlobalnetClusterSize,
            ClusterIds = ids, LabelGatewayNode = LabelGatewayNode, CableDriver = CableDriver, Render = OutputPath is not null, FanOut = FanOutSettings(),
        };
        var fleet = RunspaceSessions.Current.GetFleet().Clusters;
        var planner = new SubmarinerPlanner(RunspaceSessions.Current.Connector);
        var plan = RunEngineStep(() => planner.PlanAsync(clusters, fleet, options, StopToken).GetAwaiter().GetResult());
        if (OutputPath is not null)
        {
            var directory = whatIf ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            // One file per cluster: the broker's objects and, when the broker is a member too, its member objects after them.
            var perCluster = plan.Members.Select(m => m.Cluster).Prepend(plan.Broker).DistinctBy(c => c.Name).Select(c =>
                (c, (c.Name == plan.Broker.Name ? SubmarinerRenderer.Broker(plan) : [])
                    .Concat(plan.Members.Where(m => m.Name == c.Name).SelectMany(m => SubmarinerRenderer.Member(plan, m))).ToList()));
            foreach (var (cluster, objects) in perCluster)
                foreach (var manifest in RunEngineStep(() => ManifestWriter.Render(cluster.Name, objects, directory)))
                    WriteObject(manifest);
            return;
        }

        var globalnet = plan.Globalnet ? $"Globalnet {plan.GlobalnetRange}, {plan.GlobalnetClusterSize} addresses per cluster" : "no Globalnet";
        var broker = whatIf || ShouldProcess(
            $"Cluster {plan.Broker.Name}: deploy the Submariner broker in {SubmarinerRules.BrokerNamespace} ({globalnet}) with credentials for {plan.Members.Count} members",
            "Join-FleetMesh");
        var confirmed = plan.Members.Where(m => whatIf || ShouldProcess(
            $"Cluster {m.Name}: join Submariner as {m.ClusterId.Value}{(m.GlobalCidr is null ? "" : " with global CIDR " + m.GlobalCidr.Value)}" +
            (m.LabelGateway ? $", labelling node {m.GatewayNode} {SubmarinerRules.GatewayLabel}=true" : ""),
            "Join-FleetMesh")).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        if (!broker && confirmed.Count == 0) return;
        var service = new SubmarinerMeshService(RunspaceSessions.Current.Connector);
        var fanOut = FanOutSettings();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        RunEngine(async cancel =>
        {
            await foreach (var result in service.JoinAsync(plan, broker, confirmed, whatIf, fanOut, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error)
                {
                    EmitError(error);
                    failed.Add(result.Cluster);
                }
            }
            if (!Verify || whatIf) return;
            var joined = plan with { Members = plan.Members.Where(m => confirmed.Contains(m.Name) && !failed.Contains(m.Name)).ToList() };
            if (joined.Members.Count < 2) return;
            var timeout = TimeSpan.FromSeconds(TimeoutSeconds > 0 ? TimeoutSeconds : 60);
            foreach (var link in await service.VerifyAsync(joined, timeout, fanOut, cancel).ConfigureAwait(false))
            {
                Emit(link);
                if (link.Error is { } error) EmitError(error);
            }
        });
    }
}
