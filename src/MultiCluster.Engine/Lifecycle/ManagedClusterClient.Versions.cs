using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Lifecycle.Upgrade;

namespace MultiCluster.Engine.Lifecycle;

public sealed partial class ManagedClusterClient
{
    /// <summary>
    /// What an upgrade policy's track chooses from, read from <paramref name="management"/>: the Kubernetes
    /// versions its ClusterClasses in <paramref name="ns"/> offer (<c>spec.kubernetesVersions</c>), and the
    /// current version of each of <paramref name="clusters"/> (the fleet file's k8s_version, else its
    /// KubeadmControlPlane's or topology's version).
    /// </summary>
    public Task<UpgradeVersionFacts> ReadVersionFactsAsync(FleetCluster management, string ns, IReadOnlyList<FleetCluster> clusters,
        CancellationToken cancellationToken = default) =>
        RunAsync(management, "(ClusterClasses)", async (context, token) =>
        {
            var classType = await context.ResolveAsync(ClusterApiVersions.CoreGroup, "ClusterClass", token).ConfigureAwait(false);
            var classes = await context.Client.ListAsync(classType, ns, null, token).ConfigureAwait(false);
            var offering = classes.Where(c => c.Json["spec"]?["kubernetesVersions"] is JsonArray { Count: > 0 }).ToList();
            var offered = offering.SelectMany(c => (JsonArray)c.Json["spec"]!["kubernetesVersions"]!).Select(v => v?.ToString() ?? "")
                .Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var by = offering.Count == 0
                ? $"Cluster API on '{management.Name}' (no ClusterClass in {ns} lists spec.kubernetesVersions)"
                : $"Cluster API on '{management.Name}' (ClusterClass {string.Join(", ", offering.Select(c => c.Name))})";

            var current = new Dictionary<string, string>(StringComparer.Ordinal);
            var clusterObjects = (await context.Client.ListAsync(context.ClusterType, ns, null, token).ConfigureAwait(false))
                .ToDictionary(c => c.Name, StringComparer.Ordinal);
            foreach (var cluster in clusters)
            {
                if (cluster.KubernetesVersion is { Length: > 0 } declared)
                {
                    current[cluster.Name] = declared;
                    continue;
                }
                if (!clusterObjects.TryGetValue(cluster.Name, out var clusterObject)) continue;
                var version = (string?)clusterObject.Json["spec"]?["topology"]?["version"];
                if (version is null && (string?)clusterObject.Json["spec"]?["controlPlaneRef"]?["kind"] == "KubeadmControlPlane"
                    && (string?)clusterObject.Json["spec"]?["controlPlaneRef"]?["name"] is { } controlPlaneName)
                {
                    var controlPlaneType = await context.ResolveAsync(ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane", token).ConfigureAwait(false);
                    var controlPlane = await context.Client.GetAsync(controlPlaneType, ns, controlPlaneName, token).ConfigureAwait(false);
                    version = (string?)controlPlane?.Json["spec"]?["version"];
                }
                if (version is not null) current[cluster.Name] = version;
            }
            return new UpgradeVersionFacts(offered, by, current);
        }, cancellationToken);
}
