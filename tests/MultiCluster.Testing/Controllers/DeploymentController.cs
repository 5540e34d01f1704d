using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Stands in for kube-controller-manager's deployment controller: when a Deployment's spec
/// changes (create, update, patch, the scale subresource), status turns to a rollout in
/// progress at once (observedGeneration, replicas and updatedReplicas follow spec; Progressing
/// ReplicaSetUpdated) and, <see cref="ReadyDelay"/> later on the instance's clock, to a finished
/// rollout (ready and available replicas = spec.replicas; Available MinimumReplicasAvailable,
/// Progressing NewReplicaSetAvailable). A pod template with an image the simulated kubelet cannot
/// pull (<see cref="DeploymentStatus.UnpullableRegistrySuffix"/>) never finishes: its status stays
/// <see cref="DeploymentStatus.Stuck"/> until the spec changes, its pods get the kubelet's image pull
/// events (<see cref="KubeletImagePullEvents"/>), and once spec.progressDeadlineSeconds (600 by
/// default) pass without progress, Progressing turns False with ProgressDeadlineExceeded.
/// No ReplicaSets or Pods are created.
/// </summary>
public sealed class DeploymentController(TimeSpan readyDelay) : StoreController
{
    public const string ControllerName = "deployments";

    private readonly Dictionary<ObjectKey, (long Generation, DateTimeOffset Due)> _rollouts = [];

    public DeploymentController() : this(TimeSpan.Zero)
    {
    }

    /// <summary>How long after a spec change the new replicas become ready.</summary>
    public TimeSpan ReadyDelay { get; } = readyDelay;

    public override string Name => ControllerName;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } = [("apps", "deployments")];

    protected override void Reconcile(ObjectKey key)
    {
        var type = Cluster.Registry.Find("apps", "deployments")!;
        var deployment = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (deployment is null || deployment["metadata"]?["deletionTimestamp"] is not null)
        {
            _rollouts.Remove(key);
            return;
        }
        if (DeploymentStatus.IsComplete(deployment))
        {
            _rollouts.Remove(key);
            return;
        }
        var now = Cluster.Clock.UtcNow;
        if (DeploymentStatus.UnpullableImage(deployment) is { } image)
        {
            _rollouts.Remove(key);
            var stuck = DeploymentStatus.Stuck(deployment, now);
            WriteIfChanged(type, deployment, stuck);
            var oldReady = (int)(DeploymentStatus.Number(stuck["readyReplicas"]) ?? 0);
            KubeletImagePullEvents.Record(Cluster, deployment, image, (int)(DeploymentStatus.Number(stuck["replicas"]) ?? 0) - oldReady);
            if (DeploymentStatus.ProgressDeadline(deployment) is { } deadline && now < deadline) RequeueAt(key, deadline);
            return;
        }
        var generation = DeploymentStatus.Generation(deployment);
        if (!_rollouts.TryGetValue(key, out var rollout) || rollout.Generation != generation)
        {
            rollout = (generation, now + ReadyDelay);
            _rollouts[key] = rollout;
        }
        if (now >= rollout.Due)
        {
            deployment["status"] = DeploymentStatus.Complete(deployment, now);
            Cluster.Store.Update(type, deployment);
            _rollouts.Remove(key);
            return;
        }
        WriteIfChanged(type, deployment, DeploymentStatus.Rolling(deployment, now));
        RequeueAt(key, rollout.Due);
    }

    // Our own write is a change event too: writing an equal status again would loop forever.
    private void WriteIfChanged(ResourceType type, System.Text.Json.Nodes.JsonObject deployment, System.Text.Json.Nodes.JsonObject status)
    {
        if (System.Text.Json.Nodes.JsonNode.DeepEquals(deployment["status"], status)) return;
        deployment["status"] = status;
        Cluster.Store.Update(type, deployment);
    }
}
