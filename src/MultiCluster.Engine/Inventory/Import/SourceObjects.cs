using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>
/// Reading a source cluster's objects for an import: lists and gets with the API's failures
/// translated once, Secret values decoded, and the labels and region a fleet cluster takes from them.
/// </summary>
internal sealed class SourceObjects(ClusterResources resources)
{
    /// <summary>Labels that say where a cluster runs, most specific first; the first present gives the region.</summary>
    public static readonly string[] RegionLabels = ["topology.kubernetes.io/region", "multicluster.io/region", "region"];

    public string Cluster => resources.Name;

    /// <summary>
    /// Every <paramref name="kind"/> of <paramref name="apiVersion"/> in <paramref name="ns"/> (null: all
    /// namespaces, or a cluster-scoped kind); FleetSourceNotInstalled when the cluster does not serve the kind.
    /// </summary>
    public async Task<IReadOnlyList<KubeObject>> ListAsync(string apiVersion, string kind, string? ns, string? labelSelector, string installedBy,
        CancellationToken cancellationToken)
    {
        ResourceType type;
        try
        {
            type = await resources.Discovery.ResolveAsync(apiVersion, kind, cancellationToken).ConfigureAwait(false);
        }
        catch (FleetClusterException e) when (e.ErrorId == FleetErrorIds.ResourceKindUnknown)
        {
            throw new FleetInputException(FleetImportErrorIds.FleetSourceNotInstalled, FleetErrorCategory.NotInstalled, Cluster,
                $"Cluster '{Cluster}' does not serve {kind} ({apiVersion}), so it does not run {installedBy}.",
                recommendedAction: "Name the cluster that runs it with -SourceCluster.");
        }
        return await Call(() => resources.Client.ListAsync(type, type.Namespaced ? ns : null, labelSelector, cancellationToken),
            $"{apiVersion} {kind}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<KubeObject?> GetAsync(string apiVersion, string kind, string? ns, string name, CancellationToken cancellationToken)
    {
        var type = await Call(() => resources.Discovery.ResolveAsync(apiVersion, kind, cancellationToken), $"{apiVersion} {kind}", cancellationToken)
            .ConfigureAwait(false);
        return await Call(() => resources.Client.GetAsync(type, type.Namespaced ? ns : null, name, cancellationToken),
            $"{apiVersion} {kind} {(ns is null ? name : ns + "/" + name)}", cancellationToken).ConfigureAwait(false);
    }

    public Task<KubeObject?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) => GetAsync("v1", "Secret", ns, name, cancellationToken);

    /// <summary>The decoded value of <paramref name="key"/> in a Secret's data, or null when absent or not base64.</summary>
    public static string? SecretValue(KubeObject secret, string key)
    {
        if (secret.Json["data"]?[key]?.GetValue<string>() is not { Length: > 0 } encoded) return null;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The base64 text of <paramref name="key"/> in a Secret's data as stored (certificate data stays base64 for a kubeconfig).</summary>
    public static string? SecretRaw(KubeObject secret, string key) => secret.Json["data"]?[key]?.GetValue<string>() is { Length: > 0 } raw ? raw : null;

    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>The region an object's labels name (see <see cref="RegionLabels"/>), or null.</summary>
    public static string? RegionOf(IReadOnlyDictionary<string, string> labels) =>
        RegionLabels.Select(labels.GetValueOrDefault).FirstOrDefault(r => !string.IsNullOrEmpty(r));

    /// <summary>An object's labels as fleet labels: without the ones <paramref name="skip"/> says belong to the tool that wrote them.</summary>
    public static Dictionary<string, string> FleetLabels(IReadOnlyDictionary<string, string> labels, Func<string, bool> skip) =>
        labels.Where(l => !skip(l.Key) && !RegionLabels.Contains(l.Key, StringComparer.Ordinal))
            .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private async Task<T> Call<T>(Func<Task<T>> call, string reference, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not FleetException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw KubernetesErrors.Translate(e, Cluster, reference, cancellationToken);
        }
    }
}
