using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// Applies a <see cref="SubmarinerPlan"/> as subctl deploy-broker and subctl join do, then proves
/// it through the Multi-Cluster Services API. The broker first (its objects, and once an IPsec PSK
/// of 48 random bytes in <c>submariner-ipsec-psk</c>, so every join shares it); then each member's
/// objects with its copies of the broker credentials (the token Secret of its <c>cluster-&lt;id&gt;</c>
/// service account) and of the PSK. Results name Secrets, never their data.
/// </summary>
public sealed class SubmarinerMeshService(IClusterConnector connector)
{
    public const string ProbePrefix = "submariner-probe-";
    public const int PskLength = 48;

    private static readonly TimeSpan TokenWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Applies (or previews, <paramref name="whatIf"/>) the broker when <paramref name="broker"/> is
    /// confirmed and every member named in <paramref name="confirmed"/>: one result per object, a
    /// member that cannot be reached failing on its own.
    /// </summary>
    public async IAsyncEnumerable<FleetResourceResult> JoinAsync(SubmarinerPlan plan, bool broker, IReadOnlySet<string> confirmed, bool whatIf, FanOutOptions fanOut,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var apply = new ApplyService(connector);
        var options = new ApplyOptions { WhatIf = whatIf, FanOut = fanOut };
        if (broker)
        {
            await foreach (var result in apply.ApplyAsync(apply.Plan([new ClusterObjects(plan.Broker, SubmarinerRenderer.Broker(plan))]), options, cancellationToken).ConfigureAwait(false))
                yield return result;
            yield return await EnsurePskAsync(plan.Broker, whatIf, cancellationToken).ConfigureAwait(false);
        }

        var members = plan.Members.Where(m => confirmed.Contains(m.Name)).ToList();
        foreach (var failed in members.Where(m => m.Error is not null))
            yield return Failed(m: failed, SubmarinerPlanner.SubmarinerType, SubmarinerRules.OperatorNamespace, SubmarinerRules.SubmarinerName, failed.Error!);
        var reachable = members.Where(m => m.Error is null).ToList();
        if (reachable.Count == 0) yield break;

        var (credentials, psk, brokerError) = await ReadBrokerCredentialsAsync(plan, reachable, whatIf, cancellationToken).ConfigureAwait(false);
        var work = new List<ClusterObjects>();
        foreach (var member in reachable)
        {
            var objects = SubmarinerRenderer.Member(plan, member).ToList();
            if (credentials.GetValueOrDefault(member.Name) is { } token && psk is not null)
            {
                objects.AddRange(SubmarinerRenderer.MemberSecrets(token, psk));
            }
            else
            {
                foreach (var name in new[] { SubmarinerRules.BrokerSecretName, SubmarinerRules.PskSecretName })
                {
                    yield return whatIf && brokerError is null
                        ? new FleetResourceResult
                        {
                            Cluster = member.Name, ApiVersion = "v1", Kind = "Secret", Namespace = SubmarinerRules.OperatorNamespace, Name = name,
                            Action = FleetResourceAction.WouldCreate,
                            Message = $"Copied from the broker on {plan.Broker.Name} once it has issued the credentials of {SubmarinerRules.ClusterServiceAccount(member.ClusterId.Value)}.",
                        }
                        : Failed(member, MeshResourceTypes.Secret, SubmarinerRules.OperatorNamespace, name, brokerError ?? new FleetClusterException(
                            MeshErrorIds.MeshLinkBroken, FleetErrorCategory.OperationTimeout, plan.Broker.Name,
                            $"The broker on {plan.Broker.Name} issued no token for {SubmarinerRules.ClusterServiceAccount(member.ClusterId.Value)} within {TokenWait.TotalSeconds:0} s; {member.Name} was not given its credentials.",
                            recommendedAction: "Check that the broker cluster's token controller runs, then run Join-FleetMesh again."));
                }
            }
            work.Add(new ClusterObjects(member.Cluster, objects));
        }
        await foreach (var result in apply.ApplyAsync(apply.Plan(work), options, cancellationToken).ConfigureAwait(false))
            yield return result;
    }

