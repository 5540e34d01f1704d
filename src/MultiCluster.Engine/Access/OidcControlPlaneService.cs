using System.Diagnostics;
using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>
/// The change Set-FleetOidc makes to one workload cluster's KubeadmControlPlane: the object as
/// read, and the merge patch that sets the OIDC settings (guarded by the read resourceVersion).
/// </summary>
public sealed class OidcControlPlaneChange
{
    internal OidcControlPlaneChange(FleetCluster cluster, KubeObject controlPlane, ResourceType type, string kubernetesVersion,
        FleetOidcMethod method, JsonObject? patch, Func<KubeObject, JsonObject?> patchFor)
    {
        PatchFor = patchFor;
        Cluster = cluster;
        ControlPlane = controlPlane;
        Type = type;
        KubernetesVersion = kubernetesVersion;
        Method = method;
        Patch = patch;
    }

    public FleetCluster Cluster { get; }
    internal KubeObject ControlPlane { get; }
    internal ResourceType Type { get; }
    public string KubernetesVersion { get; }
    public FleetOidcMethod Method { get; }

    /// <summary>Null when the control plane already holds the settings.</summary>
    internal JsonObject? Patch { get; }

    /// <summary>The same change worked out against a newer read of the control plane (null: nothing left to set).</summary>
    internal Func<KubeObject, JsonObject?> PatchFor { get; }

    /// <summary>False when the control plane already holds the settings (nothing to confirm).</summary>
    public bool HasChanges => Patch is not null;

    public string Description =>
        $"Cluster {Cluster.Name}: set OIDC ({Method}) on {ControlPlane.ApiVersion} KubeadmControlPlane {ControlPlane.Namespace}/{ControlPlane.Name}";

    internal string Summary => Method == FleetOidcMethod.Flags
        ? $"API server of {Cluster.Name} (Kubernetes {KubernetesVersion}): --oidc-* flags"
        : $"API server of {Cluster.Name} (Kubernetes {KubernetesVersion}): --{OidcApiServerRenderer.AuthenticationConfigArg}={OidcApiServerRenderer.AuthenticationConfigPath}";
}

/// <summary>
/// Puts the OIDC settings into the fleet's Cluster API control planes on the management cluster.
/// Each workload cluster is the Cluster API Cluster of the same name (in the namespace given, or
/// any); its KubeadmControlPlane gets the <c>--oidc-*</c> flags, or for Kubernetes 1.30 and
/// newer the AuthenticationConfiguration file, its host-path volume and
/// <c>--authentication-config</c>, in <c>kubeadmConfigSpec</c>. Every other flag, file and
/// volume stays as it is; the flags of the other method are removed because the API server
/// refuses both together. Clusters built from a ClusterClass are refused: their topology
/// controller owns the control plane and would undo the change.
/// </summary>
public sealed class OidcControlPlaneService(IClusterConnector connector)
{
    private const string MergePatch = "application/merge-patch+json";
    private const int ConflictAttempts = 5;

    /// <summary>
    /// Reads each cluster's control plane and works out its change; contacts only the management
    /// cluster and writes nothing. A cluster without a control plane gives its error and the others go on.
    /// </summary>
    public async IAsyncEnumerable<FleetOutcome<OidcControlPlaneChange>> PlanAsync(FleetCluster management, IReadOnlyList<FleetCluster> clusters,
        OidcSettings settings, FleetOidcMethod? method, string? ns, FanOutOptions options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (resources, core, controlPlaneType, capiClusters) = await ReadManagementAsync(management, ns, cancellationToken).ConfigureAwait(false);
        var outcomes = FleetRunner.RunAsync<FleetOutcome<OidcControlPlaneChange>>(
            clusters,
            options with { Activity = "Reading control planes" },
            async (cluster, sink, token) =>
            {
                var change = await PlanClusterAsync(resources, management, core, controlPlaneType, capiClusters, cluster, settings, method, ns, token)
                    .ConfigureAwait(false);
                sink.Emit(FleetOutcome<OidcControlPlaneChange>.Success(cluster.Name, change));
            },
            (cluster, error, _) => [FleetOutcome<OidcControlPlaneChange>.Failure(cluster.Name, error)],
            cancellationToken);
        await foreach (var outcome in outcomes.ConfigureAwait(false)) yield return outcome;
    }

