using System.Runtime.CompilerServices;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Delivery;

/// <summary>What Register-FleetArgoCluster and Unregister-FleetArgoCluster were asked for.</summary>
public sealed record ArgoRegistrationOptions
{
    /// <summary>The cluster running Argo CD.</summary>
    public required FleetCluster ManagementCluster { get; init; }

    /// <summary>Argo CD's namespace on the management cluster (-ArgoNamespace).</summary>
    public string ArgoNamespace { get; init; } = DeliveryResourceTypes.ArgoNamespace;

    /// <summary>-Namespace: a namespaced registration (Role per namespace); empty for cluster-wide rights.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>-Rotate: a new argocd-manager token; the old one stops working.</summary>
    public bool Rotate { get; init; }

    /// <summary>-Force (unregister): remove even while Applications still deploy to the cluster.</summary>
    public bool Force { get; init; }

    public bool WhatIf { get; init; }
    public FanOutOptions FanOut { get; init; } = new();

    /// <summary>How long to wait for the token controller to fill the token Secret (argocd polls for 30 s).</summary>
    public TimeSpan TokenWait { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Registers clusters in Argo CD the way <c>argocd cluster add</c> does (the argocd-manager account,
/// role and long-lived token in each cluster; the cluster Secret on the management cluster), and
/// removes both sides again. A second registration changes nothing and reports Unchanged.
/// </summary>
public sealed class ArgoClusterService
{
    private static readonly TimeSpan TokenPoll = TimeSpan.FromMilliseconds(200);

    private readonly IClusterConnector _connector;

    public ArgoClusterService(IClusterConnector connector) => _connector = connector;

    private ResourceClient Client(FleetCluster cluster) => ClusterResources.For(_connector.Connect(cluster), null).Client;

    private string ServerOf(FleetCluster cluster) => _connector.Connect(cluster).Server.AbsoluteUri.TrimEnd('/');

    public async IAsyncEnumerable<FleetArgoCluster> RegisterAsync(IReadOnlyList<FleetCluster> clusters, ArgoRegistrationOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var management = Client(options.ManagementCluster);
        await RequireArgoNamespaceAsync(management, options, cancellationToken).ConfigureAwait(false);
        await foreach (var result in FleetRunner.RunAsync<FleetArgoCluster>(clusters, options.FanOut with { Activity = "Registering clusters in Argo CD" },
            async (cluster, sink, token) => sink.Emit(await RegisterOneAsync(cluster, management, options, token).ConfigureAwait(false)),
            (cluster, error, _) => [Failed(cluster, options, error)],
            cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private async Task<FleetArgoCluster> RegisterOneAsync(FleetCluster cluster, ResourceClient management, ArgoRegistrationOptions options, CancellationToken cancellationToken)
    {
        var client = Client(cluster);
        var server = ServerOf(cluster);
        var secretName = ArgoClusterSecret.SecretName(server);
        var result = Result(cluster, options, server);
        foreach (var ns in options.Namespaces)
        {
            if (await client.GetAsync(DeliveryResourceTypes.Namespace, null, ns, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new FleetClusterException(DeliveryErrorIds.NamespaceNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                    $"Namespace '{ns}' (-Namespace) does not exist in cluster '{cluster.Name}'; Argo CD's role there cannot be created. Nothing was changed on '{cluster.Name}'.",
                    recommendedAction: "Create the namespace first, or leave it out of -Namespace.");
            }
        }
        var live = await management.GetAsync(DeliveryResourceTypes.Secret, options.ArgoNamespace, secretName, cancellationToken).ConfigureAwait(false);
        var tokenSecret = await client.GetAsync(DeliveryResourceTypes.Secret, DeliveryResourceTypes.SystemNamespace, ArgoManagerAccess.TokenSecretName, cancellationToken)
            .ConfigureAwait(false);
        var access = new List<(ResourceType Type, KubeObject Object)> { (DeliveryResourceTypes.ServiceAccount, ArgoManagerAccess.ServiceAccount(DeliveryResourceTypes.SystemNamespace)) };
        access.AddRange(ArgoManagerAccess.Roles(DeliveryResourceTypes.SystemNamespace, options.Namespaces));
        var stale = await StaleGrantsAsync(client, options.Namespaces, cancellationToken).ConfigureAwait(false);
        var staleText = string.Join(", ", stale.Select(g => g.Namespace is null ? $"{g.Type.Kind} {g.Name}" : $"{g.Type.Kind} {g.Namespace}/{g.Name}"));

        if (options.WhatIf)
        {
            var missing = new List<string>();
            foreach (var (type, obj) in access)
            {
                if (await client.GetAsync(type, obj.Namespace, obj.Name, cancellationToken).ConfigureAwait(false) is null) missing.Add($"{obj.Kind} {obj.Name}");
            }
            var current = tokenSecret is null ? null : Credentials(server, tokenSecret);
            var secretMatches = live is not null && current is not null
                && ArgoClusterSecret.Matches(live, ArgoClusterSecret.Render(cluster, current, options.ArgoNamespace, options.Namespaces));
            if (live is null) return result with { Action = FleetResourceAction.WouldCreate, Message = $"Would create the argocd-manager account and the cluster Secret {result.SecretName}." };
            var removing = stale.Count > 0 ? $" Would remove the rights it no longer grants: {staleText}." : "";
            if (options.Rotate) return result with { Action = FleetResourceAction.WouldChange, Message = "Would issue a new argocd-manager token; the old one would stop working." + removing };
            if (missing.Count > 0 || !secretMatches || stale.Count > 0)
            {
                return result with
                {
                    Action = FleetResourceAction.WouldChange,
                    Message = (missing.Count > 0 ? $"Would create {string.Join(", ", missing)} and rewrite the cluster Secret."
                        : !secretMatches ? "Would rewrite the cluster Secret." : "").TrimEnd() + removing,
                };
            }
            return result with { Action = FleetResourceAction.Unchanged, Message = "Registered; nothing would change." };
        }

        var changed = false;
        foreach (var (type, obj) in access)
        {
            var before = await client.GetAsync(type, obj.Namespace, obj.Name, cancellationToken).ConfigureAwait(false);
            var applied = await client.ApplyAsync(type, obj, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
            changed |= before?.ResourceVersion != applied.Object.ResourceVersion;
        }
        // The new rights are in place; now take away those this registration no longer grants, bindings before roles.
        foreach (var (type, ns, name) in stale)
        {
            await client.DeleteAsync(type, ns, name, false, cancellationToken).ConfigureAwait(false);
            changed = true;
        }
        var rotated = false;
        if (tokenSecret is not null && (options.Rotate || Credentials(server, tokenSecret) is null))
        {
            await client.DeleteAsync(DeliveryResourceTypes.Secret, DeliveryResourceTypes.SystemNamespace, ArgoManagerAccess.TokenSecretName, false, cancellationToken)
                .ConfigureAwait(false);
            await WaitGoneAsync(client, cancellationToken).ConfigureAwait(false);
            tokenSecret = null;
            rotated = options.Rotate;
        }
        if (tokenSecret is null)
        {
            await client.ApplyAsync(DeliveryResourceTypes.Secret, ArgoManagerAccess.TokenSecret(DeliveryResourceTypes.SystemNamespace), forceConflicts: true, dryRun: false,
                cancellationToken).ConfigureAwait(false);
            changed = true;
        }
        var credentials = await WaitForTokenAsync(cluster, client, server, options, cancellationToken).ConfigureAwait(false);
        var desired = ArgoClusterSecret.Render(cluster, credentials, options.ArgoNamespace, options.Namespaces);
        if (live is not null && !changed && ArgoClusterSecret.Matches(live, desired))
            return result with { Action = FleetResourceAction.Unchanged, Message = "Already registered with a working token." };
        await management.ApplyAsync(DeliveryResourceTypes.Secret, desired, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
        return result with
        {
            Action = live is null ? FleetResourceAction.Created : FleetResourceAction.Configured,
            Message = (live is null ? $"Registered with {(options.Namespaces.Count == 0 ? "cluster-wide" : "namespaced")} rights."
                : rotated ? "New argocd-manager token; the old one no longer works." : "Cluster Secret rewritten.")
                + (stale.Count > 0 ? $" Removed the rights it no longer grants: {staleText}." : ""),
        };
    }

    /// <summary>
    /// The argocd-manager grants a registration with <paramref name="namespaces"/> does not make: the
    /// ClusterRoleBinding and ClusterRole of an earlier cluster-wide registration when it is now
    /// namespaced (else the token keeps every right), or the Roles and RoleBindings (this module's) of
    /// namespaces no longer named. Bindings first, so no moment grants a role without its binding gone.
    /// </summary>
    private static async Task<IReadOnlyList<(ResourceType Type, string? Namespace, string Name)>> StaleGrantsAsync(ResourceClient client,
        IReadOnlyList<string> namespaces, CancellationToken cancellationToken)
    {
        var bindings = new List<(ResourceType Type, string? Namespace, string Name)>();
        var roles = new List<(ResourceType Type, string? Namespace, string Name)>();
        if (namespaces.Count > 0)
        {
            if (await client.GetAsync(DeliveryResourceTypes.ClusterRoleBinding, null, ArgoManagerAccess.BindingName, cancellationToken).ConfigureAwait(false) is not null)
                bindings.Add((DeliveryResourceTypes.ClusterRoleBinding, null, ArgoManagerAccess.BindingName));
            if (await client.GetAsync(DeliveryResourceTypes.ClusterRole, null, ArgoManagerAccess.RoleName, cancellationToken).ConfigureAwait(false) is not null)
                roles.Add((DeliveryResourceTypes.ClusterRole, null, ArgoManagerAccess.RoleName));
        }
        var ours = $"{KubeObject.ManagedByLabel}={KubeObject.ManagedByValue}";
        foreach (var binding in await client.ListAsync(DeliveryResourceTypes.RoleBinding, null, ours, cancellationToken).ConfigureAwait(false))
        {
            if (binding.Name == ArgoManagerAccess.BindingName && !namespaces.Contains(binding.Namespace!, StringComparer.Ordinal))
                bindings.Add((DeliveryResourceTypes.RoleBinding, binding.Namespace, binding.Name));
        }
        foreach (var role in await client.ListAsync(DeliveryResourceTypes.Role, null, ours, cancellationToken).ConfigureAwait(false))
        {
            if (role.Name == ArgoManagerAccess.RoleName && !namespaces.Contains(role.Namespace!, StringComparer.Ordinal))
                roles.Add((DeliveryResourceTypes.Role, role.Namespace, role.Name));
        }
        return [.. bindings.OrderBy(b => b.Namespace, StringComparer.Ordinal), .. roles.OrderBy(r => r.Namespace, StringComparer.Ordinal)];
    }

    /// <summary>The token controller fills the new Secret; argocd cluster add waits for it the same way.</summary>
    private static async Task<ArgoCredentials> WaitForTokenAsync(FleetCluster cluster, ResourceClient client, string server, ArgoRegistrationOptions options,
        CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + options.TokenWait;
        while (true)
        {
            var secret = await client.GetAsync(DeliveryResourceTypes.Secret, DeliveryResourceTypes.SystemNamespace, ArgoManagerAccess.TokenSecretName, cancellationToken)
                .ConfigureAwait(false);
            if (secret is not null && Credentials(server, secret) is { } credentials) return credentials;
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new FleetClusterException(DeliveryErrorIds.TokenNotIssued, FleetErrorCategory.OperationTimeout, cluster.Name,
                    $"The token Secret {DeliveryResourceTypes.SystemNamespace}/{ArgoManagerAccess.TokenSecretName} on '{cluster.Name}' got no token within {options.TokenWait.TotalSeconds:0} s: is the service-account token controller running?");
            }
            await Task.Delay(TokenPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitGoneAsync(ResourceClient client, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 50; i++)
        {
            if (await client.GetAsync(DeliveryResourceTypes.Secret, DeliveryResourceTypes.SystemNamespace, ArgoManagerAccess.TokenSecretName, cancellationToken)
                    .ConfigureAwait(false) is null)
                return;
            await Task.Delay(TokenPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ArgoCredentials? Credentials(string server, KubeObject tokenSecret) =>
        ArgoClusterSecret.Data(tokenSecret, "token") is { } token && tokenSecret.Json["data"]?["ca.crt"]?.ToString() is { Length: > 0 } ca
            ? new ArgoCredentials(server, ca, token)
            : null;

    /// <summary>
    /// Removes the cluster Secret from the management cluster and argocd-manager's token, roles and
    /// account from each cluster. Refused, before anything changes, while Applications still
    /// deploy to one of the clusters, unless Force.
    /// </summary>
    public async IAsyncEnumerable<FleetArgoCluster> UnregisterAsync(IReadOnlyList<FleetCluster> clusters, ArgoRegistrationOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var management = Client(options.ManagementCluster);
        await RequireArgoNamespaceAsync(management, options, cancellationToken).ConfigureAwait(false);
        var applications = await ApplicationsAsync(management, options.ArgoNamespace, cancellationToken).ConfigureAwait(false);
        var servers = clusters.ToDictionary(c => c.Name, ServerOf, StringComparer.Ordinal);
        if (!options.Force)
        {
            foreach (var cluster in clusters)
            {
                var using_ = applications.Where(a => Targets(a, cluster.Name, servers[cluster.Name])).Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
                if (using_.Count == 0) continue;
                throw new FleetInputException(DeliveryErrorIds.ArgoClusterInUse, FleetErrorCategory.InvalidOperation, cluster.Name,
                    $"Applications still deploy to cluster '{cluster.Name}': {string.Join(", ", using_)} ({options.ArgoNamespace} on {options.ManagementCluster.Name}). Nothing was changed.",
                    recommendedAction: "Delete or retarget those Applications first, or use -Force to unregister anyway (Argo CD then reports them as failing).");
            }
        }
        await foreach (var result in FleetRunner.RunAsync<FleetArgoCluster>(clusters, options.FanOut with { Activity = "Unregistering clusters from Argo CD" },
            async (cluster, sink, token) => sink.Emit(await UnregisterOneAsync(cluster, servers[cluster.Name], management, options, token).ConfigureAwait(false)),
            (cluster, error, _) => [Failed(cluster, options, error) with { Server = servers[cluster.Name], SecretName = $"{options.ArgoNamespace}/{ArgoClusterSecret.SecretName(servers[cluster.Name])}" }],
            cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private async Task<FleetArgoCluster> UnregisterOneAsync(FleetCluster cluster, string server, ResourceClient management, ArgoRegistrationOptions options,
        CancellationToken cancellationToken)
    {
        var result = Result(cluster, options, server);
        var secretName = ArgoClusterSecret.SecretName(server);
        var live = await management.GetAsync(DeliveryResourceTypes.Secret, options.ArgoNamespace, secretName, cancellationToken).ConfigureAwait(false);
        var found = live is not null;
        if (found && !options.WhatIf)
            await management.DeleteAsync(DeliveryResourceTypes.Secret, options.ArgoNamespace, secretName, false, cancellationToken).ConfigureAwait(false);

        // The target side: token first (revokes it), then bindings, roles and the account.
        var client = Client(cluster);
        var targets = new List<(ResourceType Type, string? Namespace, string Name)>
        {
            (DeliveryResourceTypes.Secret, DeliveryResourceTypes.SystemNamespace, ArgoManagerAccess.TokenSecretName),
            (DeliveryResourceTypes.ClusterRoleBinding, null, ArgoManagerAccess.BindingName),
            (DeliveryResourceTypes.ClusterRole, null, ArgoManagerAccess.RoleName),
        };
        foreach (var binding in await client.ListAsync(DeliveryResourceTypes.RoleBinding, null, $"{KubeObject.ManagedByLabel}={KubeObject.ManagedByValue}", cancellationToken)
                     .ConfigureAwait(false))
        {
            if (binding.Name == ArgoManagerAccess.BindingName) targets.Add((DeliveryResourceTypes.RoleBinding, binding.Namespace, binding.Name));
        }
        foreach (var role in await client.ListAsync(DeliveryResourceTypes.Role, null, $"{KubeObject.ManagedByLabel}={KubeObject.ManagedByValue}", cancellationToken)
                     .ConfigureAwait(false))
        {
            if (role.Name == ArgoManagerAccess.RoleName) targets.Add((DeliveryResourceTypes.Role, role.Namespace, role.Name));
        }
        targets.Add((DeliveryResourceTypes.ServiceAccount, DeliveryResourceTypes.SystemNamespace, ArgoManagerAccess.ServiceAccountName));
        var removed = 0;
        foreach (var (type, ns, name) in targets)
        {
            if (await client.GetAsync(type, ns, name, cancellationToken).ConfigureAwait(false) is null) continue;
            removed++;
            if (!options.WhatIf) await client.DeleteAsync(type, ns, name, false, cancellationToken).ConfigureAwait(false);
        }
        if (!found && removed == 0) return result with { Action = FleetResourceAction.NotFound, Message = "Not registered in Argo CD." };
        return result with
        {
            Action = options.WhatIf ? FleetResourceAction.WouldDelete : FleetResourceAction.Deleted,
            Message = $"{(options.WhatIf ? "Would remove" : "Removed")} {(found ? "the cluster Secret and " : "")}{removed} argocd-manager object(s) in the cluster.",
        };
    }

    /// <summary>Whether an Application deploys to the cluster, named by server URL or by name.</summary>
    private static bool Targets(KubeObject application, string name, string server)
    {
        var destination = application.Json["spec"]?["destination"];
        return destination?["server"]?.ToString()?.TrimEnd('/') == server || destination?["name"]?.ToString() == name;
    }

    private static async Task<IReadOnlyList<KubeObject>> ApplicationsAsync(ResourceClient management, string argoNamespace, CancellationToken cancellationToken)
    {
        try
        {
            return await management.ListAsync(DeliveryResourceTypes.Application, argoNamespace, null, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetException ex) when (ex.ErrorId == FleetErrorIds.ResourceNotFound)
        {
            // No Application CRD: nothing can deploy to the cluster.
            return [];
        }
    }

    private static async Task RequireArgoNamespaceAsync(ResourceClient management, ArgoRegistrationOptions options, CancellationToken cancellationToken)
    {
        if (await management.GetAsync(DeliveryResourceTypes.Namespace, null, options.ArgoNamespace, cancellationToken).ConfigureAwait(false) is not null) return;
        throw new FleetInputException(DeliveryErrorIds.ArgoNamespaceNotFound, FleetErrorCategory.ObjectNotFound, options.ManagementCluster.Name,
            $"The management cluster '{options.ManagementCluster.Name}' has no namespace '{options.ArgoNamespace}', where Argo CD keeps its cluster Secrets. Nothing was changed.",
            recommendedAction: "Install Argo CD there first, or name its namespace with -ArgoNamespace.");
    }

    private static FleetArgoCluster Result(FleetCluster cluster, ArgoRegistrationOptions options, string server) => new()
    {
        Cluster = cluster.Name,
        ManagementCluster = options.ManagementCluster.Name,
        Server = server,
        SecretName = $"{options.ArgoNamespace}/{ArgoClusterSecret.SecretName(server)}",
        Namespaces = options.Namespaces,
        Labels = ArgoClusterSecret.FleetLabels(cluster),
    };

    private static FleetArgoCluster Failed(FleetCluster cluster, ArgoRegistrationOptions options, FleetException error) => new()
    {
        Cluster = cluster.Name,
        ManagementCluster = options.ManagementCluster.Name,
        Namespaces = options.Namespaces,
        Labels = ArgoClusterSecret.FleetLabels(cluster),
        Action = FleetResourceAction.Failed,
        Message = error.Message,
        Error = error,
    };
}
