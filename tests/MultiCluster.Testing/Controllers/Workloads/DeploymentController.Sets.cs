using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers.Workloads;
using static MultiCluster.Testing.Controllers.Workloads.WorkloadObjects;

namespace MultiCluster.Testing.Controllers;

// The statefulset, daemonset and job controllers.
public sealed partial class DeploymentController
{
    private const string RevisionHashLabel = "controller-revision-hash";

    private ResourceType StatefulSetType => Cluster.Registry.Find("apps", "statefulsets")!;
    private ResourceType DaemonSetType => Cluster.Registry.Find("apps", "daemonsets")!;
    private ResourceType JobType => Cluster.Registry.Find("batch", "jobs")!;

    /// <summary>
    /// The statefulset controller: pods <c>&lt;name&gt;-0 .. n-1</c> (labels controller-revision-hash,
    /// statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index; hostname and subdomain set).
    /// OrderedReady creates one pod at a time, each once the ones before are Running and Ready, and
    /// removes surplus pods highest ordinal first; Parallel does all at once. A template change
    /// replaces pods of the old revision highest ordinal first, one at a time, once all are ready
    /// (RollingUpdate; OnDelete waits for the user). Status: replicas, readyReplicas,
    /// availableReplicas, currentReplicas, updatedReplicas, currentRevision, updateRevision,
    /// observedGeneration, collisionCount.
    /// </summary>
    private void ReconcileStatefulSet(ObjectKey key)
    {
        var set = Cluster.Store.Get(StatefulSetType, key.Namespace, key.Name);
        if (set is null || Deleting(set)) return;
        var name = key.Name;
        var updateRevision = $"{name}-{TemplateHash(set["spec"]?["template"])}";
        var currentRevision = (string?)set["status"]?["currentRevision"] ?? updateRevision;
        var desired = Int(set["spec"]?["replicas"], 1);
        var parallel = (string?)set["spec"]?["podManagementPolicy"] == "Parallel";
        var onDelete = (string?)set["spec"]?["updateStrategy"]?["type"] == "OnDelete";
        var pods = OwnedBy(Cluster, PodType, key.Namespace, set).Where(p => !Deleting(p)).ToDictionary(WorkloadObjects.Name);
        string PodName(int ordinal) => $"{name}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
        bool Healthy(JsonObject pod) => Phase(pod) == "Running" && Ready(pod);

        var start = Cluster.Clock.UtcNow + ReadyDelay;
        for (var ordinal = 0; ordinal < desired; ordinal++)
        {
            if (pods.TryGetValue(PodName(ordinal), out var existing))
            {
                if (!parallel && !Healthy(existing)) break;
                continue;
            }
            var pod = StatefulSetPod(set, ordinal, PodName(ordinal), updateRevision);
            var created = ControllerWrites.Create(Cluster, PodType, pod, ControllerWrites.ControllerManager);
            PodCreated(created, start);
            pods[PodName(ordinal)] = created;
            if (!parallel) break;
        }
        var surplus = pods.Values.Where(p => Ordinal(p, name) >= desired).OrderByDescending(p => Ordinal(p, name)).ToList();
        var allHealthy = pods.Values.All(Healthy);
        foreach (var pod in surplus.Take(parallel ? surplus.Count : allHealthy ? 1 : 0))
        {
            Cluster.Store.Delete(PodType, key.Namespace, Name(pod));
            pods.Remove(Name(pod));
        }
        if (!onDelete && surplus.Count == 0 && pods.Count == desired && pods.Values.All(Healthy))
        {
            var outdated = pods.Values.Where(p => (string?)p["metadata"]?["labels"]?[RevisionHashLabel] != updateRevision)
                .OrderByDescending(p => Ordinal(p, name)).FirstOrDefault();
            if (outdated is not null)
            {
                // Recreated at the update revision on the next sync (its deletion queues the set).
                Cluster.Store.Delete(PodType, key.Namespace, Name(outdated));
                pods.Remove(Name(outdated));
            }
        }

        var list = pods.Values.ToList();
        var updated = list.Count(p => (string?)p["metadata"]?["labels"]?[RevisionHashLabel] == updateRevision);
        var ready = list.Count(Ready);
        if (updated == desired && list.Count == desired && ready == desired) currentRevision = updateRevision;
        var status = new JsonObject
        {
            ["observedGeneration"] = DeploymentStatus.Generation(set),
            ["replicas"] = list.Count,
        };
        SetOrOmit(status, "readyReplicas", ready);
        SetOrOmit(status, "currentReplicas", list.Count(p => (string?)p["metadata"]?["labels"]?[RevisionHashLabel] == currentRevision));
        SetOrOmit(status, "updatedReplicas", updated);
        status["currentRevision"] = currentRevision;
        status["updateRevision"] = updateRevision;
        status["collisionCount"] = 0;
        status["availableReplicas"] = list.Count(Available);
        ControllerWrites.UpdateStatus(Cluster, StatefulSetType, set, status, ControllerWrites.ControllerManager);
    }

