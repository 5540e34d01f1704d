using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

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
    /// <summary>What one group version serves: its kinds, and the other names kubectl takes for them (singular and short names).</summary>
    private sealed record ServedTypes(IReadOnlyDictionary<string, ResourceType> Kinds, IReadOnlyDictionary<string, ResourceType> OtherNames)
    {
        public static readonly ServedTypes None = new(new Dictionary<string, ResourceType>(), new Dictionary<string, ResourceType>());
    }

    private readonly ConcurrentDictionary<string, Lazy<Task<ServedTypes>>> _groupVersions = new(StringComparer.Ordinal);

    public string Cluster => cluster;

    /// <summary>A manifest's (apiVersion, kind): the kind or, leniently, its plural, in any case; never a short name, which the server would not take as a kind.</summary>
    public Task<ResourceType> ResolveAsync(string apiVersion, string kind, CancellationToken cancellationToken) =>
        ResolveAsync(apiVersion, kind, MatchName, cancellationToken);

    /// <summary>A name a user typed for a kind of <paramref name="apiVersion"/>: kind, plural, singular or short name, in any case.</summary>
    public Task<ResourceType> ResolveNameAsync(string apiVersion, string name, CancellationToken cancellationToken) =>
        ResolveAsync(apiVersion, name, Match, cancellationToken);

    private async Task<ResourceType> ResolveAsync(string apiVersion, string kind, Func<ServedTypes, string, ResourceType?> match, CancellationToken cancellationToken)
    {
        var known = await GetGroupVersionAsync(apiVersion, refresh: false, cancellationToken).ConfigureAwait(false);
        if ((known.Kinds.GetValueOrDefault(kind) ?? match(known, kind)) is { } type) return type;

        known = await GetGroupVersionAsync(apiVersion, refresh: true, cancellationToken).ConfigureAwait(false);
        if ((known.Kinds.GetValueOrDefault(kind) ?? match(known, kind)) is { } refreshed) return refreshed;

        throw new FleetClusterException(FleetErrorIds.ResourceKindUnknown, FleetErrorCategory.ObjectNotFound, cluster,
            $"Cluster '{cluster}' does not serve kind {kind} in {apiVersion}.{NameSuggestions.DidYouMean(kind, known.Kinds.Keys)}", null,
            "Install the CRD that defines this kind first (apply it in the same run, or before), or check apiVersion and kind.",
            $"{apiVersion} {kind}");
    }

    /// <summary>
    /// Finds a kind given without apiVersion, as kubectl does: by kind, plural, singular or short name,
    /// ignoring case; the core group first, then each group's preferred version.
    /// </summary>
    public async Task<ResourceType> FindAsync(string kindOrPlural, CancellationToken cancellationToken)
    {
        if (WellKnownKinds.TryGetValue(kindOrPlural, out var wellKnown) &&
            Match(await GetGroupVersionAsync(wellKnown.ApiVersion, refresh: false, cancellationToken).ConfigureAwait(false), wellKnown.Kind) is { } known)
        {
            return known;
        }
        var core = await GetGroupVersionAsync("v1", refresh: false, cancellationToken).ConfigureAwait(false);
        var match = Match(core, kindOrPlural);
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
        // Kinds, plurals and singulars of every group before any short name, so a CRD's short name never hides a kind.
        match = all.Select(served => MatchName(served, kindOrPlural)).FirstOrDefault(found => found is not null)
            ?? all.Select(served => served.OtherNames.GetValueOrDefault(kindOrPlural)).FirstOrDefault(found => found is not null);
        if (match is not null) return match;

        var servedKinds = all.Prepend(core).SelectMany(served => served.Kinds.Keys);
        throw new FleetClusterException(FleetErrorIds.ResourceKindUnknown, FleetErrorCategory.ObjectNotFound, cluster,
            $"Cluster '{cluster}' does not serve a kind named {kindOrPlural}.{NameSuggestions.DidYouMean(kindOrPlural, servedKinds)}", null,
            "Check the kind's spelling, give -ApiVersion, or install the CRD that defines it.", kindOrPlural);
    }

    // Aggregated APIs (metrics.k8s.io and the like) are often down; one of them must not hide the rest.
    private async Task<ServedTypes> TryGetGroupVersionAsync(string apiVersion, CancellationToken cancellationToken)
    {
        try
        {
            return await GetGroupVersionAsync(apiVersion, refresh: false, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetException)
        {
            return ServedTypes.None;
        }
    }

    // Built-in kinds users name most, by kind and by the short names the API server gives them: found
    // with one discovery request instead of a walk of every group, short names even from a server
    // whose discovery leaves them out.
    private static readonly Dictionary<string, (string ApiVersion, string Kind)> WellKnownKinds = BuildWellKnown(
        ("v1", ["Pod:po", "Service:svc", "ConfigMap:cm", "Secret", "Namespace:ns", "Node:no", "ServiceAccount:sa", "PersistentVolumeClaim:pvc",
            "PersistentVolume:pv", "Event:ev", "Endpoints:ep", "LimitRange:limits", "ResourceQuota:quota", "ReplicationController:rc"]),
        ("apps/v1", ["Deployment:deploy", "StatefulSet:sts", "DaemonSet:ds", "ReplicaSet:rs"]),
        ("batch/v1", ["Job", "CronJob:cj"]),
        ("networking.k8s.io/v1", ["Ingress:ing", "NetworkPolicy:netpol", "IngressClass"]),
        ("rbac.authorization.k8s.io/v1", ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]),
        ("apiextensions.k8s.io/v1", ["CustomResourceDefinition:crd:crds"]),
        ("storage.k8s.io/v1", ["StorageClass:sc"]),
        ("policy/v1", ["PodDisruptionBudget:pdb"]),
        ("autoscaling/v2", ["HorizontalPodAutoscaler:hpa"]));

    private static Dictionary<string, (string ApiVersion, string Kind)> BuildWellKnown(params (string ApiVersion, string[] Kinds)[] groups)
    {
        var map = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (apiVersion, kinds) in groups)
        {
            foreach (var names in kinds.Select(k => k.Split(':')))
            {
                foreach (var name in names) map[name] = (apiVersion, names[0]);
            }
        }
        return map;
    }

    private static ResourceType? Match(ServedTypes served, string name) => MatchName(served, name) ?? served.OtherNames.GetValueOrDefault(name);

    private static ResourceType? MatchName(ServedTypes served, string kindOrPlural) =>
        served.Kinds.Values.FirstOrDefault(t => string.Equals(t.Kind, kindOrPlural, StringComparison.OrdinalIgnoreCase)
                                                || string.Equals(t.Plural, kindOrPlural, StringComparison.OrdinalIgnoreCase));

    /// <summary>The resource types of <paramref name="apiVersion"/> that the cluster serves, if it serves that group version.</summary>
    public async Task<IReadOnlyDictionary<string, ResourceType>> GetKindsAsync(string apiVersion, CancellationToken cancellationToken) =>
        (await GetGroupVersionAsync(apiVersion, refresh: false, cancellationToken).ConfigureAwait(false)).Kinds;

    /// <summary>Forgets what is known of <paramref name="apiVersion"/>, or of everything when null.</summary>
    public void Forget(string? apiVersion = null)
    {
        if (apiVersion is null) _groupVersions.Clear();
        else _groupVersions.TryRemove(apiVersion, out _);
    }

    private async Task<ServedTypes> GetGroupVersionAsync(string apiVersion, bool refresh, CancellationToken cancellationToken)
    {
        // The fetch is shared by every caller asking meanwhile, so it runs under none of their tokens
        // (the request timeout bounds it); each caller stops waiting when its own token is cancelled.
        // A caller already stopped starts no fetch: only one begun before the stop may still run on.
        cancellationToken.ThrowIfCancellationRequested();
        var fresh = new Lazy<Task<ServedTypes>>(() => FetchAsync(apiVersion, CancellationToken.None));
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
            _groupVersions.TryRemove(new KeyValuePair<string, Lazy<Task<ServedTypes>>>(apiVersion, entry));
            throw;
        }
    }

    private async Task<ServedTypes> FetchAsync(string apiVersion, CancellationToken cancellationToken)
    {
        var (group, version) = KubeObject.SplitApiVersion(apiVersion);
        var path = group.Length == 0 ? $"/api/{Uri.EscapeDataString(version)}" : $"/apis/{Uri.EscapeDataString(group)}/{Uri.EscapeDataString(version)}";
        var response = await api.SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound) return ServedTypes.None;
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, cluster, $"discovery {path}");

        var kinds = new Dictionary<string, ResourceType>(StringComparer.Ordinal);
        var otherNames = new Dictionary<string, ResourceType>(StringComparer.OrdinalIgnoreCase);
        if (JsonNode.Parse(response.Utf8Body.Span)?["resources"] is JsonArray resources)
        {
            foreach (var resource in resources.OfType<JsonObject>())
            {
                var plural = resource["name"]?.GetValue<string>();
                var kind = resource["kind"]?.GetValue<string>();
                // Subresources (deployments/scale) share the parent's kind or name another; skip them.
                if (plural is null || kind is null || plural.Contains('/')) continue;
                var namespaced = resource["namespaced"] is JsonValue flag && flag.TryGetValue<bool>(out var isNamespaced) && isNamespaced;
                if (!kinds.TryAdd(kind, new ResourceType(group, version, kind, plural, namespaced))) continue;
                var names = (resource["shortNames"] as JsonArray ?? []).Append(resource["singularName"]);
                foreach (var name in names.OfType<JsonValue>().Select(n => n.TryGetValue<string>(out var text) ? text : null))
                {
                    if (!string.IsNullOrEmpty(name)) otherNames.TryAdd(name, kinds[kind]);
                }
            }
        }
        return new ServedTypes(kinds, otherNames);
    }
}
