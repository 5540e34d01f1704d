using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// Connects reachable Cilium members as <c>cilium clustermesh connect</c> does: the shared CA first
/// (kube-system/cilium-ca copied from the first member that has one to members without one, as
/// Cilium's docs advise before enabling Cluster Mesh), then on every member the
/// kube-system/cilium-clustermesh Secret holding, per peer, the etcd client configuration
/// (endpoints of the peer's clustermesh-apiserver, the file paths Cilium mounts) and the peer's
/// client certificate, key and CA from its clustermesh-apiserver-remote-cert Secret. Results name
/// the Secrets, never their data.
/// </summary>
public sealed class CiliumClusterMeshSecrets(IClusterConnector connector)
{
    public const string MeshSecretName = "cilium-clustermesh";
    public const string CaSecretName = "cilium-ca";
    public const string RemoteCertSecretName = "clustermesh-apiserver-remote-cert";
    public const string MountPath = "/var/lib/cilium/clustermesh";

    /// <summary>What one member holds: its CA and the client certificate peers use to reach its clustermesh-apiserver.</summary>
    private sealed record MemberSecrets(CiliumMember Member, JsonObject? CaData, JsonObject? RemoteCert);

    /// <summary>The etcd client configuration Cilium reads for a peer, as the cilium CLI writes it.</summary>
    public static string EtcdConfig(CiliumMember peer) =>
        $"""
        endpoints:
        - https://{peer.PeerAddress}:{peer.PeerPort}
        trusted-ca-file: '{MountPath}/{peer.Name}.etcd-client-ca.crt'
        key-file: '{MountPath}/{peer.Name}.etcd-client.key'
        cert-file: '{MountPath}/{peer.Name}.etcd-client.crt'

        """;

