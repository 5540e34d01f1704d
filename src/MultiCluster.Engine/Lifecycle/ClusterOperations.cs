using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// Changes to an existing Cluster API cluster on its management cluster: scaling workers and
/// moving the control plane and workers to a new Kubernetes version. A topology-based cluster is
/// changed through its Cluster's topology (the topology controller owns its objects); others
/// through their KubeadmControlPlane and MachineDeployments. Version rules are checked before
/// anything is written (<see cref="UpgradeRules"/>).
/// </summary>
public sealed partial class ClusterOperations(IClusterConnector connector)
{
    private const string MergePatch = "application/merge-patch+json";

    /// <summary>Sets the worker count of <paramref name="machineDeployment"/> (or of the cluster's only one). Returns the deployment's name.</summary>
    public async Task<string> ScaleWorkersAsync(FleetCluster management, string ns, string cluster, int replicas, string? machineDeployment = null,
        CancellationToken cancellationToken = default)
    {
        if (replicas < 0)
            throw ClusterSpecValidator.Invalid(LifecycleErrorIds.WorkerReplicasInvalid, cluster, $"-WorkerReplicas {replicas} is negative; give 0 or more.");
        return await RunAsync(management, cluster, async (context, token) =>
        {
            var clusterObject = await context.GetClusterAsync(ns, cluster, token).ConfigureAwait(false);
            if (clusterObject.Json["spec"]?["topology"] is JsonObject topology)
            {
                var pools = topology["workers"]?["machineDeployments"] as JsonArray ?? [];
                var pool = Pick(cluster, pools.OfType<JsonObject>().Select(p => p["name"]!.GetValue<string>()).ToList(), machineDeployment);
                var updated = (JsonArray)pools.DeepClone();
                foreach (var entry in updated.OfType<JsonObject>().Where(p => p["name"]!.GetValue<string>() == pool)) entry["replicas"] = replicas;
                await context.PatchAsync(context.ClusterType, ns, cluster,
                    new JsonObject { ["spec"] = new JsonObject { ["topology"] = new JsonObject { ["workers"] = new JsonObject { ["machineDeployments"] = updated } } } }, token)
                    .ConfigureAwait(false);
                return pool;
            }
            var deployments = await context.MachineDeploymentsAsync(ns, cluster, token).ConfigureAwait(false);
            var name = Pick(cluster, deployments.Select(d => d.Name).ToList(), machineDeployment);
            await context.PatchAsync(context.MachineDeploymentType, ns, name, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }, token)
                .ConfigureAwait(false);
            return name;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the control plane to <paramref name="version"/> (for a topology cluster: the whole
    /// topology, which Cluster API rolls control plane first). Refuses a skipped minor version, a
    /// downgrade, or leaving workers beyond the supported skew, before writing.
    /// </summary>
    public async Task UpgradeControlPlaneAsync(FleetCluster management, string ns, string cluster, string version,
        CancellationToken cancellationToken = default)
    {
        if (!ClusterSpecValidator.TryParseKubernetesVersion(version, out _))
        {
            throw ClusterSpecValidator.Invalid(LifecycleErrorIds.KubernetesVersionInvalid, cluster,
                $"-KubernetesVersion '{version}' is not a Kubernetes version of the form v1.x.y, for example v1.32.3.");
        }
        await RunAsync(management, cluster, async (context, token) =>
        {
            var clusterObject = await context.GetClusterAsync(ns, cluster, token).ConfigureAwait(false);
            if (clusterObject.Json["spec"]?["topology"] is JsonObject topology)
            {
                UpgradeRules.CheckControlPlaneUpgrade(cluster, topology["version"]!.GetValue<string>(), version, []);
                await context.PatchAsync(context.ClusterType, ns, cluster,
                    new JsonObject { ["spec"] = new JsonObject { ["topology"] = new JsonObject { ["version"] = version } } }, token).ConfigureAwait(false);
                return true;
            }
            var controlPlaneName = clusterObject.Json["spec"]?["controlPlaneRef"]?["name"]?.GetValue<string>()
                ?? throw new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.InvalidData, management.Name,
                    $"Cluster '{cluster}' names no control plane (spec.controlPlaneRef).");
            var controlPlaneType = await context.ResolveAsync(ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane", token).ConfigureAwait(false);
            var controlPlane = await context.Client.GetAsync(controlPlaneType, ns, controlPlaneName, token).ConfigureAwait(false)
                ?? throw new FleetClusterException(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, management.Name,
                    $"The KubeadmControlPlane {ns}/{controlPlaneName} of cluster '{cluster}' does not exist.");
            var deployments = await context.MachineDeploymentsAsync(ns, cluster, token).ConfigureAwait(false);
            UpgradeRules.CheckControlPlaneUpgrade(cluster, controlPlane.Json["spec"]!["version"]!.GetValue<string>(), version,
                deployments
                    .Where(d => d.Json["spec"]?["template"]?["spec"]?["version"] is JsonValue)
                    .Select(d => new KeyValuePair<string, string>(d.Name, d.Json["spec"]!["template"]!["spec"]!["version"]!.GetValue<string>())));
            await context.PatchAsync(controlPlaneType, ns, controlPlaneName, new JsonObject { ["spec"] = new JsonObject { ["version"] = version } }, token)
                .ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves every MachineDeployment of the cluster to <paramref name="version"/>, refusing to pass the control plane. Returns their names.</summary>
    public async Task<IReadOnlyList<string>> UpgradeWorkersAsync(FleetCluster management, string ns, string cluster, string version,
        CancellationToken cancellationToken = default) =>
        await RunAsync(management, cluster, async (context, token) =>
        {
            var clusterObject = await context.GetClusterAsync(ns, cluster, token).ConfigureAwait(false);
            var controlPlaneName = clusterObject.Json["spec"]?["controlPlaneRef"]?["name"]?.GetValue<string>() ?? "";
            var controlPlaneType = await context.ResolveAsync(ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane", token).ConfigureAwait(false);
            var controlPlane = await context.Client.GetAsync(controlPlaneType, ns, controlPlaneName, token).ConfigureAwait(false);
            var controlPlaneVersion = controlPlane?.Json["spec"]?["version"]?.GetValue<string>() ?? version;
            var deployments = await context.MachineDeploymentsAsync(ns, cluster, token).ConfigureAwait(false);
            foreach (var deployment in deployments) UpgradeRules.CheckWorkerUpgrade(cluster, controlPlaneVersion, deployment.Name, version);
            foreach (var deployment in deployments)
            {
                await context.PatchAsync(context.MachineDeploymentType, ns, deployment.Name,
                    new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["version"] = version } } } }, token)
                    .ConfigureAwait(false);
            }
            return (IReadOnlyList<string>)deployments.Select(d => d.Name).ToList();
        }, cancellationToken).ConfigureAwait(false);

    private static string Pick(string cluster, IReadOnlyList<string> names, string? wanted)
    {
        if (wanted is not null)
        {
            return names.Contains(wanted, StringComparer.Ordinal) ? wanted
                : throw ClusterSpecValidator.Invalid(LifecycleErrorIds.ProviderParameterInvalid, cluster,
                    $"-MachineDeployment '{wanted}' is not a machine deployment of cluster '{cluster}'; it has {(names.Count == 0 ? "none" : string.Join(", ", names))}.");
        }
        return names.Count switch
        {
            1 => names[0],
            0 => throw new FleetClusterException(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster,
                $"Cluster '{cluster}' has no machine deployment to scale."),
            _ => throw ClusterSpecValidator.Invalid(LifecycleErrorIds.ProviderParameterInvalid, cluster,
                $"Cluster '{cluster}' has {names.Count} machine deployments ({string.Join(", ", names)}); say which with -MachineDeployment."),
        };
    }

    private async Task<T> RunAsync<T>(FleetCluster management, string cluster, Func<Context, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var resources = ClusterResources.For(connector.Connect(management), null);
        try
        {
            var core = await ClusterApiDiscovery.ServedCoreVersionAsync(resources.Discovery, cancellationToken).ConfigureAwait(false);
            var api = resources.Connection.Client is k8s.Kubernetes client
                ? new KubernetesClientApi(client)
                : throw new FleetClusterException(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.InvalidOperation, management.Name,
                    $"The connection of cluster '{management.Name}' does not use KubernetesClient's Kubernetes class, which patches need.");
            var context = new Context(resources, api, core);
            context.ClusterType = await context.ResolveAsync(ClusterApiVersions.CoreGroup, "Cluster", cancellationToken).ConfigureAwait(false);
            context.MachineDeploymentType = await context.ResolveAsync(ClusterApiVersions.CoreGroup, "MachineDeployment", cancellationToken).ConfigureAwait(false);
            return await action(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FleetException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw KubernetesErrors.Translate(ex, management.Name, $"Cluster {cluster}", cancellationToken);
        }
    }

    private sealed class Context(ClusterResources resources, IKubeApi api, FleetClusterApiVersion core)
    {
        public ResourceClient Client => resources.Client;
        public ResourceType ClusterType { get; set; } = null!;
        public ResourceType MachineDeploymentType { get; set; } = null!;

        public Task<ResourceType> ResolveAsync(string group, string kind, CancellationToken token) =>
            resources.Discovery.ResolveAsync($"{group}/{ClusterApiVersions.VersionName(core)}", kind, token);

        public async Task<KubeObject> GetClusterAsync(string ns, string cluster, CancellationToken token) =>
            await Client.GetAsync(ClusterType, ns, cluster, token).ConfigureAwait(false)
            ?? throw new FleetClusterException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, resources.Name,
                $"Management cluster '{resources.Name}' has no Cluster {ns}/{cluster}.", recommendedAction: "Check -Namespace and the cluster name.");

        public Task<IReadOnlyList<KubeObject>> MachineDeploymentsAsync(string ns, string cluster, CancellationToken token) =>
            Client.ListAsync(MachineDeploymentType, ns, $"{ClusterManifestRenderer.ClusterNameLabel}={cluster}", token);

        public async Task PatchAsync(ResourceType type, string ns, string name, JsonObject patch, CancellationToken token)
        {
            var path = type.ObjectPath(ns, name) + $"?fieldManager={ResourceClient.FieldManager}";
            var response = await api.SendAsync(HttpMethod.Patch, path, patch.ToJsonString(), MergePatch, token).ConfigureAwait(false);
            if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, resources.Name, $"{type.ApiVersion} {type.Kind} {ns}/{name}");
        }
    }
}
