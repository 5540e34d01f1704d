using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// Istio multi-primary links between clusters: for every ordered pair of members, the remote
/// secret <c>istioctl create-remote-secret</c> makes, backed by a reader service account in the
/// source cluster (Join); whether each link works (Test); removing a member's links on every
/// reachable peer (Remove). A second join writes only missing or broken links.
/// </summary>
public sealed class IstioMeshService
{
    private static readonly TimeSpan TokenPoll = TimeSpan.FromMilliseconds(250);

    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;

    public IstioMeshService(IClusterConnector connector) : this(connector, null) { }

    internal IstioMeshService(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
    }

    private ResourceClient Client(FleetCluster cluster) => ClusterResources.For(_connector.Connect(cluster), _apiFactory).Client;

    /// <summary>
    /// Joins the plan's members: reads every member first (a member running another mesh id stops
    /// the join before anything changes), then gives each reachable member the reader access and a
    /// token, then writes the remote secret of every ordered pair that is missing or differs, checks
    /// each with a real request, and with Rotate revokes the old tokens once every new link works.
    /// </summary>
    public async IAsyncEnumerable<FleetMeshLink> JoinAsync(IstioMeshPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var members = await ReadMembersAsync(plan, cancellationToken).ConfigureAwait(false);
        await foreach (var link in JoinAsync(members, cancellationToken).ConfigureAwait(false))
            yield return link;
    }

    /// <summary>
    /// Reads every member once, for the links and the cross-network Gateway alike. Throws
    /// MeshIdMismatch, before anything changes, when a member already runs another mesh id; a member
    /// that cannot be read is kept, and fails on its own in the steps that follow.
    /// </summary>
    public async Task<IstioMeshMembers> ReadMembersAsync(IstioMeshPlan plan, CancellationToken cancellationToken = default)
    {
        var states = await ReadStatesAsync(plan, cancellationToken).ConfigureAwait(false);
        var mismatch = states.Values.FirstOrDefault(s => s.MeshId is not null && s.MeshId != plan.Options.MeshId);
        if (mismatch is not null)
        {
            throw new FleetInputException(MeshErrorIds.MeshIdMismatch, FleetErrorCategory.InvalidArgument, mismatch.Member.Name,
                $"Cluster '{mismatch.Member.Name}' already runs mesh id '{mismatch.MeshId}' (istio-system/istio mesh config defaultConfig.meshId), not '{plan.Options.MeshId}' (-MeshId). Nothing was changed.",
                recommendedAction: $"Join with -MeshId {mismatch.MeshId}, or reinstall Istio on '{mismatch.Member.Name}' with the new mesh id.");
        }
        return new IstioMeshMembers(plan, states);
    }

    /// <summary>
    /// Applies expose-services.yaml's <c>cross-network-gateway</c> Gateway (server-side, as the
    /// renderer makes it) on every member of a multi-network mesh (<see cref="IstioMeshPlan.CrossNetworkMembers"/>)
    /// that could be read; with WhatIf a server-side dry run. One result per member. A member that
    /// does not serve the Gateway kind has no Istio yet: its result fails with IstioNotInstalled,
    /// which says to install Istio first; its remote secrets are written all the same.
    /// </summary>
    public async IAsyncEnumerable<FleetResourceResult> ApplyCrossNetworkGatewaysAsync(IstioMeshMembers members,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = members.Plan;
        // istio-system goes with it, labelled as the links' step labels it: a Gateway needs its namespace,
        // and a preview of one needs to know the namespace comes in the same run. Only the Gateway is reported.
        var work = plan.CrossNetworkMembers.Where(m => members.States[m.Name].Error is null)
            .Select(m => new ClusterObjects(m.Cluster, [IstioInstallRenderer.Namespace(m.Network), IstioInstallRenderer.CrossNetworkGateway()])).ToList();
        if (work.Count == 0) yield break;
        var apply = new ApplyService(_connector, _apiFactory);
        // The join owns these objects as it owns the reader access: it takes their fields back from other managers.
        var options = new ApplyOptions { WhatIf = plan.Options.WhatIf, ForceConflicts = true, FanOut = plan.Options.FanOut };
        await foreach (var result in apply.ApplyAsync(apply.Plan(work), options, cancellationToken).ConfigureAwait(false))
        {
            if (result.Kind != "Gateway") continue;
            yield return result.Error is FleetException { ErrorId: FleetErrorIds.ResourceKindUnknown } unknown
                ? IstioMissing(result, unknown)
                : result;
        }
    }

