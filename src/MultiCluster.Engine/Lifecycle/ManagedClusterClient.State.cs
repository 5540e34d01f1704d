using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

public sealed partial class ManagedClusterClient
{
    /// <summary>
    /// Where cluster <paramref name="cluster"/> stands on <paramref name="management"/>: its
    /// Cluster's status and its KubeadmControlPlane and MachineDeployments. Null when the Cluster
    /// object does not exist (not created yet, or deleted).
    /// </summary>
    public Task<ClusterLifecycleState?> GetStateAsync(FleetCluster management, string ns, string cluster, CancellationToken cancellationToken = default) =>
        RunAsync<ClusterLifecycleState?>(management, cluster, async (context, token) =>
        {
            var clusterObject = await context.Client.GetAsync(context.ClusterType, ns, cluster, token).ConfigureAwait(false);
            if (clusterObject is null) return null;

            MachineGroupState? controlPlane = null;
            string? version = null;
            if (clusterObject.Json["spec"]?["controlPlaneRef"]?["name"] is JsonValue nameNode && nameNode.TryGetValue<string>(out var controlPlaneName)
                && (string?)clusterObject.Json["spec"]?["controlPlaneRef"]?["kind"] == "KubeadmControlPlane")
            {
                var controlPlaneType = await context.ResolveAsync(ClusterApiVersions.ControlPlaneGroup, "KubeadmControlPlane", token).ConfigureAwait(false);
                if (await context.Client.GetAsync(controlPlaneType, ns, controlPlaneName, token).ConfigureAwait(false) is { } found)
                {
                    controlPlane = MachineGroupState.Read(found);
                    version = (string?)found.Json["spec"]?["version"];
                }
            }
            var topology = clusterObject.Json["spec"]?["topology"] as JsonObject;
            version ??= (string?)topology?["version"];
            int? topologyWorkers = topology?["workers"]?["machineDeployments"] is JsonArray pools
                ? pools.OfType<JsonObject>().Sum(p => p["replicas"] is JsonValue r && r.TryGetValue<int>(out var n) ? n : 1)
                : null;
            var deployments = await context.MachineDeploymentsAsync(ns, cluster, token).ConfigureAwait(false);
            var workers = deployments
                .Where(d => d.Metadata?["deletionTimestamp"] is null)
                .Select(MachineGroupState.Read)
                .ToList();
            return new ClusterLifecycleState(cluster, ns, ClusterStatusReader.Read(clusterObject), controlPlane, workers, topologyWorkers, version);
        }, cancellationToken);

    /// <summary>
    /// Deletes the Cluster object (Cluster API deletes its machines, control plane and
    /// infrastructure, then lets the Cluster go). Says whether it existed, and the apiVersion the
    /// management cluster serves Clusters at (cluster.x-k8s.io/v1beta1 or v1beta2).
    /// </summary>
    public Task<ClusterDeletion> DeleteClusterAsync(FleetCluster management, string ns, string cluster, CancellationToken cancellationToken = default) =>
        RunAsync(management, cluster, async (context, token) => new ClusterDeletion(
            await context.Client.DeleteAsync(context.ClusterType, ns, cluster, dryRun: false, token).ConfigureAwait(false), context.ClusterType.ApiVersion),
            cancellationToken);
}

/// <summary>What deleting a Cluster object found: whether it existed, and its served apiVersion.</summary>
public readonly record struct ClusterDeletion(bool Existed, string ApiVersion);
