using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Traffic;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Traffic;

/// <summary>
/// Puts Istio locality load balancing for one service on the selected clusters: a ServiceEntry and
/// a DestinationRule with -Distribute weights or -Failover regions and the outlier detection
/// failover needs; applied (server-side apply), previewed with -WhatIf, or rendered with -OutputPath.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FleetTrafficPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class SetFleetTrafficPolicyCommand : FanOutCmdlet
{
    /// <summary>The service; the ServiceEntry and DestinationRule take its name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The service's namespace, where both objects go.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "default";

    /// <summary>The host; &lt;name&gt;.&lt;namespace&gt;.svc.cluster.local by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>The HTTP port the ServiceEntry declares.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 80;

    /// <summary>Per source region (or locality), a hashtable of target localities and weights adding up to 100.</summary>
    [Parameter]
    public Hashtable? Distribute { get; set; }

    /// <summary>Per region, the region its traffic fails over to.</summary>
    [Parameter]
    public Hashtable? Failover { get; set; }

    /// <summary>5xx errors in a row before an endpoint is ejected (outlier detection).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int ConsecutiveErrors { get; set; } = 5;

    /// <summary>networking.istio.io/v1 (Istio 1.22+) or v1beta1 for older meshes.</summary>
    [Parameter]
    [ValidateSet("v1", "v1beta1")]
    public string ApiVersion { get; set; } = "v1";

    /// <summary>Writes one YAML file per cluster to this folder instead of applying.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        IReadOnlyList<KubeObject> objects;
        try
        {
            objects = new IstioTrafficPolicy
            {
                Name = Name, Namespace = Namespace, Host = HostName, Port = Port, ConsecutiveErrors = ConsecutiveErrors,
                ApiVersion = "networking.istio.io/" + ApiVersion,
                Distribute = Distribute is null ? null : ToWeights(Distribute),
                Failover = Failover?.Cast<DictionaryEntry>().ToDictionary(e => Text(e.Key), e => Text(e.Value), StringComparer.Ordinal),
            }.Validate(clusters, RunspaceSessions.Current.Select(new ClusterPlacement()).Clusters).Render();
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            return;
        }
        ApplyOrRender(clusters, objects, OutputPath);
    }

    private static string Text(object? value) => Convert.ToString(value is PSObject ps ? ps.BaseObject : value, CultureInfo.InvariantCulture) ?? "";

    // @{ 'us-east-1' = @{ 'us-east-1' = 80; 'us-west-2' = 20 } }; a weight that is no whole number is named.
    private static Dictionary<string, IReadOnlyDictionary<string, int>> ToWeights(Hashtable distribute)
    {
        var weights = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (DictionaryEntry source in distribute)
        {
            var from = Text(source.Key);
            if ((source.Value is PSObject ps ? ps.BaseObject : source.Value) is not IDictionary targets)
                throw new FleetInputException(TrafficPolicyErrorIds.LocalityWeightsInvalid, FleetErrorCategory.InvalidArgument, from,
                    $"-Distribute['{from}'] must be a hashtable of target localities and weights, such as @{{ 'us-east-1' = 80; 'us-west-2' = 20 }}. Nothing was changed.");
            var row = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (DictionaryEntry target in targets)
            {
                var to = Text(target.Key);
                if (!int.TryParse(Text(target.Value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var weight))
                    throw new FleetInputException(TrafficPolicyErrorIds.LocalityWeightsInvalid, FleetErrorCategory.InvalidArgument, from,
                        $"Weight '{Text(target.Value)}' of '{to}' in -Distribute['{from}'] is not a whole number. Nothing was changed.");
                row[to] = weight;
            }
            weights[from] = row;
        }
        return weights;
    }
}