    /// <summary>Patches (or with <paramref name="whatIf"/> dry-runs the patch of) each confirmed control plane; one result each.</summary>
    public IAsyncEnumerable<FleetResourceResult> ApplyAsync(FleetCluster management, IReadOnlyList<OidcControlPlaneChange> changes, bool whatIf,
        FanOutOptions options, CancellationToken cancellationToken = default)
    {
        var api = Api(management);
        return FleetRunner.RunAsync<FleetResourceResult>(
            changes.Select(c => c.Cluster).ToList(),
            options with { Activity = whatIf ? "Checking control plane changes" : "Setting OIDC on control planes" },
            async (cluster, sink, token) =>
            {
                var change = changes.First(c => c.Cluster.Name == cluster.Name);
                var watch = Stopwatch.StartNew();
                if (change.Patch is null)
                {
                    sink.Emit(Result(management, change, FleetResourceAction.Unchanged, watch.Elapsed, change.Summary + " already set."));
                    return;
                }
                var objectPath = change.Type.ObjectPath(change.ControlPlane.Namespace, change.ControlPlane.Name);
                var path = objectPath + $"?fieldManager={ResourceClient.FieldManager}&fieldValidation=Strict" + (whatIf ? "&dryRun=All" : "");
                var patch = change.Patch;
                for (var attempt = 1; ; attempt++)
                {
                    var response = await api.SendAsync(HttpMethod.Patch, path, patch.ToJsonString(), MergePatch, token).ConfigureAwait(false);
                    if (response.IsSuccess)
                    {
                        var after = KubeObject.Parse(response.Utf8Body.Span);
                        sink.Emit(Result(management, change, whatIf ? FleetResourceAction.WouldChange : FleetResourceAction.Configured, watch.Elapsed,
                            change.Summary + ".", changes: whatIf ? ObjectDiff.Compare(change.ControlPlane.Json, after.Json) : []));
                        return;
                    }
                    // The patch carries the resourceVersion read, and the KubeadmControlPlane controller moves it with every
                    // status write. On a conflict, read the control plane again and work the change out anew, as client-go's
                    // RetryOnConflict does: whatever else changed in its spec meanwhile is kept.
                    if (response.Status != System.Net.HttpStatusCode.Conflict || attempt == ConflictAttempts)
                        throw ResourceErrors.FromResponse(response, management.Name, change.ControlPlane.Reference);
                    var current = await api.SendAsync(HttpMethod.Get, objectPath, null, null, token).ConfigureAwait(false);
                    if (!current.IsSuccess) throw ResourceErrors.FromResponse(current, management.Name, change.ControlPlane.Reference);
                    if (change.PatchFor(KubeObject.Parse(current.Utf8Body.Span)) is not { } again)
                    {
                        sink.Emit(Result(management, change, FleetResourceAction.Unchanged, watch.Elapsed, change.Summary + " already set."));
                        return;
                    }
                    patch = again;
                }
            },
            (cluster, error, _) =>
            {
                var change = changes.First(c => c.Cluster.Name == cluster.Name);
                return [Result(management, change, FleetResourceAction.Failed, TimeSpan.Zero, error.Message, error)];
            },
            cancellationToken);
    }

    private static FleetResourceResult Result(FleetCluster management, OidcControlPlaneChange change, FleetResourceAction action, TimeSpan duration,
        string message, FleetException? error = null, IReadOnlyList<FleetFieldChange>? changes = null) => new()
    {
        Cluster = management.Name,
        ApiVersion = change.ControlPlane.ApiVersion,
        Kind = change.ControlPlane.Kind,
        Namespace = change.ControlPlane.Namespace,
        Name = change.ControlPlane.Name,
        Action = action,
        Message = message,
        Changes = changes ?? [],
        Duration = duration,
        Error = error,
    };

    private async Task<(ClusterResources, FleetClusterApiVersion, ResourceType, IReadOnlyList<KubeObject>)> ReadManagementAsync(
        FleetCluster management, string? ns, CancellationToken cancellationToken)
    {
        var resources = ClusterResources.For(connector.Connect(management), null);
        try
        {
            var core = await ClusterApiDiscovery.ServedCoreVersionAsync(resources.Discovery, cancellationToken).ConfigureAwait(false);
            var version = ClusterApiVersions.VersionName(core);
            var clusterType = await resources.Discovery.ResolveAsync($"{ClusterApiVersions.CoreGroup}/{version}", "Cluster", cancellationToken).ConfigureAwait(false);
            var controlPlaneType = await resources.Discovery.ResolveAsync($"{ClusterApiVersions.ControlPlaneGroup}/{version}", "KubeadmControlPlane", cancellationToken)
                .ConfigureAwait(false);
            var capiClusters = await resources.Client.ListAsync(clusterType, ns, null, cancellationToken).ConfigureAwait(false);
            return (resources, core, controlPlaneType, capiClusters);
        }
        catch (Exception ex) when (ex is not FleetException && !cancellationToken.IsCancellationRequested)
        {
            throw KubernetesErrors.Translate(ex, management.Name, "Cluster API clusters", cancellationToken);
        }
    }

