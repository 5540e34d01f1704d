using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers.Workloads;
using static MultiCluster.Testing.Controllers.Workloads.WorkloadObjects;

namespace MultiCluster.Testing.Controllers;

// The simulated scheduler and kubelet.
public sealed partial class DeploymentController
{
    // When each pod's containers start, on the instance's clock: ReadyDelay after the controller
    // created it (one instant for a batch, so its pods share one timer) or after the kubelet first saw it.
    private readonly Dictionary<ObjectKey, DateTimeOffset> _podStarts = [];

    private static readonly Regex ExitCommand = new(@"\bexit\s+(\d+)\b", RegexOptions.CultureInvariant);

    private void PodCreated(JsonObject pod, DateTimeOffset start) =>
        _podStarts[ObjectKey.For(PodType, Namespace(pod), Name(pod))] = start;

    /// <summary>
    /// Binds a pod to a node (a Node object, or the instance's implicit <c>&lt;instance&gt;-worker</c>
    /// when the cluster has none) and drives its status as a kubelet would: Pending with
    /// ContainerCreating until <see cref="ReadyDelay"/> has passed, then Running and Ready; a pod with
    /// restartPolicy Never or OnFailure then finishes (exit 0, or the code of an <c>exit N</c> in its
    /// command or args); an image the kubelet cannot pull leaves it Pending with ErrImagePull, then
    /// ImagePullBackOff, and records the kubelet's events once.
    /// </summary>
    private void ReconcilePod(ObjectKey key)
    {
        var pod = Cluster.Store.Get(PodType, key.Namespace, key.Name);
        if (pod is null)
        {
            _podStarts.Remove(key);
            return;
        }
        if (Deleting(pod) || Phase(pod) is "Succeeded" or "Failed") return;
        var now = Cluster.Clock.UtcNow;
        if (pod["spec"]?["nodeName"] is null)
        {
            var bound = pod.DeepClone().AsObject();
            bound["spec"]!["nodeName"] = ScheduleNode(key.Name);
            ControllerWrites.Update(Cluster, PodType, pod, bound, "kube-scheduler");
            return; // the binding is a change event: the kubelet takes over from there.
        }
        if (!_podStarts.TryGetValue(key, out var start))
            _podStarts[key] = start = now + ReadyDelay;

        var previous = pod["status"] as JsonObject;
        var containers = (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var unpullable = DeploymentStatus.UnpullableImage(pod["spec"]);
        JsonObject status;
        if (unpullable is not null)
        {
            var initBlocked = (pod["spec"]?["initContainers"] as JsonArray)?.OfType<JsonObject>().Any(c => (string?)c["image"] == unpullable) == true;
            // The first failed pull is ErrImagePull; every later sync backs off.
            var pulledBefore = (previous?["containerStatuses"] as JsonArray)?.OfType<JsonObject>()
                .Any(c => c["state"]?["waiting"]?["reason"] is not null && (string?)c["state"]?["waiting"]?["reason"] != "ContainerCreating") == true;
            var reason = pulledBefore ? "ImagePullBackOff" : "ErrImagePull";
            var message = pulledBefore ? $"Back-off pulling image \"{unpullable}\"" : $"failed to pull image \"{unpullable}\": no such host";
            status = PodStatus(pod, previous, "Pending", now, initialized: !initBlocked, ready: false,
                containers.Select(c => (string?)c["image"] == unpullable || initBlocked
                    ? Waiting(c, reason, message)
                    : Waiting(c, "PodInitializing", null)).ToList());
            KubeletImagePullEvents.Record(Cluster, pod, unpullable);
        }
        else if (now < start)
        {
            status = PodStatus(pod, previous, "Pending", now, initialized: true, ready: false,
                containers.Select(c => Waiting(c, "ContainerCreating", null)).ToList());
            RequeueAt(key, start);
        }
        else if ((string?)pod["spec"]?["restartPolicy"] is "Never" or "OnFailure")
        {
            // With OnFailure the kubelet restarts a failing container in place; we let it succeed at once.
            var exitCodes = containers.Select(c => (string?)pod["spec"]?["restartPolicy"] == "Never" ? ExitCodeOf(c) : 0).ToList();
            var started = Timestamp(start);
            status = PodStatus(pod, previous, exitCodes.Any(code => code != 0) ? "Failed" : "Succeeded", now, initialized: true, ready: false,
                containers.Select((c, i) => Terminated(c, exitCodes[i], started)).ToList(), completed: true);
        }
        else
        {
            status = PodStatus(pod, previous, "Running", now, initialized: true, ready: true,
                containers.Select(c => Running(c, Timestamp(start))).ToList());
        }
        ControllerWrites.UpdateStatus(Cluster, PodType, pod, status, ControllerWrites.Kubelet);
    }

    /// <summary>A Node object (spread by the pod's name), or the implicit worker when the cluster has none.</summary>
    private string ScheduleNode(string podName)
    {
        var nodes = Cluster.Store.List(NodeType, null).Items.Select(WorkloadObjects.Name).ToList();
        if (nodes.Count == 0) return KubeletImagePullEvents.NodeName(Cluster);
        var spread = podName.Aggregate(0u, (sum, c) => sum * 31 + c);
        return nodes[(int)(spread % (uint)nodes.Count)];
    }

    private static int ExitCodeOf(JsonObject container)
    {
        var words = new[] { container["command"], container["args"] }.OfType<JsonArray>().SelectMany(a => a).Select(w => (string?)w);
        var match = ExitCommand.Match(string.Join(' ', words));
        return match.Success && int.TryParse(match.Groups[1].Value, out var code) ? code : 0;
    }

    private JsonObject PodStatus(JsonObject pod, JsonObject? previous, string phase, DateTimeOffset now, bool initialized, bool ready,
        List<JsonObject> containerStatuses, bool completed = false)
    {
        var conditions = previous?["conditions"] as JsonArray;
        var containersReady = ready ? "True" : "False";
        JsonObject Condition(string type, string value, string? reason = null)
        {
            var fields = new List<(string, JsonNode?)> { ("lastProbeTime", null) };
            if (reason is not null) fields.Add(("reason", reason));
            return WorkloadObjects.Condition(conditions, type, value, now, fields.ToArray());
        }
        var notReadyReason = completed ? "PodCompleted" : "ContainersNotReady";
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(
                Condition("PodReadyToStartContainers", completed ? "False" : "True"),
                Condition("Initialized", initialized ? "True" : "False", initialized ? (completed ? "PodCompleted" : null) : "ContainersNotInitialized"),
                Condition("Ready", containersReady, ready ? null : notReadyReason),
                Condition("ContainersReady", containersReady, ready ? null : notReadyReason),
                Condition("PodScheduled", "True")),
            ["hostIP"] = "172.18.0.2",
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "172.18.0.2" }),
            ["podIP"] = PodIp(Name(pod)),
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = PodIp(Name(pod)) }),
            ["startTime"] = (string?)previous?["startTime"] ?? Timestamp(now),
            ["containerStatuses"] = new JsonArray(containerStatuses.Select(c => (JsonNode)c).ToArray()),
            ["qosClass"] = "BestEffort",
        };
        return status;
    }

    // A stable address in the cluster's pod range, so a status rewrite changes nothing.
    private static string PodIp(string name)
    {
        var hash = TemplateHash(name);
        return $"10.244.{hash[0] % 250}.{hash[1] % 250 + 2}";
    }

    private static JsonObject Waiting(JsonObject container, string reason, string? message)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (message is not null) waiting["message"] = message;
        return ContainerStatus(container, new JsonObject { ["waiting"] = waiting }, ready: false, started: false);
    }

    private static JsonObject Running(JsonObject container, string startedAt) =>
        ContainerStatus(container, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = startedAt } }, ready: true, started: true);

    private static JsonObject Terminated(JsonObject container, int exitCode, string at) =>
        ContainerStatus(container, new JsonObject
        {
            ["terminated"] = new JsonObject
            {
                ["exitCode"] = exitCode, ["reason"] = exitCode == 0 ? "Completed" : "Error", ["startedAt"] = at, ["finishedAt"] = at,
            },
        }, ready: false, started: false);

    private static JsonObject ContainerStatus(JsonObject container, JsonObject state, bool ready, bool started) => new()
    {
        ["name"] = (string?)container["name"],
        ["state"] = state,
        ["lastState"] = new JsonObject(),
        ["ready"] = ready,
        ["restartCount"] = 0,
        ["image"] = (string?)container["image"],
        ["imageID"] = started ? $"{container["image"]}@sha256:{TemplateHash(container["image"]?.ToString())}" : "",
        ["started"] = started,
    };
}