    /// <summary>The broker's PSK Secret, created once with 48 random bytes (subctl's length) and never changed after.</summary>
    private async Task<FleetResourceResult> EnsurePskAsync(FleetCluster broker, bool whatIf, CancellationToken cancellationToken)
    {
        var result = new FleetResourceResult
        {
            Cluster = broker.Name, ApiVersion = "v1", Kind = "Secret", Namespace = SubmarinerRules.BrokerNamespace, Name = SubmarinerRules.PskSecretName,
        };
        try
        {
            var client = ClusterResources.For(connector.Connect(broker), null).Client;
            if (await client.GetAsync(MeshResourceTypes.Secret, SubmarinerRules.BrokerNamespace, SubmarinerRules.PskSecretName, cancellationToken).ConfigureAwait(false) is not null)
                return new FleetResourceResult { Cluster = result.Cluster, ApiVersion = "v1", Kind = "Secret", Namespace = result.Namespace, Name = result.Name, Action = FleetResourceAction.Unchanged };
            if (whatIf)
                return new FleetResourceResult { Cluster = result.Cluster, ApiVersion = "v1", Kind = "Secret", Namespace = result.Namespace, Name = result.Name, Action = FleetResourceAction.WouldCreate };
            var secret = new KubeObject(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = SubmarinerRules.PskSecretName, ["namespace"] = SubmarinerRules.BrokerNamespace },
                ["type"] = "Opaque",
                ["data"] = new JsonObject { ["psk"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(PskLength)) },
            });
            secret.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
            await client.ApplyAsync(MeshResourceTypes.Secret, secret, forceConflicts: false, dryRun: false, cancellationToken).ConfigureAwait(false);
            return new FleetResourceResult { Cluster = result.Cluster, ApiVersion = "v1", Kind = "Secret", Namespace = result.Namespace, Name = result.Name, Action = FleetResourceAction.Created };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = KubernetesErrors.Translate(ex, broker.Name, $"v1 Secret {result.Namespace}/{result.Name}", cancellationToken);
            return new FleetResourceResult
            {
                Cluster = result.Cluster, ApiVersion = "v1", Kind = "Secret", Namespace = result.Namespace, Name = result.Name,
                Action = FleetResourceAction.Failed, Message = error.Message, Error = error,
            };
        }
    }

    /// <summary>
    /// Each member's broker token Secret (token, ca.crt, namespace), waited for until the token
    /// controller has filled it, and the broker's PSK. Under -WhatIf only what exists already.
    /// </summary>
    private async Task<(Dictionary<string, JsonObject> Tokens, JsonObject? Psk, FleetException? Error)> ReadBrokerCredentialsAsync(SubmarinerPlan plan,
        IReadOnlyList<SubmarinerMember> members, bool whatIf, CancellationToken cancellationToken)
    {
        var tokens = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        try
        {
            var client = ClusterResources.For(connector.Connect(plan.Broker), null).Client;
            var psk = (await client.GetAsync(MeshResourceTypes.Secret, SubmarinerRules.BrokerNamespace, SubmarinerRules.PskSecretName, cancellationToken).ConfigureAwait(false))
                ?.Json["data"] as JsonObject;
            var deadline = DateTimeOffset.UtcNow + (whatIf ? TimeSpan.Zero : TokenWait);
            foreach (var member in members)
            {
                while (true)
                {
                    var secret = await client.GetAsync(MeshResourceTypes.Secret, SubmarinerRules.BrokerNamespace, SubmarinerRenderer.TokenSecretName(member.ClusterId.Value), cancellationToken)
                        .ConfigureAwait(false);
                    if (secret?.Json["data"] is JsonObject data && data["token"] is not null)
                    {
                        tokens[member.Name] = data;
                        break;
                    }
                    if (DateTimeOffset.UtcNow >= deadline) break;
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                }
            }
            return (tokens, psk, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (tokens, null, KubernetesErrors.Translate(ex, plan.Broker.Name, $"{SubmarinerRules.BrokerNamespace} credentials", cancellationToken));
        }
    }

    /// <summary>
    /// Proves the joined members reach each other's services through the MCS API: each exports a
    /// probe Service (<c>submariner-probe-&lt;id&gt;</c> in submariner-operator) and every other member
    /// must import it within <paramref name="timeout"/>. One link per ordered pair (Cluster imports
    /// Peer's probe); the probes are removed afterwards.
    /// </summary>
    public async Task<IReadOnlyList<FleetMeshLink>> VerifyAsync(SubmarinerPlan plan, TimeSpan timeout, FanOutOptions fanOut, CancellationToken cancellationToken = default)
    {
        var members = plan.Members.Select(m => m.Cluster).ToList();
        var exports = new McsServiceExports(connector);
        var results = await Task.WhenAll(plan.Members.Select(async member =>
        {
            var probe = ProbePrefix + member.ClusterId.Value;
            try
            {
                await WriteProbeAsync(member.Cluster, probe, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var error = KubernetesErrors.Translate(ex, member.Name, $"v1 Service {SubmarinerRules.OperatorNamespace}/{probe}", cancellationToken);
                return (member, Export: new FleetServiceExport
                {
                    Cluster = member.Name, Namespace = SubmarinerRules.OperatorNamespace, Name = probe, Status = FleetServiceExportStatus.Failed,
                    Action = FleetResourceAction.Failed, Message = error.Message, Error = error, MissingImport = members.Select(m => m.Name).ToList(),
                });
            }
            var request = new ServiceExportRequest
            {
                Namespace = SubmarinerRules.OperatorNamespace, Name = probe, Exporters = [member.Cluster], Members = members,
                Wait = true, WaitTimeout = timeout, FanOut = fanOut,
            };
            FleetServiceExport? export = null;
            await foreach (var result in exports.ExportAsync(request, cancellationToken).ConfigureAwait(false)) export = result;
            await RemoveProbeAsync(member.Cluster, probe, cancellationToken).ConfigureAwait(false);
            return (member, Export: export!);
        })).ConfigureAwait(false);

        var links = new List<FleetMeshLink>();
        foreach (var importer in plan.Members)
        {
            foreach (var (exporter, export) in results.Where(r => r.member.Name != importer.Name).Select(r => (r.member, r.Export)))
            {
                var imported = export.ImportedBy.Contains(importer.Name, StringComparer.Ordinal);
                var exportFailed = export.Status is FleetServiceExportStatus.Failed or FleetServiceExportStatus.Invalid;
                links.Add(new FleetMeshLink
                {
                    Cluster = importer.Name, Peer = exporter.Name, Provider = FleetMeshProvider.Submariner,
                    SecretName = $"{SubmarinerRules.OperatorNamespace}/{SubmarinerRules.BrokerSecretName}",
                    Status = imported ? FleetMeshLinkStatus.Healthy : exportFailed ? FleetMeshLinkStatus.Unknown : FleetMeshLinkStatus.Broken,
                    Message = imported
                        ? $"The probe {export.DnsName} that {exporter.Name} exported is imported here (MCS ServiceImport)."
                        : exportFailed
                            ? $"{exporter.Name} could not export its probe: {export.Message}"
                            : $"No ServiceImport of {exporter.Name}'s probe {export.DnsName} arrived here within {timeout.TotalSeconds:0} s.",
                    Error = imported ? null : export.Error ?? new FleetClusterException(MeshErrorIds.MeshLinkBroken, FleetErrorCategory.OperationTimeout, importer.Name,
                        $"No ServiceImport of {exporter.Name}'s probe {export.DnsName} arrived on '{importer.Name}' within {timeout.TotalSeconds:0} s.",
                        recommendedAction: "Check that Submariner's Lighthouse agent runs on both clusters and that their gateways are connected (subctl show connections)."),
                });
            }
        }
        return links;
    }

    private async Task WriteProbeAsync(FleetCluster cluster, string name, CancellationToken cancellationToken)
    {
        var client = ClusterResources.For(connector.Connect(cluster), null).Client;
        var service = new KubeObject(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = SubmarinerRules.OperatorNamespace },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["app"] = name },
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "probe", ["port"] = 8080, ["protocol"] = "TCP" }),
            },
        });
        service.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        await client.ApplyAsync(MeshResourceTypes.Service, service, forceConflicts: false, dryRun: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveProbeAsync(FleetCluster cluster, string name, CancellationToken cancellationToken)
    {
        try
        {
            var client = ClusterResources.For(connector.Connect(cluster), null).Client;
            await client.DeleteAsync(McsServiceExports.ServiceExport, SubmarinerRules.OperatorNamespace, name, dryRun: false, cancellationToken).ConfigureAwait(false);
            await client.DeleteAsync(MeshResourceTypes.Service, SubmarinerRules.OperatorNamespace, name, dryRun: false, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetException)
        {
            // The verdict is already known; a probe left behind is harmless and removed by the next verification's apply.
        }
    }

    private static FleetResourceResult Failed(SubmarinerMember m, ResourceType type, string ns, string name, FleetException error) =>
        Failed(m.Name, type, ns, name, error);

    private static readonly ResourceType RoleBindingType = new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true);

    /// <summary>
    /// Takes <paramref name="member"/> out of Submariner: on the member its Submariner resource (the
    /// operator then uninstalls) and its copies of the broker credentials and PSK; on the broker its
    /// <c>cluster-&lt;id&gt;</c> account, binding and token Secret (so the credentials it held stop
    /// working) and its Globalnet allocation. Each side is cleaned on its own: an unreachable one is
    /// reported Failed, the other still cleaned. Objects already gone are NotFound. Each side has
    /// <paramref name="options"/>' timeout for its calls (ClusterTimeout past it), so a hanging member holds up neither the broker nor the rest.
    /// </summary>
    public async IAsyncEnumerable<FleetResourceResult> RemoveAsync(FleetCluster member, FleetCluster broker, bool whatIf, FanOutOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TimeSpan? timeout = options?.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        using var memberSide = Within(timeout, cancellationToken);
        var memberObjects = new (ResourceType Type, string Namespace, string Name)[]
        {
            (SubmarinerPlanner.SubmarinerType, SubmarinerRules.OperatorNamespace, SubmarinerRules.SubmarinerName),
            (MeshResourceTypes.Secret, SubmarinerRules.OperatorNamespace, SubmarinerRules.BrokerSecretName),
            (MeshResourceTypes.Secret, SubmarinerRules.OperatorNamespace, SubmarinerRules.PskSecretName),
        };
        string? clusterId = null;
        ResourceClient? memberClient = null;
        FleetException? memberError = null;
        try
        {
            memberClient = ClusterResources.For(connector.Connect(member), null).Client;
            var installed = await memberClient.GetAsync(SubmarinerPlanner.SubmarinerType, SubmarinerRules.OperatorNamespace, SubmarinerRules.SubmarinerName, memberSide.Token)
                .ConfigureAwait(false);
            clusterId = (string?)installed?.Json["spec"]?["clusterID"];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            memberError = KubernetesErrors.Translate(ex, member.Name, null, cancellationToken);
        }
        foreach (var (type, ns, name) in memberObjects)
        {
            yield return memberError is not null
                ? Failed(member.Name, type, ns, name, memberError)
                : await DeleteAsync(memberClient!, member.Name, type, ns, name, whatIf, memberSide.Token, cancellationToken).ConfigureAwait(false);
        }

        // The broker's time starts now: a member that used all of its own does not cut the broker's short.
        using var brokerSide = Within(timeout, cancellationToken);
        ResourceClient? brokerClient = null;
        FleetException? brokerError = null;
        try
        {
            brokerClient = ClusterResources.For(connector.Connect(broker), null).Client;
            // The member is down or never joined: its broker account names it.
            clusterId ??= (await brokerClient.ListAsync(MeshResourceTypes.ServiceAccount, SubmarinerRules.BrokerNamespace, null, brokerSide.Token).ConfigureAwait(false))
                .FirstOrDefault(a => a.Annotations.GetValueOrDefault(SubmarinerRenderer.FleetClusterAnnotation) == member.Name)?.Name["cluster-".Length..];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            brokerError = KubernetesErrors.Translate(ex, broker.Name, null, cancellationToken);
        }
        clusterId ??= SubmarinerRules.SanitizeClusterId(member.Name);
        var account = SubmarinerRules.ClusterServiceAccount(clusterId);
        var brokerObjects = new (ResourceType Type, string Namespace, string Name)[]
        {
            (MeshResourceTypes.Secret, SubmarinerRules.BrokerNamespace, SubmarinerRenderer.TokenSecretName(clusterId)),
            (RoleBindingType, SubmarinerRules.BrokerNamespace, $"{account}-{SubmarinerRules.BrokerClientRole}"),
            (MeshResourceTypes.ServiceAccount, SubmarinerRules.BrokerNamespace, account),
        };
        foreach (var (type, ns, name) in brokerObjects)
        {
            yield return brokerError is not null
                ? Failed(broker.Name, type, ns, name, brokerError)
                : await DeleteAsync(brokerClient!, broker.Name, type, ns, name, whatIf, brokerSide.Token, cancellationToken).ConfigureAwait(false);
        }
        if (brokerError is null && await ReleaseGlobalCidrAsync(brokerClient!, broker.Name, clusterId, whatIf, brokerSide.Token, cancellationToken).ConfigureAwait(false) is { } released)
            yield return released;
    }

    /// <summary>The caller's token, cancelled too after <paramref name="timeout"/> when one is given.</summary>
    private static CancellationTokenSource Within(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit) source.CancelAfter(limit);
        return source;
    }

    // token: the side's (the caller's, cut at the timeout); callerToken: the caller's alone, so a timeout is a Failed result, a stop is not.
    private static async Task<FleetResourceResult> DeleteAsync(ResourceClient client, string cluster, ResourceType type, string ns, string name, bool whatIf,
        CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            var gone = whatIf
                ? await client.GetAsync(type, ns, name, token).ConfigureAwait(false) is null
                : !await client.DeleteAsync(type, ns, name, dryRun: false, token).ConfigureAwait(false);
            return Result(cluster, type, ns, name, gone ? FleetResourceAction.NotFound : whatIf ? FleetResourceAction.WouldDelete : FleetResourceAction.Deleted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !callerToken.IsCancellationRequested)
        {
            return Failed(cluster, type, ns, name, KubernetesErrors.Translate(ex, cluster, $"{type.Kind} {ns}/{name}", callerToken));
        }
    }

    /// <summary>Drops the member's entry from the broker's Globalnet record, so its global CIDR is free again; null when it has none.</summary>
    private static async Task<FleetResourceResult?> ReleaseGlobalCidrAsync(ResourceClient client, string broker, string clusterId, bool whatIf,
        CancellationToken token, CancellationToken callerToken)
    {
        var (ns, name) = (SubmarinerRules.BrokerNamespace, SubmarinerRules.GlobalnetConfigMap);
        try
        {
            var info = await client.GetAsync(MeshResourceTypes.ConfigMap, ns, name, token).ConfigureAwait(false);
            if (info?.Json["data"] is not JsonObject data || JsonNode.Parse(data["clusterinfo"]?.ToString() ?? "[]") is not JsonArray entries) return null;
            var kept = entries.OfType<JsonObject>().Where(e => (string?)e["cluster_id"] != clusterId).Select(e => (JsonNode?)e.DeepClone()).ToArray();
            if (kept.Length == entries.Count) return null;
            if (!whatIf)
            {
                var updated = (JsonObject)data.DeepClone();
                updated["clusterinfo"] = new JsonArray(kept).ToJsonString();
                var configMap = new KubeObject(new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                    ["data"] = updated,
                });
                configMap.SetLabel("component", "submariner-globalnet");
                configMap.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
                await client.ApplyAsync(MeshResourceTypes.ConfigMap, configMap, forceConflicts: false, dryRun: false, token).ConfigureAwait(false);
            }
            return Result(broker, MeshResourceTypes.ConfigMap, ns, name, whatIf ? FleetResourceAction.WouldChange : FleetResourceAction.Configured,
                $"The global CIDR of {clusterId} is released.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !callerToken.IsCancellationRequested)
        {
            return Failed(broker, MeshResourceTypes.ConfigMap, ns, name, KubernetesErrors.Translate(ex, broker, $"ConfigMap {ns}/{name}", callerToken));
        }
    }

    private static FleetResourceResult Result(string cluster, ResourceType type, string ns, string name, FleetResourceAction action, string? message = null) => new()
    {
        Cluster = cluster, ApiVersion = type.Group.Length == 0 ? type.Version : $"{type.Group}/{type.Version}", Kind = type.Kind, Namespace = ns, Name = name,
        Action = action, Message = message,
    };

    private static FleetResourceResult Failed(string cluster, ResourceType type, string ns, string name, FleetException error) =>
        new()
        {
            Cluster = cluster, ApiVersion = type.Group.Length == 0 ? type.Version : $"{type.Group}/{type.Version}", Kind = type.Kind, Namespace = ns, Name = name,
            Action = FleetResourceAction.Failed, Message = error.Message, Error = error,
        };
}