    private static JsonObject StatefulSetPod(JsonObject set, int ordinal, string podName, string revision)
    {
        var pod = PodFromTemplate(set["spec"]?["template"] as JsonObject ?? [], Namespace(set), ControllerReference(set, "apps/v1", "StatefulSet"));
        pod["metadata"]!["name"] = podName;
        var labels = Labels(pod);
        labels[RevisionHashLabel] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = podName;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
        var spec = (JsonObject)pod["spec"]!;
        spec["hostname"] = podName;
        if ((string?)set["spec"]?["serviceName"] is { Length: > 0 } service) spec["subdomain"] = service;
        return pod;
    }

    private static int Ordinal(JsonObject pod, string setName) =>
        int.TryParse(Name(pod).AsSpan(setName.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;

    /// <summary>
    /// The daemonset controller: one pod per Node object (none in an instance without Nodes), bound to
    /// its node, labelled controller-revision-hash and pod-template-generation; pods on nodes that went
    /// away are deleted; a template change replaces outdated pods one at a time once all are ready
    /// (RollingUpdate, maxUnavailable 1). Status: desiredNumberScheduled, currentNumberScheduled,
    /// numberReady, updatedNumberScheduled, numberAvailable, numberUnavailable, numberMisscheduled,
    /// observedGeneration.
    /// </summary>
    private void ReconcileDaemonSet(ObjectKey key)
    {
        var set = Cluster.Store.Get(DaemonSetType, key.Namespace, key.Name);
        if (set is null || Deleting(set)) return;
        var hash = TemplateHash(set["spec"]?["template"]);
        var nodes = Cluster.Store.List(NodeType, null).Items.Select(WorkloadObjects.Name).ToHashSet(StringComparer.Ordinal);
        var pods = OwnedBy(Cluster, PodType, key.Namespace, set).Where(Active).ToList();
        foreach (var stray in pods.Where(p => !nodes.Contains((string?)p["spec"]?["nodeName"] ?? "")).ToList())
        {
            Cluster.Store.Delete(PodType, key.Namespace, Name(stray));
            pods.Remove(stray);
        }
        var start = Cluster.Clock.UtcNow + ReadyDelay;
        foreach (var node in nodes.Where(n => !pods.Any(p => (string?)p["spec"]?["nodeName"] == n)).Order(StringComparer.Ordinal))
        {
            var pod = PodFromTemplate(set["spec"]?["template"] as JsonObject ?? [], key.Namespace, ControllerReference(set, "apps/v1", "DaemonSet"));
            pod["metadata"]!["generateName"] = key.Name + "-";
            Labels(pod)[RevisionHashLabel] = hash;
            Labels(pod)["pod-template-generation"] = DeploymentStatus.Generation(set).ToString(CultureInfo.InvariantCulture);
            pod["spec"]!["nodeName"] = node;
            var created = ControllerWrites.Create(Cluster, PodType, pod, ControllerWrites.ControllerManager);
            PodCreated(created, start);
            pods.Add(created);
        }
        bool Current(JsonObject p) => (string?)p["metadata"]?["labels"]?[RevisionHashLabel] == hash;
        if ((string?)set["spec"]?["updateStrategy"]?["type"] != "OnDelete" && pods.All(Available)
            && pods.FirstOrDefault(p => !Current(p)) is { } outdated)
        {
            Cluster.Store.Delete(PodType, key.Namespace, Name(outdated));
            pods.Remove(outdated);
        }
        var available = pods.Count(Available);
        var status = new JsonObject
        {
            ["currentNumberScheduled"] = pods.Count,
            ["numberMisscheduled"] = 0,
            ["desiredNumberScheduled"] = nodes.Count,
            ["numberReady"] = pods.Count(Ready),
            ["observedGeneration"] = DeploymentStatus.Generation(set),
        };
        SetOrOmit(status, "updatedNumberScheduled", pods.Count(Current));
        SetOrOmit(status, "numberAvailable", available);
        SetOrOmit(status, "numberUnavailable", nodes.Count - available);
        ControllerWrites.UpdateStatus(Cluster, DaemonSetType, set, status, ControllerWrites.ControllerManager);
    }

    /// <summary>
    /// The job controller (NonIndexed): keeps min(parallelism, completions - succeeded) pods
    /// running; pods finish as the kubelet simulates (exit 0, or <c>exit N</c> in the command).
    /// Once succeeded reaches completions: conditions SuccessCriteriaMet and Complete (reason
    /// CompletionsReached, 1.31+) and completionTime; once failed pods exceed backoffLimit:
    /// active pods deleted, conditions FailureTarget and Failed (reason BackoffLimitExceeded).
    /// Status: startTime, active, ready, succeeded, failed, terminating, uncountedTerminatedPods.
    /// </summary>
    private void ReconcileJob(ObjectKey key)
    {
        var job = Cluster.Store.Get(JobType, key.Namespace, key.Name);
        if (job is null || Deleting(job)) return;
        var previous = job["status"] as JsonObject;
        var conditions = previous?["conditions"] as JsonArray;
        if (conditions?.OfType<JsonObject>().Any(c => (string?)c["type"] is "Complete" or "Failed" && (string?)c["status"] == "True") == true)
            return;
        var now = Cluster.Clock.UtcNow;
        var pods = OwnedBy(Cluster, PodType, key.Namespace, job);
        var succeeded = pods.Count(p => Phase(p) == "Succeeded");
        var failed = pods.Count(p => Phase(p) == "Failed");
        var active = pods.Where(Active).ToList();
        var spec = job["spec"];
        var completions = DeploymentStatus.Number(spec?["completions"]) is { } c ? (int?)c : null;
        var parallelism = Int(spec?["parallelism"], 1);
        var backoffLimit = Int(spec?["backoffLimit"], 6);
        var suspended = spec?["suspend"]?.GetValue<bool>() == true;

        var status = new JsonObject();
        var newConditions = conditions?.DeepClone().AsArray() ?? [];
        void AddCondition(string type, string reason, string message) => newConditions.Add(
            WorkloadObjects.Condition(null, type, "True", now, ("lastProbeTime", Timestamp(now)), ("reason", reason), ("message", message)));
        var finishedOk = completions is { } needed ? succeeded >= needed : succeeded > 0 && active.Count == 0;
        if (failed > backoffLimit)
        {
            foreach (var pod in active)
                Cluster.Store.Delete(PodType, key.Namespace, Name(pod));
            active.Clear();
            AddCondition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
            AddCondition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }
        else if (finishedOk)
        {
            AddCondition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods");
            AddCondition("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
            status["completionTime"] = Timestamp(now);
        }
        else if (!suspended)
        {
            var wanted = completions is { } total ? Math.Min(parallelism, total - succeeded) : parallelism;
            var start = now + ReadyDelay;
            for (var i = active.Count; i < wanted; i++)
            {
                var pod = PodFromTemplate(spec?["template"] as JsonObject ?? [], key.Namespace, ControllerReference(job, "batch/v1", "Job"));
                pod["metadata"]!["generateName"] = key.Name + "-";
                var labels = Labels(pod);
                labels["batch.kubernetes.io/controller-uid"] = Uid(job);
                labels["batch.kubernetes.io/job-name"] = key.Name;
                labels["controller-uid"] = Uid(job);
                labels["job-name"] = key.Name;
                var created = ControllerWrites.Create(Cluster, PodType, pod, ControllerWrites.ControllerManager);
                PodCreated(created, start);
                active.Add(created);
            }
        }
        status["startTime"] = (string?)previous?["startTime"] ?? Timestamp(now);
        if (newConditions.Count > 0) status["conditions"] = newConditions;
        SetOrOmit(status, "active", active.Count);
        SetOrOmit(status, "succeeded", succeeded);
        SetOrOmit(status, "failed", failed);
        status["terminating"] = 0;
        status["ready"] = active.Count(Ready);
        status["uncountedTerminatedPods"] = new JsonObject();
        ControllerWrites.UpdateStatus(Cluster, JobType, job, status, ControllerWrites.ControllerManager);
    }
}