    private static FleetResourceResult IstioMissing(FleetResourceResult result, FleetException unknown)
    {
        var error = new FleetClusterException(MeshErrorIds.IstioNotInstalled, FleetErrorCategory.NotInstalled, result.Cluster,
            $"Cluster '{result.Cluster}' does not serve the Istio Gateway kind ({result.ApiVersion}), so {MeshResourceTypes.IstioNamespace}/{IstioInstallRenderer.CrossNetworkGatewayName} was not applied: Istio is not installed there.",
            unknown,
            $"Install Istio on '{result.Cluster}' first (the control plane and east-west gateway that Join-FleetMesh -OutputPath renders, with istioctl install -f or the istiod and gateway Helm charts), then run Join-FleetMesh again.");
        return new FleetResourceResult
        {
            Cluster = result.Cluster, ApiVersion = result.ApiVersion, Kind = result.Kind, Namespace = result.Namespace, Name = result.Name,
            Action = FleetResourceAction.Failed, Duration = result.Duration, Error = error, Message = error.Message,
        };
    }

    /// <summary>
    /// The links of members read by <see cref="ReadMembersAsync"/>: reader access and a token on each
    /// reachable member, then the remote secret of every ordered pair, as <see cref="JoinAsync(IstioMeshPlan, CancellationToken)"/> says.
    /// </summary>
    public async IAsyncEnumerable<FleetMeshLink> JoinAsync(IstioMeshMembers members, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = members.Plan;
        var options = plan.Options;
        var states = members.States;

        var credentials = new ConcurrentDictionary<string, ReaderCredentials>(StringComparer.Ordinal);
        var oldTokens = new ConcurrentDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var sourceErrors = new ConcurrentDictionary<string, FleetException>(StringComparer.Ordinal);
        foreach (var state in states.Values.Where(s => s.Error is not null)) sourceErrors[state.Member.Name] = state.Error!;
        var reachable = plan.Members.Where(m => states[m.Name].Error is null).Select(m => m.Cluster).ToList();
        await foreach (var _ in FleetRunner.RunAsync<bool>(reachable, options.FanOut with { Activity = "Preparing Istio reader access" },
            async (cluster, sink, token) =>
            {
                var state = states[cluster.Name];
                var prepared = await PrepareSourceAsync(cluster, state, options, token).ConfigureAwait(false);
                if (prepared.Credentials is not null) credentials[cluster.Name] = prepared.Credentials;
                oldTokens[cluster.Name] = prepared.OldTokens;
                sink.Emit(true);
            },
            (cluster, error, _) =>
            {
                sourceErrors[cluster.Name] = error;
                return [];
            },
            cancellationToken).ConfigureAwait(false))
        {
        }

        var healthyIntoSource = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var targets = plan.Members.Select(m => m.Cluster).ToList();
        await foreach (var link in FleetRunner.RunAsync<FleetMeshLink>(targets, options.FanOut with { Activity = "Writing Istio remote secrets" },
            async (cluster, sink, token) =>
            {
                if (states[cluster.Name].Error is { } targetError) throw targetError;
                var client = Client(cluster);
                foreach (var source in plan.Members.Where(m => m.Name != cluster.Name))
                {
                    var link = await WriteLinkAsync(client, cluster.Name, source.Name, credentials.GetValueOrDefault(source.Name),
                        sourceErrors.GetValueOrDefault(source.Name), options.WhatIf, token).ConfigureAwait(false);
                    if (link.Status == FleetMeshLinkStatus.Healthy) healthyIntoSource.AddOrUpdate(source.Name, 1, (_, n) => n + 1);
                    sink.Emit(link);
                }
            },
            (cluster, error, emitted) => plan.Members.Where(m => m.Name != cluster.Name && !emitted.Any(e => e.Peer == m.Name))
                .Select(m => Failed(cluster.Name, m.Name, error)),
            cancellationToken).ConfigureAwait(false))
        {
            yield return link;
        }

        if (!options.Rotate || options.WhatIf) yield break;
        // Old tokens go only where every link carrying the new token works: no gap for istiod.
        foreach (var member in plan.Members.Where(m => oldTokens.ContainsKey(m.Name)))
        {
            if (healthyIntoSource.GetValueOrDefault(member.Name) != plan.Members.Count - 1) continue;
            var client = Client(member.Cluster);
            foreach (var name in oldTokens[member.Name])
                await client.DeleteAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, name, false, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<string, IstioMemberState>> ReadStatesAsync(IstioMeshPlan plan, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, IstioMemberState>(StringComparer.Ordinal);
        await foreach (var state in FleetRunner.RunAsync<IstioMemberState>(plan.Members.Select(m => m.Cluster).ToList(),
            plan.Options.FanOut with { Activity = "Reading Istio members" },
            async (cluster, sink, token) =>
            {
                var member = plan.Members.Single(m => m.Name == cluster.Name);
                var client = Client(cluster);
                var meshConfig = await client.GetAsync(MeshResourceTypes.ConfigMap, MeshResourceTypes.IstioNamespace, "istio", token).ConfigureAwait(false);
                var meshId = MeshIdOf(meshConfig, cluster.Name);
                var tokens = await ReaderTokensAsync(client, token).ConfigureAwait(false);
                sink.Emit(new IstioMemberState(member, meshId, tokens, null));
            },
            (cluster, error, _) => [new IstioMemberState(plan.Members.Single(m => m.Name == cluster.Name), null, [], error)],
            cancellationToken).ConfigureAwait(false))
        {
            states[state.Member.Name] = state;
        }
        return states;
    }

    private static string? MeshIdOf(KubeObject? meshConfig, string cluster)
    {
        var mesh = meshConfig?.Json["data"]?["mesh"]?.ToString();
        if (string.IsNullOrWhiteSpace(mesh)) return null;
        var root = YamlReader.ReadDocuments(mesh, $"{cluster} istio-system/istio mesh config").FirstOrDefault()?.Root;
        return root?["defaultConfig"]?["meshId"]?.ToString() is { Length: > 0 } id ? id : null;
    }

    private static async Task<IReadOnlyList<KubeObject>> ReaderTokensAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        var secrets = await client.ListAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, null, cancellationToken).ConfigureAwait(false);
        return secrets.Where(IstioReaderAccess.IsReaderToken).OrderBy(s => s.CreationTimestamp).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    private sealed record PreparedSource(ReaderCredentials? Credentials, IReadOnlyList<string> OldTokens);

    /// <summary>
    /// The source side of a member: istio-system (labelled with its network), the reader account,
    /// role and binding, and the token its remote secrets carry (istioctl's order: an existing
    /// reader token Secret, else a new one; with Rotate always a new one).
    /// </summary>
    private async Task<PreparedSource> PrepareSourceAsync(FleetCluster cluster, IstioMemberState state, IstioJoinOptions options, CancellationToken cancellationToken)
    {
        var connection = _connector.Connect(cluster);
        var client = Client(cluster);
        var server = connection.Server.AbsoluteUri.TrimEnd('/');
        var existing = state.Tokens.Where(t => TokenOf(t) is not null).ToList();
        if (options.WhatIf)
            return new PreparedSource(existing.Count > 0 && !options.Rotate ? Credentials(server, existing[0]) : null, []);

        var ns = new KubeObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = MeshResourceTypes.IstioNamespace } });
        if (state.Member.Network is { } network) ns.SetLabel(MeshResourceTypes.NetworkLabel, network);
        await client.ApplyAsync(MeshResourceTypes.Namespace, ns, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        foreach (var obj in IstioReaderAccess.Render())
        {
            var type = obj.Kind switch
            {
                "ServiceAccount" => MeshResourceTypes.ServiceAccount,
                "ClusterRole" => MeshResourceTypes.ClusterRole,
                _ => MeshResourceTypes.ClusterRoleBinding,
            };
            await client.ApplyAsync(type, obj, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        }

        if (existing.Count > 0 && !options.Rotate) return new PreparedSource(Credentials(server, existing[0]), []);
        var name = state.Tokens.Count == 0 ? IstioReaderAccess.TokenSecretName : $"{IstioReaderAccess.TokenSecretName}-{Guid.NewGuid().ToString("N")[..5]}";
        await client.ApplyAsync(MeshResourceTypes.Secret, IstioReaderAccess.TokenSecret(name), forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + options.TokenWait;
        while (true)
        {
            var secret = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, name, cancellationToken).ConfigureAwait(false);
            if (secret is not null && TokenOf(secret) is not null && secret.Json["data"]?["ca.crt"] is not null)
                return new PreparedSource(Credentials(server, secret), state.Tokens.Select(t => t.Name).Where(n => n != name).ToList());
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new FleetClusterException(MeshErrorIds.MeshLinkBroken, FleetErrorCategory.OperationTimeout, cluster.Name,
                    $"The token Secret istio-system/{name} on '{cluster.Name}' got no token within {options.TokenWait.TotalSeconds:0} s: is the service-account token controller running?");
            }
            await Task.Delay(TokenPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? TokenOf(KubeObject secret) => secret.Json["data"]?["token"]?.ToString() is { Length: > 0 } encoded
        ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded))
        : null;

    private static ReaderCredentials Credentials(string server, KubeObject tokenSecret) =>
        new(server, tokenSecret.Json["data"]?["ca.crt"]?.ToString() ?? "", TokenOf(tokenSecret)!);

    private static async Task<FleetMeshLink> WriteLinkAsync(ResourceClient client, string target, string source, ReaderCredentials? credentials,
        FleetException? sourceError, bool whatIf, CancellationToken cancellationToken)
    {
        var secretName = IstioRemoteSecret.SecretName(source);
        var link = new FleetMeshLink { Cluster = target, Peer = source, SecretName = $"{MeshResourceTypes.IstioNamespace}/{secretName}" };
        if (sourceError is not null)
        {
            return link with
            {
                Action = FleetResourceAction.Failed, Status = FleetMeshLinkStatus.Unknown, Error = sourceError,
                Message = $"No reader token from {source}: {sourceError.Message}",
            };
        }
        var live = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, secretName, cancellationToken).ConfigureAwait(false);
        if (credentials is null)
        {
            // Only under WhatIf: the source has no token yet, so the link would be new or rewritten.
            return link with
            {
                Action = live is null ? FleetResourceAction.WouldCreate : FleetResourceAction.WouldChange,
                Message = live is null ? $"Would create the remote secret for {source}." : $"Would write a new token of {source} into the remote secret.",
            };
        }
        var desired = IstioRemoteSecret.Render(source, credentials);
        var wanted = IstioRemoteSecret.Kubeconfig(source, credentials);
        var same = live is not null && IstioRemoteSecret.StoredKubeconfig(live, source) == wanted
            && live.Labels.GetValueOrDefault(IstioRemoteSecret.MultiClusterLabel) == "true"
            && live.Annotations.GetValueOrDefault(IstioRemoteSecret.ClusterAnnotation) == source;
        if (same)
        {
            var verdict = await MeshLinkVerifier.VerifyAsync(source, wanted, cancellationToken).ConfigureAwait(false);
            if (verdict.Status != FleetMeshLinkStatus.Broken)
                return link with { Action = FleetResourceAction.Unchanged, Status = verdict.Status, TokenExpires = verdict.Expires, Message = verdict.Message };
        }
        if (whatIf)
        {
            return link with
            {
                Action = live is null ? FleetResourceAction.WouldCreate : FleetResourceAction.WouldChange,
                Message = live is null ? $"Would create the remote secret for {source}." : $"Would rewrite the remote secret for {source}.",
            };
        }
        await client.ApplyAsync(MeshResourceTypes.Secret, desired, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        var check = await MeshLinkVerifier.VerifyAsync(source, wanted, cancellationToken).ConfigureAwait(false);
        return link with
        {
            Action = live is null ? FleetResourceAction.Created : FleetResourceAction.Configured,
            Status = check.Status, TokenExpires = check.Expires, Message = check.Message,
        };
    }

    private static FleetMeshLink Failed(string target, string source, FleetException error) => new()
    {
        Cluster = target, Peer = source, SecretName = $"{MeshResourceTypes.IstioNamespace}/{IstioRemoteSecret.SecretName(source)}",
        Action = FleetResourceAction.Failed, Status = FleetMeshLinkStatus.Unknown, Error = error, Message = error.Message,
    };

    /// <summary>Per ordered pair of the clusters, whether the remote secret is there and its token works against the peer.</summary>
    /// <summary>A member's network as istiod sees it (the istio-system label) and its east-west gateway's external address.</summary>
    private sealed record NetworkState(string Cluster, string? Network, string? GatewayAddress);

    public async IAsyncEnumerable<FleetMeshLink> TestAsync(IReadOnlyList<FleetCluster> clusters, FanOutOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Unreachable members have no state: their links fail on their own below.
        var networks = new Dictionary<string, NetworkState>(StringComparer.Ordinal);
        await foreach (var state in FleetRunner.RunAsync<NetworkState>(clusters, options with { Activity = "Reading Istio networks" },
            async (cluster, sink, token) => sink.Emit(await ReadNetworkAsync(cluster, token).ConfigureAwait(false)),
            (_, _, _) => [], cancellationToken).ConfigureAwait(false))
        {
            networks[state.Cluster] = state;
        }

        await foreach (var link in FleetRunner.RunAsync<FleetMeshLink>(clusters, options with { Activity = "Checking Istio remote secrets" },
            async (cluster, sink, token) =>
            {
                var client = Client(cluster);
                foreach (var peer in clusters.Where(c => c.Name != cluster.Name))
                {
                    var secretName = IstioRemoteSecret.SecretName(peer.Name);
                    var link = new FleetMeshLink
                    {
                        Cluster = cluster.Name, Peer = peer.Name, SecretName = $"{MeshResourceTypes.IstioNamespace}/{secretName}",
                        Network = networks.GetValueOrDefault(cluster.Name)?.Network, PeerNetwork = networks.GetValueOrDefault(peer.Name)?.Network,
                    };
                    var live = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, secretName, token).ConfigureAwait(false);
                    if (live is null)
                    {
                        sink.Emit(link with { Status = FleetMeshLinkStatus.Broken, Message = $"The remote secret {link.SecretName} is missing." });
                        continue;
                    }
                    if (live.Labels.GetValueOrDefault(IstioRemoteSecret.MultiClusterLabel) != "true")
                    {
                        sink.Emit(link with { Status = FleetMeshLinkStatus.Broken, Message = $"The remote secret lacks the label {IstioRemoteSecret.MultiClusterLabel}=true, so istiod ignores it." });
                        continue;
                    }
                    if (IstioRemoteSecret.StoredKubeconfig(live, peer.Name) is not { } kubeconfig)
                    {
                        sink.Emit(link with { Status = FleetMeshLinkStatus.Broken, Message = $"The remote secret has no kubeconfig under the key '{peer.Name}'." });
                        continue;
                    }
                    var verdict = await MeshLinkVerifier.VerifyAsync(peer.Name, kubeconfig, token).ConfigureAwait(false);
                    var networkProblem = verdict.Status == FleetMeshLinkStatus.Healthy
                        ? NetworkProblem(cluster, peer, networks.GetValueOrDefault(cluster.Name), networks.GetValueOrDefault(peer.Name))
                        : null;
                    sink.Emit(link with
                    {
                        Status = networkProblem is null ? verdict.Status : FleetMeshLinkStatus.Broken,
                        TokenExpires = verdict.Expires,
                        Message = networkProblem ?? verdict.Message,
                    });
                }
            },
            (cluster, error, emitted) => clusters.Where(p => p.Name != cluster.Name && !emitted.Any(e => e.Peer == p.Name))
                .Select(p => Failed(cluster.Name, p.Name, error) with { Action = null }),
            cancellationToken).ConfigureAwait(false))
        {
            yield return link;
        }
    }

    private async Task<NetworkState> ReadNetworkAsync(FleetCluster cluster, CancellationToken token)
    {
        var client = Client(cluster);
        var ns = await client.GetAsync(MeshResourceTypes.Namespace, null, MeshResourceTypes.IstioNamespace, token).ConfigureAwait(false);
        var gateway = await client.GetAsync(MeshResourceTypes.Service, MeshResourceTypes.IstioNamespace, IstioInstallRenderer.EastWestGatewayName, token).ConfigureAwait(false);
        var ingress = gateway?.Json["status"]?["loadBalancer"]?["ingress"]?[0];
        var address = ingress?["ip"]?.ToString() is { Length: > 0 } ip ? ip : ingress?["hostname"]?.ToString() is { Length: > 0 } host ? host : null;
        return new NetworkState(cluster.Name, ns?.Labels.GetValueOrDefault(MeshResourceTypes.NetworkLabel) is { Length: > 0 } label ? label : null, address);
    }

    /// <summary>
    /// Why traffic from <paramref name="cluster"/> could not reach <paramref name="peer"/>'s workloads
    /// although the secret works: istio-system's network label differs from the fleet file's, one side
    /// is labelled and the other not, or the peer is on another network and its east-west gateway
    /// has no external address. Null when the networks are fine or could not be read.
    /// </summary>
    private static string? NetworkProblem(FleetCluster cluster, FleetCluster peer, NetworkState? own, NetworkState? remote)
    {
        if (own is null || remote is null) return null;
        foreach (var (member, state) in new[] { (cluster, own), (peer, remote) })
        {
            if (!string.IsNullOrEmpty(member.Network.MeshNetwork) && state.Network != member.Network.MeshNetwork)
                return $"The namespace {MeshResourceTypes.IstioNamespace} on '{member.Name}' is labelled {MeshResourceTypes.NetworkLabel}={state.Network ?? "(none)"}, but the fleet file puts it on network '{member.Network.MeshNetwork}'.";
        }
        if ((own.Network is null) != (remote.Network is null))
        {
            var (labelled, bare) = own.Network is null ? (remote, own) : (own, remote);
            return $"The namespace {MeshResourceTypes.IstioNamespace} on '{bare.Cluster}' has no {MeshResourceTypes.NetworkLabel} label while '{labelled.Cluster}' is on network '{labelled.Network}'; label both, or neither for one network.";
        }
        if (own.Network != remote.Network && remote.GatewayAddress is null)
            return $"'{peer.Name}' is on network '{remote.Network}', not '{own.Network}', and its east-west gateway {MeshResourceTypes.IstioNamespace}/{IstioInstallRenderer.EastWestGatewayName} has no external address, so traffic from '{cluster.Name}' cannot reach it.";
        return null;
    }

    /// <summary>
    /// Removes <paramref name="member"/>'s links: its remote secret on every peer, the peers'
    /// remote secrets on it and its reader tokens (so the tokens peers held stop working). A peer
    /// or member that cannot be reached is reported (Failed) and the rest is still cleaned.
    /// </summary>
    public IAsyncEnumerable<FleetMeshLink> RemoveAsync(FleetCluster member, IReadOnlyList<FleetCluster> peers, bool whatIf, FanOutOptions options,
        CancellationToken cancellationToken = default)
    {
        var all = peers.Where(p => p.Name != member.Name).Prepend(member).ToList();
        return FleetRunner.RunAsync<FleetMeshLink>(all, options with { Activity = "Removing Istio remote secrets" },
            async (cluster, sink, token) =>
            {
                var client = Client(cluster);
                var sources = cluster.Name == member.Name ? all.Where(p => p.Name != member.Name).Select(p => p.Name) : [member.Name];
                foreach (var source in sources)
                {
                    var secretName = IstioRemoteSecret.SecretName(source);
                    var link = new FleetMeshLink { Cluster = cluster.Name, Peer = source, SecretName = $"{MeshResourceTypes.IstioNamespace}/{secretName}" };
                    var live = await client.GetAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, secretName, token).ConfigureAwait(false);
                    if (live is null)
                    {
                        sink.Emit(link with { Action = FleetResourceAction.NotFound, Message = "No remote secret to remove." });
                        continue;
                    }
                    if (!whatIf) await client.DeleteAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, secretName, false, token).ConfigureAwait(false);
                    sink.Emit(link with
                    {
                        Action = whatIf ? FleetResourceAction.WouldDelete : FleetResourceAction.Deleted,
                        Message = whatIf ? $"Would remove the remote secret for {source}." : $"Removed the remote secret for {source}.",
                    });
                }
                if (cluster.Name == member.Name && !whatIf)
                {
                    foreach (var secret in await ReaderTokensAsync(client, token).ConfigureAwait(false))
                        await client.DeleteAsync(MeshResourceTypes.Secret, MeshResourceTypes.IstioNamespace, secret.Name, false, token).ConfigureAwait(false);
                }
            },
            (cluster, error, emitted) => (cluster.Name == member.Name ? all.Where(p => p.Name != member.Name).Select(p => p.Name) : [member.Name])
                .Where(source => !emitted.Any(e => e.Peer == source))
                .Select(source => Failed(cluster.Name, source, error) with
                {
                    Message = $"{cluster.Name} could not be reached; its remote secret for {source} is left: {error.Message}",
                }),
            cancellationToken);
    }
}