    private static async Task<OidcControlPlaneChange> PlanClusterAsync(ClusterResources resources, FleetCluster management, FleetClusterApiVersion core,
        ResourceType controlPlaneType, IReadOnlyList<KubeObject> capiClusters, FleetCluster cluster, OidcSettings settings, FleetOidcMethod? method,
        string? ns, CancellationToken token)
    {
        var matches = capiClusters.Where(c => c.Name == cluster.Name).ToList();
        var where = ns is null ? "any namespace" : $"namespace '{ns}'";
        if (matches.Count == 0)
        {
            throw new FleetClusterException(OidcErrorIds.ControlPlaneNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                $"Management cluster '{management.Name}' has no Cluster API Cluster named '{cluster.Name}' in {where}.",
                recommendedAction: "Set-FleetOidc configures clusters that Cluster API runs from the management cluster; check -ManagementCluster and -Namespace.");
        }
        if (matches.Count > 1)
        {
            throw new FleetClusterException(OidcErrorIds.ControlPlaneNotFound, FleetErrorCategory.InvalidArgument, cluster.Name,
                $"Management cluster '{management.Name}' has a Cluster named '{cluster.Name}' in {string.Join(", ", matches.Select(m => m.Namespace))}; say which with -Namespace.");
        }
        var capiCluster = matches[0];
        if (capiCluster.Json["spec"]?["topology"] is JsonObject)
        {
            throw new FleetClusterException(OidcErrorIds.ControlPlaneManagedByTopology, FleetErrorCategory.InvalidOperation, cluster.Name,
                $"Cluster '{cluster.Name}' is built from a ClusterClass; its topology controller owns the KubeadmControlPlane and would undo the change.",
                recommendedAction: "Set the API server flags through the ClusterClass's patches and variables; New-FleetOidcConfig renders them.");
        }
        var reference = capiCluster.Json["spec"]?["controlPlaneRef"] as JsonObject;
        if (reference?["kind"]?.GetValue<string>() != "KubeadmControlPlane" || reference["name"]?.GetValue<string>() is not { } controlPlaneName)
        {
            throw new FleetClusterException(OidcErrorIds.ControlPlaneNotFound, FleetErrorCategory.InvalidOperation, cluster.Name,
                $"Cluster '{cluster.Name}' has no KubeadmControlPlane (spec.controlPlaneRef names {reference?["kind"]?.GetValue<string>() ?? "nothing"}); only kubeadm control planes take API server flags.");
        }
        var controlPlane = await resources.Client.GetAsync(controlPlaneType, capiCluster.Namespace, controlPlaneName, token).ConfigureAwait(false)
            ?? throw new FleetClusterException(OidcErrorIds.ControlPlaneNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                $"The KubeadmControlPlane {capiCluster.Namespace}/{controlPlaneName} of cluster '{cluster.Name}' does not exist on '{management.Name}'.");

        var version = controlPlane.Json["spec"]?["version"]?.GetValue<string>() ?? "";
        var chosen = method ?? OidcApiServerRenderer.DefaultMethod(version);
        var structured = OidcApiServerRenderer.AuthenticationConfiguration(settings, version);
        if (chosen == FleetOidcMethod.AuthenticationConfiguration && structured is null)
        {
            throw new FleetClusterException(OidcErrorIds.OidcMethodNotSupported, FleetErrorCategory.InvalidOperation, cluster.Name,
                $"Cluster '{cluster.Name}' runs Kubernetes {version}; the AuthenticationConfiguration needs 1.30 or newer.",
                recommendedAction: "Use -Method Flags, or upgrade the cluster first.");
        }
        var patch = KubeadmControlPlaneOidc.Patch(controlPlane, core, settings, chosen, structured);
        return new OidcControlPlaneChange(cluster, controlPlane, controlPlaneType, version, chosen, patch,
            current => KubeadmControlPlaneOidc.Patch(current, core, settings, chosen, structured));
    }

    private IKubeApi Api(FleetCluster management) => connector.Connect(management).Client is k8s.Kubernetes client
        ? new KubernetesClientApi(client)
        : throw new FleetClusterException(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.InvalidOperation, management.Name,
            $"The connection of cluster '{management.Name}' does not use KubernetesClient's Kubernetes class, which patches need.");
}