    /// <summary>
    /// Reads every member (each peer's certificate is needed), then writes to the members named in
    /// <paramref name="writeTo"/> (those confirmed): one result per Secret written or found so.
    /// </summary>
    public async IAsyncEnumerable<FleetResourceResult> ApplyAsync(IReadOnlyList<CiliumMember> members, IReadOnlyList<FleetCluster> clusters,
        IReadOnlySet<string> writeTo, bool whatIf,
        FanOutOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var byName = clusters.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var read = new Dictionary<string, MemberSecrets>(StringComparer.Ordinal);
        await foreach (var result in FleetRunner.RunAsync<(MemberSecrets? State, FleetResourceResult? Failure)>(
            members.Select(m => byName[m.Cluster]).ToList(), options with { Activity = "Reading Cilium certificates" },
            async (cluster, sink, token) =>
            {
                var client = ClusterResources.For(connector.Connect(cluster), null).Client;
                var ca = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.KubeSystem, CaSecretName, token).ConfigureAwait(false);
                var remote = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.KubeSystem, RemoteCertSecretName, token).ConfigureAwait(false);
                sink.Emit((new MemberSecrets(members.Single(m => m.Cluster == cluster.Name), ca?.Json["data"] as JsonObject, remote?.Json["data"] as JsonObject), null));
            },
            (cluster, error, _) => [(null, Failed(cluster.Name, MeshSecretName, error))],
            cancellationToken).ConfigureAwait(false))
        {
            if (result.Failure is { } failure)
            {
                // An unreachable member is reported where it was to be written; as a peer it is left out below.
                if (writeTo.Contains(failure.Cluster)) yield return failure;
            }
            else read[result.State!.Member.Cluster] = result.State;
        }

        // The CA of the first member (fleet order) that has one is the mesh's.
        var caSource = members.Select(m => read.GetValueOrDefault(m.Cluster)).FirstOrDefault(s => s?.CaData is not null);
        var reachable = members.Where(m => read.ContainsKey(m.Cluster) && writeTo.Contains(m.Cluster)).Select(m => byName[m.Cluster]).ToList();
        await foreach (var result in FleetRunner.RunAsync<FleetResourceResult>(reachable, options with { Activity = "Writing Cilium Cluster Mesh secrets" },
            async (cluster, sink, token) =>
            {
                var state = read[cluster.Name];
                var client = ClusterResources.For(connector.Connect(cluster), null).Client;
                if (caSource is not null && state.CaData is null)
                    sink.Emit(await WriteAsync(client, cluster.Name, CaSecretName, Copy(caSource.CaData!, "ca.crt", "ca.key"),
                        $"Shared CA copied from '{caSource.Member.Cluster}'.", whatIf, token).ConfigureAwait(false));
                else if (caSource is not null && state.CaData?["ca.crt"]?.ToString() != caSource.CaData!["ca.crt"]?.ToString())
                    throw new FleetClusterException(MeshErrorIds.CiliumCaMismatch, FleetErrorCategory.InvalidData, cluster.Name,
                        $"kube-system/{CaSecretName} on '{cluster.Name}' holds another CA than '{caSource.Member.Cluster}'; Cluster Mesh peers must share one CA. Its cilium-clustermesh Secret was not written.",
                        recommendedAction: $"Reinstall Cilium on '{cluster.Name}' with the CA of '{caSource.Member.Cluster}' (copy its kube-system/{CaSecretName} first), then join again.",
                        objectRef: $"v1 Secret kube-system/{CaSecretName}");

                var data = new JsonObject();
                var missing = new List<string>();
                foreach (var peer in members.Where(p => p.Cluster != cluster.Name))
                {
                    if (read.GetValueOrDefault(peer.Cluster)?.RemoteCert is not { } cert || cert["tls.crt"] is null || cert["tls.key"] is null)
                    {
                        missing.Add(peer.Cluster);
                        continue;
                    }
                    data[peer.Name] = Convert.ToBase64String(Encoding.UTF8.GetBytes(EtcdConfig(peer)));
                    data[$"{peer.Name}.etcd-client-ca.crt"] = (cert["ca.crt"] ?? caSource?.CaData?["ca.crt"])?.DeepClone();
                    data[$"{peer.Name}.etcd-client.crt"] = cert["tls.crt"]!.DeepClone();
                    data[$"{peer.Name}.etcd-client.key"] = cert["tls.key"]!.DeepClone();
                }
                var message = $"Peers: {string.Join(", ", members.Where(p => p.Cluster != cluster.Name && !missing.Contains(p.Cluster)).Select(p => p.Name))}" +
                    (missing.Count == 0 ? "." : $"; left out (unreachable, or no kube-system/{RemoteCertSecretName}): {string.Join(", ", missing)}.");
                sink.Emit(await WriteAsync(client, cluster.Name, MeshSecretName, data, message, whatIf, token).ConfigureAwait(false));
            },
            (cluster, error, _) => [Failed(cluster.Name, MeshSecretName, error)],
            cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private static JsonObject Copy(JsonObject data, params string[] keys) =>
        new(keys.Where(k => data[k] is not null).Select(k => KeyValuePair.Create(k, (JsonNode?)data[k]!.DeepClone())));

    /// <summary>Server-side applies an Opaque Secret in kube-system unless its data is already so; the result names it, never its data.</summary>
    private static async Task<FleetResourceResult> WriteAsync(ResourceClient client, string cluster, string name, JsonObject data, string message, bool whatIf, CancellationToken token)
    {
        var live = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.KubeSystem, name, token).ConfigureAwait(false);
        FleetResourceAction action;
        if (live is not null && JsonNode.DeepEquals(live.Json["data"] ?? new JsonObject(), data)) action = FleetResourceAction.Unchanged;
        else if (whatIf) action = live is null ? FleetResourceAction.WouldCreate : FleetResourceAction.WouldChange;
        else
        {
            var secret = new KubeObject(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name, ["namespace"] = MeshResourceTypes.KubeSystem,
                    ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
                },
                ["type"] = "Opaque",
                ["data"] = data.DeepClone(),
            });
            action = (await client.ApplyAsync(MeshResourceTypes.Secret, secret, true, false, token).ConfigureAwait(false)).Created
                ? FleetResourceAction.Created : FleetResourceAction.Configured;
        }
        return new FleetResourceResult
        {
            Cluster = cluster, ApiVersion = "v1", Kind = "Secret", Namespace = MeshResourceTypes.KubeSystem, Name = name, Action = action, Message = message,
        };
    }

    private static FleetResourceResult Failed(string cluster, string name, FleetException error) => new()
    {
        Cluster = cluster, ApiVersion = "v1", Kind = "Secret", Namespace = MeshResourceTypes.KubeSystem, Name = name,
        Action = FleetResourceAction.Failed, Message = error.Message, Error = error,
    };
}
