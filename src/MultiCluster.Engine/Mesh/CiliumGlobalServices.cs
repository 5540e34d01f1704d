using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// Marks a Service global across a Cilium Cluster Mesh with its annotations: the current
/// <c>service.cilium.io/global</c> and <c>service.cilium.io/affinity</c> (Cilium 1.14+), or with
/// Legacy the older <c>io.cilium/global-service</c> and <c>io.cilium/service-affinity</c>, which every
/// version reads. Writing one form removes the other, since Cilium reads the current key first.
/// </summary>
public sealed class CiliumGlobalServices(IClusterConnector connector)
{
    public const string GlobalKey = "service.cilium.io/global";
    public const string AffinityKey = "service.cilium.io/affinity";
    public const string LegacyGlobalKey = "io.cilium/global-service";
    public const string LegacyAffinityKey = "io.cilium/service-affinity";

    /// <summary>Throws ServiceNameInvalid unless both are DNS labels, as a Service and its namespace must be; before any request.</summary>
    public static void ValidateNames(string ns, string name)
    {
        foreach (var (value, what) in new[] { (name, "-Name"), (ns, "-Namespace") })
        {
            if (Resources.KubernetesNames.DnsLabelProblem(value) is { } problem)
                throw new Errors.FleetInputException(MeshErrorIds.ServiceNameInvalid, Errors.FleetErrorCategory.InvalidArgument, value,
                    $"'{value}' ({what}) {problem}, as a Service's name and namespace must be. Nothing was changed.");
        }
    }

    /// <summary>The Service as Cilium reads it: the current key first, then the legacy alias.</summary>
    internal static FleetGlobalService Read(string cluster, KubeObject service)
    {
        var annotations = service.Annotations;
        var legacy = !annotations.ContainsKey(GlobalKey) && annotations.ContainsKey(LegacyGlobalKey);
        var global = annotations.GetValueOrDefault(GlobalKey) ?? annotations.GetValueOrDefault(LegacyGlobalKey);
        var affinity = annotations.GetValueOrDefault(AffinityKey) ?? annotations.GetValueOrDefault(LegacyAffinityKey) ?? "none";
        return new FleetGlobalService
        {
            Cluster = cluster, Namespace = service.Namespace ?? "", Name = service.Name,
            Global = string.Equals(global, "true", StringComparison.OrdinalIgnoreCase),
            Affinity = affinity.ToLowerInvariant(), AnnotationStyle = legacy ? "Legacy" : "Current",
        };
    }

    public IAsyncEnumerable<FleetGlobalService> SetAsync(IReadOnlyList<FleetCluster> clusters, string ns, string name, string affinity, bool legacy,
        bool whatIf, FanOutOptions options, CancellationToken cancellationToken = default)
    {
        if (affinity is not ("local" or "remote" or "none"))
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidArgument, affinity,
                $"Affinity '{affinity}' (-Affinity) is not one Cilium knows: local, remote or none.");
        var (globalKey, affinityKey, otherGlobal, otherAffinity) = legacy
            ? (LegacyGlobalKey, LegacyAffinityKey, GlobalKey, AffinityKey)
            : (GlobalKey, AffinityKey, LegacyGlobalKey, LegacyAffinityKey);
        return FleetRunner.RunAsync<FleetGlobalService>(clusters, options with { Activity = "Marking services global" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(connector.Connect(cluster), null);
                var service = await resources.Client.GetAsync(MeshResourceTypes.Service, ns, name, token).ConfigureAwait(false)
                    ?? throw new FleetClusterException(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                        $"Service {ns}/{name} does not exist on cluster '{cluster.Name}'.", objectRef: $"v1 Service {ns}/{name}");
                var wanted = new Dictionary<string, string?>
                {
                    [globalKey] = "true",
                    [affinityKey] = affinity == "none" ? null : affinity,
                    [otherGlobal] = null,
                    [otherAffinity] = null,
                };
                var current = service.Annotations;
                var changes = wanted.Where(w => current.GetValueOrDefault(w.Key) != w.Value).ToList();
                if (changes.Count == 0)
                {
                    sink.Emit(Read(cluster.Name, service) with { Action = FleetResourceAction.Unchanged, Message = "Already marked so." });
                    return;
                }
                if (whatIf)
                {
                    sink.Emit(Read(cluster.Name, service) with
                    {
                        Action = FleetResourceAction.WouldChange,
                        Message = "Would set " + string.Join(", ", changes.Select(c => c.Value is null ? $"-{c.Key}" : $"{c.Key}={c.Value}")),
                    });
                    return;
                }
                var patch = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = new JsonObject(changes.Select(c => KeyValuePair.Create(c.Key, c.Value is null ? null : (JsonNode?)c.Value))) },
                };
                var response = await resources.Api.SendAsync(HttpMethod.Patch, MeshResourceTypes.Service.ObjectPath(ns, name) + $"?fieldManager={ResourceClient.FieldManager}",
                    patch.ToJsonString(), "application/merge-patch+json", token).ConfigureAwait(false);
                if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster.Name, $"v1 Service {ns}/{name}");
                sink.Emit(Read(cluster.Name, KubeObject.Parse(response.Utf8Body.Span)) with
                {
                    Action = FleetResourceAction.Configured,
                    Message = "Set " + string.Join(", ", changes.Select(c => c.Value is null ? $"-{c.Key}" : $"{c.Key}={c.Value}")),
                });
            },
            (cluster, error, _) => [new FleetGlobalService { Cluster = cluster.Name, Namespace = ns, Name = name, Action = FleetResourceAction.Failed, Message = error.Message, Error = error }],
            cancellationToken);
    }
}
