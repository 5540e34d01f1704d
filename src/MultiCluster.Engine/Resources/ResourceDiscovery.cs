using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>Where a kind lives on one cluster: its REST path pieces and scope.</summary>
public sealed record ResourceType(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The collection path: <c>/api/v1/namespaces/ns/configmaps</c>, <c>/apis/apps/v1/deployments</c>.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && ns is not null
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{root}/{Plural}";
    }

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";
}

/// <summary>
/// Resolves (apiVersion, kind) to a <see cref="ResourceType"/> through one cluster's discovery
/// documents (<c>/api/v1</c>, <c>/apis/group/version</c>), fetching only the group versions in use.
/// Cached for the connection's life; a kind not found is looked up once more, so a CRD applied in
/// the same run becomes known.
/// </summary>
internal sealed class ResourceDiscovery(IKubeApi api, string cluster)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, ResourceType>>>> _groupVersions =
        new(StringComparer.Ordinal);

    public string Cluster => cluster;

    public async Task<ResourceType> ResolveAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        var known = await GetGroupVersionAsync(apiVersion, refresh: false, cancellationToken).ConfigureAwait(false);
        if ((known.GetValueOrDefault(kind) ?? Match(known, kind)) is { } type) return type;

        known = await GetGroupVersionAsync(apiVersion, refresh: true, cancellationToken).ConfigureAwait(false);
        if ((known.GetValueOrDefault(kind) ?? Match(known, kind)) is { } refreshed) return refreshed;

        throw new FleetClusterException(FleetErrorIds.ResourceKindUnknown, FleetErrorCategory.ObjectNotFound, cluster,
            $"Cluster '{cluster}' does not serve kind {kind} in {apiVersion}.", null,
            "Install the CRD that defines this kind first (apply it in the same run, or before), or check apiVersion and kind.",
            $"{apiVersion} {kind}");
    }

    /// <summary>
    /// Finds a kind given without apiVersion, as kubectl does: by kind, plural or singular name,
    /// ignoring case; the core group first, then each group's preferred version.
    /// </summary>
    public async Task<ResourceType> FindAsync(string kindOrPlural, CancellationToken cancellationToken)
    {
        if (WellKnownApiVersions.TryGetValue(kindOrPlural, out var wellKnown) &&
            Match(await GetGroupVersionAsync(wellKnown, refresh: false, cancellationToken).ConfigureAwait(false), kindOrPlural) is { } known)
        {
            return known;
        }
        var match = Match(await GetGroupVersionAsync("v1", refresh: false, cancellationToken).ConfigureAwait(false), kindOrPlural);
        if (match is not null) return match;

        cancellationToken.ThrowIfCancellationRequested();
        var response = await api.SendAsync(HttpMethod.Get, "/apis", null, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, "discovery /apis");
        var preferred = (JsonNode.Parse(response.Utf8Body.Span)?["groups"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(g => g["preferredVersion"]?["groupVersion"]?.GetValue<string>())
            .OfType<string>()
            .ToList();
        var all = await Task.WhenAll(preferred.Select(gv => TryGetGroupVersionAsync(gv, cancellationToken))).ConfigureAwait(false);
        foreach (var kinds in all)
        {
            match = Match(kinds, kindOrPlural);
            if (match is not null) return match;
        }
        throw new FleetClusterException(FleetErrorIds.ResourceKindUnknown, FleetErrorCategory.ObjectNotFound, cluster,
            $"Cluster '{cluster}' does not serve a kind named {kindOrPlural}.", null,
            "Check the kind's spelling, give -ApiVersion, or install the CRD that defines it.", kindOrPlural);
    }

    // Aggregated APIs (metrics.k8s.io and the like) are often down; one of them must not hide the rest.
    private async Task<IReadOnlyDictionary<string, ResourceType>> TryGetGroupVersionAsync(string apiVersion, CancellationToken cancellationToken)
    {
        try
        {
            return await GetGroupVersionAsync(apiVersion, refresh: false, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetException)
        {
            return new Dictionary<string, ResourceType>(StringComparer.Ordinal);
        }
    }

    // Built-in kinds users name most: found with one discovery request instead of a walk of every group.
    private static readonly Dictionary<string, string> WellKnownApiVersions = BuildWellKnown(
        ("v1", ["Pod", "Service", "ConfigMap", "Secret", "Namespace", "Node", "ServiceAccount", "PersistentVolumeClaim", "PersistentVolume", "Event", "Endpoints", "LimitRange", "ResourceQuota"]),
        ("apps/v1", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]),
        ("batch/v1", ["Job", "CronJob"]),
        ("networking.k8s.io/v1", ["Ingress", "NetworkPolicy", "IngressClass"]),
        ("rbac.authorization.k8s.io/v1", ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]),
        ("apiextensions.k8s.io/v1", ["CustomResourceDefinition"]),
        ("storage.k8s.io/v1", ["StorageClass"]),
        ("policy/v1", ["PodDisruptionBudget"]),
        ("autoscaling/v2", ["HorizontalPodAutoscaler"]));

    private static Dictionary<string, string> BuildWellKnown(params (string ApiVersion, string[] Kinds)[] groups)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (apiVersion, kinds) in groups)
        {
            foreach (var kind in kinds) map[kind] = apiVersion;
        }
        return map;
    }

    private static ResourceType? Match(IReadOnlyDictionary<string, ResourceType> kinds, string kindOrPlural) =>
        kinds.Values.FirstOrDefault(t => string.Equals(t.Kind, kindOrPlural, StringComparison.OrdinalIgnoreCase)
                                         || string.Equals(t.Plural, kindOrPlural, StringComparison.OrdinalIgnoreCase));

    /// <summary>The resource types of <paramref name="apiVersion"/> that the cluster serves, if it serves that group version.</summary>
    public Task<IReadOnlyDictionary<string, ResourceType>> GetKindsAsync(string apiVersion, CancellationToken cancellationToken) =>
        GetGroupVersionAsync(apiVersion, refresh: false, cancellationToken);

    /// <summary>Forgets what is known of <paramref name="apiVersion"/>, or of everything when null.</summary>
    public void Forget(string? apiVersion = null)
    {
        if (apiVersion is null) _groupVersions.Clear();
        else _groupVersions.TryRemove(apiVersion, out _);
    }

    private async Task<IReadOnlyDictionary<string, ResourceType>> GetGroupVersionAsync(string apiVersion, bool refresh, CancellationToken cancellationToken)
    {
        // The fetch is shared by every caller asking meanwhile, so it runs under none of their tokens
        // (the request timeout bounds it); each caller stops waiting when its own token is cancelled.
        // A caller already stopped starts no fetch: only one begun before the stop may still run on.
        cancellationToken.ThrowIfCancellationRequested();
        var fresh = new Lazy<Task<IReadOnlyDictionary<string, ResourceType>>>(() => FetchAsync(apiVersion, CancellationToken.None));
        var entry = refresh
            ? _groupVersions.AddOrUpdate(apiVersion, fresh, (_, _) => fresh)
            : _groupVersions.GetOrAdd(apiVersion, fresh);
        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !entry.Value.IsCompleted)
        {
            throw; // this caller gave up; the shared fetch goes on for the others
        }
        catch
        {
            // A failed lookup (timeout, 500) must not stay cached for the session.
            _groupVersions.TryRemove(new KeyValuePair<string, Lazy<Task<IReadOnlyDictionary<string, ResourceType>>>>(apiVersion, entry));
            throw;
        }
    }

    private async Task<IReadOnlyDictionary<string, ResourceType>> FetchAsync(string apiVersion, CancellationToken cancellationToken)
    {
        var (group, version) = KubeObject.SplitApiVersion(apiVersion);
        var path = group.Length == 0 ? $"/api/{Uri.EscapeDataString(version)}" : $"/apis/{Uri.EscapeDataString(group)}/{Uri.EscapeDataString(version)}";
        var response = await api.SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return new Dictionary<string, ResourceType>(StringComparer.Ordinal);
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, $"discovery {path}");

        var kinds = new Dictionary<string, ResourceType>(StringComparer.Ordinal);
        if (JsonNode.Parse(response.Utf8Body.Span)?["resources"] is JsonArray resources)
        {
            foreach (var resource in resources.OfType<JsonObject>())
            {
                var plural = resource["name"]?.GetValue<string>();
                var kind = resource["kind"]?.GetValue<string>();
                // Subresources (deployments/scale) share the parent's kind or name another; skip them.
                if (plural is null || kind is null || plural.Contains('/')) continue;
                var namespaced = resource["namespaced"] is JsonValue flag && flag.TryGetValue<bool>(out var isNamespaced) && isNamespaced;
                kinds.TryAdd(kind, new ResourceType(group, version, kind, plural, namespaced));
            }
        }
        return kinds;
    }
}
