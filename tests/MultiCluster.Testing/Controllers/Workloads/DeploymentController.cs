using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers.Workloads;
using static MultiCluster.Testing.Controllers.Workloads.WorkloadObjects;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Stands in for kube-controller-manager's workload controllers (deployment, replicaset,
/// statefulset, daemonset, job) and for the scheduler and kubelet that run their pods, on one
/// worker so <see cref="StoreController.WhenIdleAsync"/> waits for a whole cascade (Deployment →
/// ReplicaSet → Pods → ReplicaSet status → Deployment status). Pods start <see cref="ReadyDelay"/>
/// after they are created, on the instance's clock. Writes go through the field-manager
/// bookkeeping as kube-controller-manager's (status on the status subresource), the kubelet's and
/// kube-scheduler's do. Garbage collection of dependents is the store's (ownerReferences).
/// Left out: adoption of orphans by selector, pod disruption budgets, minReadySeconds, paused
/// Deployments, ControllerRevision objects, Job back-off delays, pod deletion grace periods.
/// </summary>
public sealed partial class DeploymentController(TimeSpan readyDelay) : StoreController
{
    public const string ControllerName = "deployments";

    public DeploymentController() : this(TimeSpan.Zero)
    {
    }

    /// <summary>How long after a pod is created its containers start (and it becomes Ready).</summary>
    public TimeSpan ReadyDelay { get; } = readyDelay;

