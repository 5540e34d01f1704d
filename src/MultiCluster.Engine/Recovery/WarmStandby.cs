using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// A warm standby keeps its Deployments and StatefulSets at zero replicas, each annotated with the
/// replicas it runs with when it takes over. A restore keeps such an existing object (Velero does
/// not overwrite), so the failover scales them up itself, after the restore and before traffic.
/// </summary>
internal static class WarmStandby
{
    /// <summary>On a standby's workload: the replicas it gets when it takes over.</summary>
    public const string ReplicasAnnotation = "multicluster.io/standby-replicas";

    public static readonly ResourceType Deployment = new("apps", "v1", "Deployment", "deployments", true);
    public static readonly ResourceType StatefulSet = new("apps", "v1", "StatefulSet", "statefulsets", true);

    // Kubernetes' own: a whole-cluster restore brings their objects too, and nothing there is a standby of an application.
    private static readonly HashSet<string> KubernetesNamespaces = new(StringComparer.Ordinal) { "kube-system", "kube-public", "kube-node-lease" };

    /// <summary>
    /// The workloads of <paramref name="type"/> in <paramref name="namespaces"/>; none given (a restore of
    /// everything a whole-cluster backup holds): in every namespace but Kubernetes' own.
    /// </summary>
    public static async Task<IReadOnlyList<KubeObject>> ListAsync(ResourceClient client, ResourceType type, IReadOnlyList<string> namespaces,
        CancellationToken cancellationToken)
    {
        if (namespaces.Count == 0)
        {
            return (await StorageClassCheck.ListOrNoneAsync(client, type, null, null, cancellationToken).ConfigureAwait(false))
                .Where(workload => !KubernetesNamespaces.Contains(workload.Namespace ?? ""))
                .ToList();
        }
        var found = new List<KubeObject>();
        foreach (var ns in namespaces)
            found.AddRange(await StorageClassCheck.ListOrNoneAsync(client, type, ns, null, cancellationToken).ConfigureAwait(false));
        return found;
    }

    /// <summary>The workloads at zero replicas in <paramref name="namespaces"/> (see <see cref="ListAsync"/>) with the replicas each should get (its annotation, else <paramref name="replicas"/>).</summary>
    public static async Task<IReadOnlyList<(ResourceType Type, KubeObject Workload, int Replicas)>> FindAsync(ResourceClient client,
        IReadOnlyList<string> namespaces, int? replicas, CancellationToken cancellationToken)
    {
        var found = new List<(ResourceType, KubeObject, int)>();
        foreach (var type in new[] { Deployment, StatefulSet })
            foreach (var workload in await ListAsync(client, type, namespaces, cancellationToken).ConfigureAwait(false))
                if (SpecReplicas(workload) == 0 && Wanted(workload, replicas) is { } wanted and > 0)
                    found.Add((type, workload, wanted));
        return found;
    }

    /// <summary>Scales each warm workload to its replicas; returns "ns/name=N" for the step's message.</summary>
    public static async Task<IReadOnlyList<string>> ScaleUpAsync(ResourceClient client, IReadOnlyList<string> namespaces, int? replicas,
        CancellationToken cancellationToken)
    {
        var scaled = new List<string>();
        foreach (var (type, workload, wanted) in await FindAsync(client, namespaces, replicas, cancellationToken).ConfigureAwait(false))
        {
            var patch = new KubeObject(new JsonObject
            {
                ["apiVersion"] = type.ApiVersion,
                ["kind"] = type.Kind,
                ["metadata"] = new JsonObject { ["name"] = workload.Name, ["namespace"] = workload.Namespace },
                ["spec"] = new JsonObject { ["replicas"] = wanted },
            });
            await client.ApplyAsync(type, patch, forceConflicts: true, dryRun: false, cancellationToken).ConfigureAwait(false);
            scaled.Add($"{workload.Namespace}/{workload.Name}={wanted}");
        }
        return scaled;
    }

    public static int SpecReplicas(KubeObject workload) =>
        workload.Json["spec"]?["replicas"] is JsonValue r && r.TryGetValue<int>(out var n) ? n : 1;

    private static int? Wanted(KubeObject workload, int? replicas) =>
        workload.Annotations.GetValueOrDefault(ReplicasAnnotation) is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : replicas;
}
