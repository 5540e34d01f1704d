using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>
/// The clusters of a Cluster API management cluster: every Cluster (in the served core version)
/// with the admin kubeconfig of its <c>&lt;name&gt;-kubeconfig</c> secret, the region of its
/// infrastructure object (AWSCluster <c>spec.region</c>, AzureCluster <c>spec.location</c>, ...;
/// else a region label) and the Cluster's own labels. A Cluster without a kubeconfig yet is not importable.
/// </summary>
internal sealed class ClusterApiFleetSource(IClusterConnector connector)
{
    /// <summary>Where each infrastructure kind keeps its region, and the provider it means.</summary>
    private static readonly Dictionary<string, (string Provider, string RegionField)> Infrastructure = new(StringComparer.Ordinal)
    {
        ["AWSCluster"] = ("AWS", "region"),
        ["AWSManagedCluster"] = ("AWS", "region"),
        ["AzureCluster"] = ("Azure", "location"),
        ["AzureManagedCluster"] = ("Azure", "location"),
        ["GCPCluster"] = ("GCP", "region"),
        ["DockerCluster"] = ("Docker", ""),
        ["DevCluster"] = ("Docker", ""),
    };

    public async Task<FleetSourceRead> ReadAsync(FleetCluster management, SourceObjects objects, ResourceDiscovery discovery, string? ns,
        CancellationToken cancellationToken)
    {
        var version = await ClusterApiDiscovery.ServedCoreVersionAsync(discovery, cancellationToken).ConfigureAwait(false);
        var apiVersion = $"{ClusterApiVersions.CoreGroup}/{ClusterApiVersions.VersionName(version)}";
        var clusters = await objects.ListAsync(apiVersion, "Cluster", ns, null, "Cluster API", cancellationToken).ConfigureAwait(false);
        var reader = new ClusterKubeconfigReader(connector);
        var imported = new List<ImportedCluster>();
        var notImportable = new List<string>();
        foreach (var cluster in clusters.OrderBy(c => c.Namespace, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var origin = $"Cluster {cluster.Namespace}/{cluster.Name} on '{management.Name}'";
            string kubeconfig;
            try
            {
                kubeconfig = await reader.ReadAsync(management, cluster.Namespace!, cluster.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (FleetClusterException e) when (e.ErrorId == FleetErrorIds.ClusterNotReady)
            {
                notImportable.Add($"{origin}: {e.Message}");
                continue;
            }
            if (KubeconfigEntries(kubeconfig) is not var (endpoint, user))
            {
                notImportable.Add($"{origin}: its kubeconfig secret {cluster.Namespace}/{ClusterKubeconfigReader.SecretName(cluster.Name)} holds no usable context.");
                continue;
            }
            var (provider, region) = await InfrastructureAsync(objects, discovery, cluster, cancellationToken).ConfigureAwait(false);
            region ??= SourceObjects.RegionOf(cluster.Labels);
            imported.Add(new ImportedCluster(new FleetCluster
            {
                Name = cluster.Name,
                Context = cluster.Name,
                Region = region,
                Provider = provider,
                Labels = SourceObjects.FleetLabels(cluster.Labels, key => key.Contains("cluster.x-k8s.io", StringComparison.Ordinal)),
                KubernetesVersion = SourceObjects.Text(cluster.Json["spec"]?["topology"]?["version"]),
                Phase = SourceObjects.Text(cluster.Json["status"]?["phase"]),
                ManagementCluster = management.Name,
                ClusterApiNamespace = cluster.Namespace,
            }, endpoint, user, origin));
        }
        return new FleetSourceRead(imported, notImportable);
    }

    /// <summary>The cluster and user maps of the kubeconfig's current context (else its first), or null.</summary>
    private static (JsonObject Endpoint, JsonObject User)? KubeconfigEntries(string kubeconfig)
    {
        JsonObject root;
        try
        {
            if (YamlReader.ReadDocuments(kubeconfig, "kubeconfig secret") is not [{ Root: JsonObject parsed }, ..]) return null;
            root = parsed;
        }
        catch (FleetException)
        {
            return null; // the parser's message can quote the content: say only that it is unusable
        }
        static IEnumerable<JsonObject> Entries(JsonObject root, string list) => (root[list] as JsonArray ?? []).OfType<JsonObject>();
        var contexts = Entries(root, "contexts").ToList();
        var current = SourceObjects.Text(root["current-context"]);
        var context = contexts.FirstOrDefault(c => SourceObjects.Text(c["name"]) == current) ?? contexts.FirstOrDefault();
        var clusterName = SourceObjects.Text(context?["context"]?["cluster"]);
        var userName = SourceObjects.Text(context?["context"]?["user"]);
        var endpoint = Entries(root, "clusters").FirstOrDefault(c => SourceObjects.Text(c["name"]) == clusterName)?["cluster"] as JsonObject;
        var user = Entries(root, "users").FirstOrDefault(u => SourceObjects.Text(u["name"]) == userName)?["user"] as JsonObject;
        return endpoint is null || user is null ? null : ((JsonObject)endpoint.DeepClone(), (JsonObject)user.DeepClone());
    }

    /// <summary>The provider and region of the Cluster's infrastructure object; nulls when it cannot be read (the import goes on without them).</summary>
    private static async Task<(string? Provider, string? Region)> InfrastructureAsync(SourceObjects objects, ResourceDiscovery discovery, KubeObject cluster,
        CancellationToken cancellationToken)
    {
        var reference = cluster.Json["spec"]?["infrastructureRef"];
        var kind = SourceObjects.Text(reference?["kind"]);
        var name = SourceObjects.Text(reference?["name"]);
        if (kind is null || name is null) return (null, null);
        Infrastructure.TryGetValue(kind, out var known);
        try
        {
            // v1beta1 references carry apiVersion; v1beta2 only apiGroup, whose served version discovery knows.
            var apiVersion = SourceObjects.Text(reference?["apiVersion"]);
            if (apiVersion is null)
            {
                var type = await discovery.FindAsync(kind, cancellationToken).ConfigureAwait(false);
                apiVersion = type.ApiVersion;
            }
            var infrastructure = await objects.GetAsync(apiVersion, kind, cluster.Namespace, name, cancellationToken).ConfigureAwait(false);
            var region = known.RegionField is { Length: > 0 } field ? SourceObjects.Text(infrastructure?.Json["spec"]?[field]) : null;
            return (known.Provider, region);
        }
        catch (FleetException)
        {
            return (known.Provider, null);
        }
    }
}