    public override string Name => ControllerName;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } =
    [
        ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"), ("batch", "jobs"),
        ("", "pods"), ("", "nodes"),
    ];

    private ResourceType DeploymentType => Cluster.Registry.Find("apps", "deployments")!;
    private ResourceType ReplicaSetType => Cluster.Registry.Find("apps", "replicasets")!;
    private ResourceType PodType => Cluster.Registry.Find("", "pods")!;
    private ResourceType NodeType => Cluster.Registry.Find("", "nodes")!;

    // The resource each controller kind is served as, for queueing an owner when its dependents change.
    private static readonly Dictionary<string, (string Group, string Resource)> OwnerResources = new(StringComparer.Ordinal)
    {
        ["Deployment"] = ("apps", "deployments"), ["ReplicaSet"] = ("apps", "replicasets"), ["StatefulSet"] = ("apps", "statefulsets"),
        ["DaemonSet"] = ("apps", "daemonsets"), ["Job"] = ("batch", "jobs"),
    };

    protected override void OnWatchedChange(StoreEvent change)
    {
        Enqueue(change.Key);
        // A dependent's change is its owner's business too (an informer's event handler does this upstream).
        if (ControllerOf(change.Object) is { } owner && (string?)owner["kind"] is { } kind && OwnerResources.TryGetValue(kind, out var resource))
            Enqueue(new ObjectKey(resource.Group, resource.Resource, change.Key.Namespace, (string?)owner["name"] ?? ""));
    }

    protected override void Reconcile(ObjectKey key)
    {
        switch (key.Resource)
        {
            case "deployments": ReconcileDeployment(key); break;
            case "replicasets": ReconcileReplicaSet(key); break;
            case "pods": ReconcilePod(key); break;
            case "statefulsets": ReconcileStatefulSet(key); break;
            case "daemonsets": ReconcileDaemonSet(key); break;
            case "jobs": ReconcileJob(key); break;
            case "nodes": NodesChanged(); break;
        }
    }

    // Nodes come and go: every DaemonSet places or removes pods.
    private void NodesChanged()
    {
        foreach (var set in Cluster.Store.List(DaemonSetType, null).Items)
            Enqueue(ObjectKey.For(DaemonSetType, Namespace(set), Name(set)));
    }

    /// <summary>
    /// The deployment controller: finds the ReplicaSet whose template is the Deployment's (ignoring
    /// pod-template-hash) or creates <c>&lt;deployment&gt;-&lt;hash&gt;</c> (next revision), scales it and
    /// the old ones as the strategy allows (RollingUpdate: maxSurge and maxUnavailable, one step
    /// per sync; Recreate: old pods gone first), records the revision annotation on the Deployment
    /// and derives its status from the ReplicaSets (<see cref="DeploymentStatus.Calculate"/>).
    /// </summary>
    private void ReconcileDeployment(ObjectKey key)
    {
        var deployment = Cluster.Store.Get(DeploymentType, key.Namespace, key.Name);
        if (deployment is null || Deleting(deployment)) return;
        var now = Cluster.Clock.UtcNow;
        var replicaSets = OwnedBy(Cluster, ReplicaSetType, key.Namespace, deployment).Where(rs => !Deleting(rs)).ToList();
        var template = deployment["spec"]?["template"];
        var newSet = replicaSets.FirstOrDefault(rs => SameTemplate(rs["spec"]?["template"], template));
        var oldSets = replicaSets.Where(rs => rs != newSet).OrderBy(rs => (string?)rs["metadata"]?["creationTimestamp"], StringComparer.Ordinal).ToList();
        var desired = DeploymentStatus.DesiredReplicas(deployment);
        var maxSurge = DeploymentStatus.MaxSurge(deployment, desired);
        var nextRevision = oldSets.Select(Revision).DefaultIfEmpty(0).Max() + 1;
        var recreate = (string?)deployment["spec"]?["strategy"]?["type"] == "Recreate";

        if (recreate)
        {
            foreach (var old in oldSets.Where(rs => Int(rs["spec"]?["replicas"]) > 0))
                ScaleReplicaSet(old, 0, desired, maxSurge);
            var oldPodsLeft = oldSets.Any(rs => Int(rs["status"]?["replicas"]) > 0);
            if (!oldPodsLeft)
                newSet = EnsureNewReplicaSet(deployment, newSet, desired, nextRevision, desired, maxSurge);
        }
        else
        {
            var total = replicaSets.Sum(rs => Int(rs["spec"]?["replicas"]));
            var newReplicas = newSet is null ? 0 : Int(newSet["spec"]?["replicas"]);
            var target = newReplicas >= desired ? desired
                : Math.Min(desired, newReplicas + Math.Max(desired + maxSurge - total, 0));
            var before = newSet;
            newSet = EnsureNewReplicaSet(deployment, newSet, target, nextRevision, desired, maxSurge);
            if (before is not null && target == newReplicas)
                ScaleDownOld(deployment, newSet!, oldSets, desired);
        }
        if (newSet is not null) RecordRevision(deployment, Revision(newSet));

        replicaSets = OwnedBy(Cluster, ReplicaSetType, key.Namespace, deployment).Where(rs => !Deleting(rs)).ToList();
        newSet = replicaSets.FirstOrDefault(rs => SameTemplate(rs["spec"]?["template"], template));
        var current = Cluster.Store.Get(DeploymentType, key.Namespace, key.Name) ?? deployment;
        var status = DeploymentStatus.Calculate(current, newSet, replicaSets, now);
        ControllerWrites.UpdateStatus(Cluster, DeploymentType, current, status, ControllerWrites.ControllerManager);
        if (newSet is not null && (string?)status["conditions"]?[1]?["reason"] == "NewReplicaSetAvailable")
            CleanUpOldReplicaSets(current, replicaSets.Where(rs => rs != newSet).ToList());
        var withStatus = current.DeepClone().AsObject();
        withStatus["status"] = status;
        if (DeploymentStatus.ProgressDeadline(withStatus) is { } deadline) RequeueAt(key, deadline);
    }

    private static bool SameTemplate(JsonNode? replicaSetTemplate, JsonNode? deploymentTemplate)
    {
        var withoutHash = replicaSetTemplate?.DeepClone();
        if (withoutHash?["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(PodTemplateHashLabel);
            if (labels.Count == 0) ((JsonObject)withoutHash["metadata"]!).Remove("labels");
        }
        return Canonical(withoutHash) == Canonical(deploymentTemplate);
    }

    private static int Revision(JsonObject replicaSet) =>
        int.TryParse((string?)replicaSet["metadata"]?["annotations"]?[RevisionAnnotation], CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private JsonObject? EnsureNewReplicaSet(JsonObject deployment, JsonObject? newSet, int replicas, int nextRevision, int desired, int maxSurge)
    {
        if (newSet is not null)
        {
            var updated = newSet.DeepClone().AsObject();
            updated["spec"]!["replicas"] = replicas;
            var annotations = Annotations(updated);
            // A rollback to an older template makes its ReplicaSet the newest revision again.
            if (Revision(newSet) < nextRevision)
                annotations[RevisionAnnotation] = nextRevision.ToString(CultureInfo.InvariantCulture);
            annotations["deployment.kubernetes.io/desired-replicas"] = desired.ToString(CultureInfo.InvariantCulture);
            annotations["deployment.kubernetes.io/max-replicas"] = (desired + maxSurge).ToString(CultureInfo.InvariantCulture);
            return ControllerWrites.Update(Cluster, ReplicaSetType, newSet, updated, ControllerWrites.ControllerManager) ?? newSet;
        }
        var hash = DeploymentStatus.TemplateHash(deployment);
        var template = deployment["spec"]!["template"]!.DeepClone().AsObject();
        Labels(template)[PodTemplateHashLabel] = hash;
        var selector = deployment["spec"]?["selector"]?.DeepClone().AsObject() ?? [];
        if (selector["matchLabels"] is not JsonObject matchLabels) selector["matchLabels"] = matchLabels = [];
        matchLabels[PodTemplateHashLabel] = hash;
        var labels = (deployment["spec"]?["template"]?["metadata"]?["labels"] as JsonObject)?.DeepClone().AsObject() ?? [];
        labels[PodTemplateHashLabel] = hash;
        var replicaSet = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{Name(deployment)}-{hash}",
                ["namespace"] = Namespace(deployment),
                ["labels"] = labels,
                ["annotations"] = new JsonObject
                {
                    ["deployment.kubernetes.io/desired-replicas"] = desired.ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/max-replicas"] = (desired + maxSurge).ToString(CultureInfo.InvariantCulture),
                    [RevisionAnnotation] = nextRevision.ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = new JsonArray(ControllerReference(deployment, "apps/v1", "Deployment")),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = selector,
                ["template"] = template,
            },
        };
        try
        {
            return ControllerWrites.Create(Cluster, ReplicaSetType, replicaSet, ControllerWrites.ControllerManager);
        }
        catch (ApiStatusException e) when (e.Code == 409)
        {
            // A ReplicaSet of that name with another template: count the collision so the next hash differs.
            var status = (deployment["status"] as JsonObject)?.DeepClone().AsObject() ?? [];
            status["collisionCount"] = (DeploymentStatus.Number(status["collisionCount"]) ?? 0) + 1;
            ControllerWrites.UpdateStatus(Cluster, DeploymentType, deployment, status, ControllerWrites.ControllerManager);
            return null;
        }
    }

    private void ScaleReplicaSet(JsonObject replicaSet, int replicas, int desired, int maxSurge)
    {
        var updated = replicaSet.DeepClone().AsObject();
        updated["spec"]!["replicas"] = replicas;
        var annotations = Annotations(updated);
        annotations["deployment.kubernetes.io/desired-replicas"] = desired.ToString(CultureInfo.InvariantCulture);
        annotations["deployment.kubernetes.io/max-replicas"] = (desired + maxSurge).ToString(CultureInfo.InvariantCulture);
        ControllerWrites.Update(Cluster, ReplicaSetType, replicaSet, updated, ControllerWrites.ControllerManager);
    }

    // reconcileOldReplicaSets: first old replicas that are not available, then available ones
    // (oldest ReplicaSet first) as long as minimum availability (desired - maxUnavailable) holds.
    private void ScaleDownOld(JsonObject deployment, JsonObject newSet, List<JsonObject> oldSets, int desired)
    {
        if (oldSets.All(rs => Int(rs["spec"]?["replicas"]) == 0)) return;
        var minAvailable = desired - DeploymentStatus.MaxUnavailable(deployment, desired);
        var all = oldSets.Append(newSet).ToList();
        var newUnavailable = Int(newSet["spec"]?["replicas"]) - Int(newSet["status"]?["availableReplicas"]);
        var budget = all.Sum(rs => Int(rs["spec"]?["replicas"])) - minAvailable - newUnavailable;
        var maxSurge = DeploymentStatus.MaxSurge(deployment, desired);
        var targets = oldSets.ToDictionary(rs => Name(rs), rs => Int(rs["spec"]?["replicas"]));
        foreach (var old in oldSets)
        {
            if (budget <= 0) break;
            var unhealthy = Math.Min(budget, Math.Max(targets[Name(old)] - Int(old["status"]?["availableReplicas"]), 0));
            targets[Name(old)] -= unhealthy;
            budget -= unhealthy;
        }
        var available = all.Sum(rs => Int(rs["status"]?["availableReplicas"]));
        var scaleDown = Math.Max(available - minAvailable, 0);
        foreach (var old in oldSets)
        {
            if (scaleDown <= 0) break;
            var step = Math.Min(targets[Name(old)], scaleDown);
            targets[Name(old)] -= step;
            scaleDown -= step;
        }
        foreach (var old in oldSets.Where(rs => targets[Name(rs)] != Int(rs["spec"]?["replicas"])))
            ScaleReplicaSet(old, targets[Name(old)], desired, maxSurge);
    }

    // The deployment controller keeps the Deployment's revision annotation equal to its new ReplicaSet's.
    private void RecordRevision(JsonObject deployment, int revision)
    {
        var live = Cluster.Store.Get(DeploymentType, Namespace(deployment), Name(deployment));
        if (live is null || revision == 0) return;
        var updated = live.DeepClone().AsObject();
        Annotations(updated)[RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
        ControllerWrites.Update(Cluster, DeploymentType, live, updated, ControllerWrites.ControllerManager);
    }

    // Old ReplicaSets scaled to zero beyond spec.revisionHistoryLimit (default 10) go, oldest first.
    private void CleanUpOldReplicaSets(JsonObject deployment, List<JsonObject> oldSets)
    {
        var limit = Int(deployment["spec"]?["revisionHistoryLimit"], 10);
        var idle = oldSets.Where(rs => Int(rs["spec"]?["replicas"]) == 0 && Int(rs["status"]?["replicas"]) == 0)
            .OrderBy(Revision).ToList();
        foreach (var rs in idle.Take(Math.Max(idle.Count - limit, 0)))
            Cluster.Store.Delete(ReplicaSetType, Namespace(rs), Name(rs));
    }

    /// <summary>
    /// The replicaset controller: creates pods <c>&lt;replicaset&gt;-&lt;5 characters&gt;</c> from the
    /// template (owned by the ReplicaSet) or deletes surplus ones (not yet scheduled, not ready,
    /// newest first), and writes replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
    /// and observedGeneration.
    /// </summary>
    private void ReconcileReplicaSet(ObjectKey key)
    {
        var replicaSet = Cluster.Store.Get(ReplicaSetType, key.Namespace, key.Name);
        if (replicaSet is null || Deleting(replicaSet)) return;
        var pods = OwnedBy(Cluster, PodType, key.Namespace, replicaSet).Where(Active).ToList();
        var desired = Int(replicaSet["spec"]?["replicas"], 1);
        var template = replicaSet["spec"]?["template"] as JsonObject ?? [];
        if (pods.Count < desired)
        {
            var start = Cluster.Clock.UtcNow + ReadyDelay;
            for (var i = pods.Count; i < desired; i++)
            {
                var pod = PodFromTemplate(template, key.Namespace, ControllerReference(replicaSet, "apps/v1", "ReplicaSet"));
                pod["metadata"]!["generateName"] = key.Name + "-";
                var created = ControllerWrites.Create(Cluster, PodType, pod, ControllerWrites.ControllerManager);
                PodCreated(created, start);
                pods.Add(created);
            }
        }
        else if (pods.Count > desired)
        {
            var doomed = pods.OrderBy(p => p["spec"]?["nodeName"] is null ? 0 : 1).ThenBy(p => Phase(p) == "Pending" ? 0 : 1)
                .ThenBy(p => Ready(p) ? 1 : 0).ThenByDescending(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal)
                .Take(pods.Count - desired).ToList();
            foreach (var pod in doomed)
                Cluster.Store.Delete(PodType, key.Namespace, Name(pod));
            pods = pods.Except(doomed).ToList();
        }
        var templateLabels = template["metadata"]?["labels"] as JsonObject;
        var status = new JsonObject { ["replicas"] = pods.Count };
        SetOrOmit(status, "fullyLabeledReplicas", pods.Count(p => templateLabels?.All(kv =>
            (string?)p["metadata"]?["labels"]?[kv.Key] == (string?)kv.Value) != false));
        SetOrOmit(status, "readyReplicas", pods.Count(Ready));
        SetOrOmit(status, "availableReplicas", pods.Count(Available));
        SetOrOmit(status, "observedGeneration", DeploymentStatus.Generation(replicaSet));
        ControllerWrites.UpdateStatus(Cluster, ReplicaSetType, replicaSet, status, ControllerWrites.ControllerManager);
    }
}
