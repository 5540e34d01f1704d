using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>How Update-FleetCluster and rollouts wait for Cluster API to roll the machines.</summary>
public sealed class ClusterUpgradeOptions
{
    /// <summary>How often the control plane's and MachineDeployments' status is read.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one cluster's whole upgrade (control plane and every MachineDeployment) may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The rollout strategy to set on the MachineDeployments (a policy wave's); null leaves theirs. With
    /// OnDelete, Cluster API replaces a worker only when someone deletes it, so workers are not awaited.
    /// </summary>
    public FleetUpgradeStrategy? WorkerStrategy { get; init; }
}

/// <summary>
/// Changes to an existing Cluster API cluster on its management cluster: scaling workers and
/// moving the control plane and workers to a new Kubernetes version. A topology-based cluster is
/// changed through its Cluster's topology (the topology controller owns its objects); others
/// through their KubeadmControlPlane and MachineDeployments. Version rules are checked before
/// anything is written (<see cref="UpgradeRules"/>).
/// </summary>
public sealed partial class ManagedClusterClient(IClusterConnector connector)
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
                // A merge patch replaces the whole list: carry the version it was read at, so a
                // change made in between (another pool scaled) is refused, not overwritten.
                await context.PatchAsync(context.ClusterType, ns, cluster, new JsonObject
                {
                    ["metadata"] = new JsonObject { ["resourceVersion"] = clusterObject.ResourceVersion },
                    ["spec"] = new JsonObject { ["topology"] = new JsonObject { ["workers"] = new JsonObject { ["machineDeployments"] = updated } } },
                }, token).ConfigureAwait(false);
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
        RequireVersion(cluster, version);
        await RunAsync(management, cluster, async (context, token) =>
        {
            var versions = await ReadVersionsAsync(context, ns, cluster, token).ConfigureAwait(false);
            versions.Check(cluster, version);
            await SetControlPlaneVersionAsync(context, ns, cluster, versions, version, token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The version-skew check alone (the rollout's versionSkew pre-check): throws UpgradeNotAllowed
    /// when moving the cluster to <paramref name="version"/> would skip a minor version, downgrade,
    /// or leave workers beyond the supported skew. Writes nothing.
    /// </summary>
    public async Task CheckUpgradeAsync(FleetCluster management, string ns, string cluster, string version,
        CancellationToken cancellationToken = default)
    {
        RequireVersion(cluster, version);
        await RunAsync(management, cluster, async (context, token) =>
        {
            (await ReadVersionsAsync(context, ns, cluster, token).ConfigureAwait(false)).Check(cluster, version);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Upgrades one cluster the way Update-FleetCluster does: checks the version rules before
    /// touching anything, moves the control plane and waits until it has rolled (status.version and
    /// every machine up to date and ready), then each MachineDeployment in turn, waiting for each.
    /// Running it again on a cluster already (partly) at the version redoes nothing and only waits.
    /// With <see cref="ClusterUpgradeOptions.WorkerStrategy"/> OnDelete the workers are not awaited and the result is not Rolled.
    /// Throws UpgradeTimedOut, naming what is still rolling, when <see cref="ClusterUpgradeOptions.Timeout"/> passes.
    /// </summary>
    public async Task<FleetClusterUpgrade> UpgradeAsync(FleetCluster management, string ns, string cluster, string version,
        ClusterUpgradeOptions? options = null, CancellationToken cancellationToken = default)
    {
        RequireVersion(cluster, version);
        options ??= new ClusterUpgradeOptions();
        var started = DateTimeOffset.UtcNow;
        var reporter = FleetCallContext.Reporter;
        var activity = $"Upgrading {cluster} to {version}";
        return await RunAsync(management, cluster, async (context, token) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(options.Timeout);
            var versions = await ReadVersionsAsync(context, ns, cluster, token).ConfigureAwait(false);
            versions.Check(cluster, version);
            var steps = versions.Deployments.Count + 1;

            reporter.Verbose($"{cluster}: control plane {versions.ControlPlaneVersion} -> {version}");
            await SetControlPlaneVersionAsync(context, ns, cluster, versions, version, token).ConfigureAwait(false);
            var controlPlaneName = await WaitRolledAsync(cluster, options, timeout, token, async () =>
            {
                var current = await ReadVersionsAsync(context, ns, cluster, token).ConfigureAwait(false);
                if (current.ControlPlane is null)
                    return (null, new MachineRolloutState(false, $"Cluster {cluster} names no KubeadmControlPlane yet (spec.controlPlaneRef)"));
                return (current.ControlPlane.Name, MachineRollout.Read(current.ControlPlane, version));
            }, waiting => reporter.Progress(cluster, activity, waiting, 0)).ConfigureAwait(false);

            var deployments = new List<string>();
            foreach (var deployment in versions.Deployments.OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                // A topology cluster's MachineDeployments belong to the topology controller, which moves them itself.
                if (!versions.IsTopology && (TemplateVersion(deployment) != version || options.WorkerStrategy is not null))
                {
                    var spec = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["version"] = version } } };
                    if (options.WorkerStrategy is { } strategy)
                    {
                        // v1beta2 moved the strategy under spec.rollout.
                        var type = new JsonObject { ["type"] = strategy.ToString() };
                        if (deployment.Version == "v1beta1") spec["strategy"] = type;
                        else spec["rollout"] = new JsonObject { ["strategy"] = type };
                    }
                    await context.PatchAsync(context.MachineDeploymentType, ns, deployment.Name, new JsonObject { ["spec"] = spec }, token).ConfigureAwait(false);
                }
                if (options.WorkerStrategy == FleetUpgradeStrategy.OnDelete)
                {
                    reporter.Verbose($"{cluster}: MachineDeployment {deployment.Name} is OnDelete; its machines take {version} as they are deleted");
                    deployments.Add(deployment.Name);
                    continue;
                }
                var percent = 100 * (deployments.Count + 1) / steps;
                await WaitRolledAsync(cluster, options, timeout, token, async () =>
                {
                    var current = await context.Client.GetAsync(context.MachineDeploymentType, ns, deployment.Name, token).ConfigureAwait(false)
                        ?? throw new FleetClusterException(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, management.Name,
                            $"MachineDeployment {ns}/{deployment.Name} of cluster '{cluster}' disappeared during the upgrade.");
                    var state = TemplateVersion(current) == version
                        ? MachineRollout.Read(current, null)
                        : new MachineRolloutState(false, $"MachineDeployment {deployment.Name}: spec.template.spec.version is {TemplateVersion(current)}, not {version}");
                    return (deployment.Name, state);
                }, waiting => reporter.Progress(cluster, activity, waiting, percent)).ConfigureAwait(false);
                deployments.Add(deployment.Name);
            }
            reporter.Progress(cluster, activity, "rolled", 100, completed: true);
            return new FleetClusterUpgrade
            {
                Cluster = cluster,
                ManagementCluster = management.Name,
                Namespace = ns,
                FromVersion = versions.ControlPlaneVersion,
                KubernetesVersion = version,
                ControlPlane = controlPlaneName,
                MachineDeployments = deployments,
                Rolled = options.WorkerStrategy != FleetUpgradeStrategy.OnDelete || versions.Deployments.Count == 0,
                Duration = DateTimeOffset.UtcNow - started,
            };
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

    private static void RequireVersion(string cluster, string version)
    {
        if (!ClusterSpecValidator.TryParseKubernetesVersion(version, out _))
        {
            throw ClusterSpecValidator.Invalid(LifecycleErrorIds.KubernetesVersionInvalid, cluster,
                $"-KubernetesVersion '{version}' is not a Kubernetes version of the form v1.x.y, for example v1.32.3.");
        }
    }

    private static string? TemplateVersion(KubeObject deployment) =>
        deployment.Json["spec"]?["template"]?["spec"]?["version"] is JsonValue value ? value.GetValue<string>() : null;

    /// <summary>The versions a cluster runs: its control plane's (or topology's) and its MachineDeployments'.</summary>
    private sealed record ClusterVersions(bool IsTopology, string ControlPlaneVersion, KubeObject? ControlPlane, IReadOnlyList<KubeObject> Deployments)
    {
        public void Check(string cluster, string target) =>
            UpgradeRules.CheckControlPlaneUpgrade(cluster, ControlPlaneVersion, target,
                IsTopology ? [] : Deployments.Where(d => TemplateVersion(d) is not null).Select(d => new KeyValuePair<string, string>(d.Name, TemplateVersion(d)!)));
    }

    private static async Task<ClusterVersions> ReadVersionsAsync(Context context, string ns, string cluster, CancellationToken token)
    {
        var clusterObject = await context.GetClusterAsync(ns, cluster, token).ConfigureAwait(false);
        var controlPlaneName = clusterObject.Json["spec"]?["controlPlaneRef"]?["name"]?.GetValue<string>();
        var topology = clusterObject.Json["spec"]?["topology"] as JsonObject;
        KubeObject? controlPlane = null;
        if (controlPlaneName is not null)
        {
            var controlPlaneType = await context.ResolveAsync(ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane", token).ConfigureAwait(false);
            controlPlane = await context.Client.GetAsync(controlPlaneType, ns, controlPlaneName, token).ConfigureAwait(false);
        }
        if (topology is null && controlPlane is null)
        {
            throw controlPlaneName is null
                ? new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.InvalidData, context.Name,
                    $"Cluster '{cluster}' names no control plane (spec.controlPlaneRef).")
                : new FleetClusterException(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, context.Name,
                    $"The KubeadmControlPlane {ns}/{controlPlaneName} of cluster '{cluster}' does not exist.");
        }
        var version = topology is not null ? topology["version"]!.GetValue<string>() : controlPlane!.Json["spec"]!["version"]!.GetValue<string>();
        var deployments = await context.MachineDeploymentsAsync(ns, cluster, token).ConfigureAwait(false);
        return new ClusterVersions(topology is not null, version, controlPlane, deployments);
    }

    private static async Task SetControlPlaneVersionAsync(Context context, string ns, string cluster, ClusterVersions versions, string version, CancellationToken token)
    {
        if (versions.ControlPlaneVersion == version) return;
        if (versions.IsTopology)
        {
            await context.PatchAsync(context.ClusterType, ns, cluster,
                new JsonObject { ["spec"] = new JsonObject { ["topology"] = new JsonObject { ["version"] = version } } }, token).ConfigureAwait(false);
            return;
        }
        var controlPlaneType = await context.ResolveAsync(ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane", token).ConfigureAwait(false);
        await context.PatchAsync(controlPlaneType, ns, versions.ControlPlane!.Name, new JsonObject { ["spec"] = new JsonObject { ["version"] = version } }, token)
            .ConfigureAwait(false);
    }

    /// <summary>Polls <paramref name="read"/> until it reports rolled; UpgradeTimedOut names what it still waited for.</summary>
    private static async Task<string?> WaitRolledAsync(string cluster, ClusterUpgradeOptions options, CancellationTokenSource timeout, CancellationToken callerToken,
        Func<Task<(string? Name, MachineRolloutState State)>> read, Action<string> report)
    {
        var waiting = "";
        try
        {
            while (true)
            {
                var (name, state) = await read().ConfigureAwait(false);
                if (state.Rolled) return name;
                if (state.Waiting != waiting) report(waiting = state.Waiting);
                await Task.Delay(options.PollInterval, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            throw new FleetClusterException(LifecycleErrorIds.UpgradeTimedOut, FleetErrorCategory.OperationTimeout, cluster,
                $"Cluster '{cluster}' did not finish rolling within {options.Timeout}: {waiting}.",
                recommendedAction: "Look at the machines' conditions on the management cluster; run the upgrade again to keep waiting (nothing is redone).");
        }
    }

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
        public string Name => resources.Name;
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
