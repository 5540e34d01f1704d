using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// The core/v1 Events the kubelet records for a pod whose image cannot be pulled, as a real
/// cluster shows them with <c>kubectl events</c>: Normal <c>Pulling</c> ("Pulling image \"X\""),
/// Warning <c>Failed</c> ("Failed to pull image \"X\": ... no such host") and Normal <c>BackOff</c>
/// ("Back-off pulling image \"X\""), on the pod, source kubelet on the pod's node. The kubelet's follow-up Warnings "Error: ErrImagePull" and
/// "Error: ImagePullBackOff" are left out, so each failing pod reads as one Warning event.
/// </summary>
public static class KubeletImagePullEvents
{
    /// <summary>The implicit node pods run on in an instance without Node objects.</summary>
    public static string NodeName(ClusterContext cluster) => $"{cluster.Name}-worker";

    /// <summary>Records the events of <paramref name="pod"/> once (an event already there is left as it is).</summary>
    public static void Record(ClusterContext cluster, JsonObject pod, string image)
    {
        var type = cluster.Registry.Find("", "events")!;
        var ns = (string)pod["metadata"]!["namespace"]!;
        var name = (string)pod["metadata"]!["name"]!;
        var podUid = (string?)pod["metadata"]!["uid"] ?? "";
        var node = (string?)pod["spec"]?["nodeName"] ?? NodeName(cluster);
        var container = ContainerOf(pod, image);
        var host = ImageHost(image);
        var now = cluster.Clock.UtcNow;
        Write(cluster, type, Event(ns, name, podUid, container, "Normal", "Pulling", $"Pulling image \"{image}\"", node, now));
        Write(cluster, type, Event(ns, name, podUid, container, "Warning", "Failed",
            $"Failed to pull image \"{image}\": rpc error: code = Unknown desc = failed to pull and unpack image \"{image}\": " +
            $"failed to resolve reference \"{image}\": failed to do request: Head \"https://{host}/v2/\": dial tcp: lookup {host}: no such host",
            node, now));
        Write(cluster, type, Event(ns, name, podUid, container, "Normal", "BackOff", $"Back-off pulling image \"{image}\"", node, now));
    }

    private static void Write(ClusterContext cluster, ResourceType type, JsonObject e)
    {
        var meta = e["metadata"]!;
        if (cluster.Store.Get(type, (string)meta["namespace"]!, (string)meta["name"]!) is not null) return;
        cluster.Store.Create(type, e);
    }

    private static JsonObject Event(string ns, string pod, string podUid, string container, string type, string reason, string message,
        string node, DateTimeOffset now)
    {
        var stamp = ObjectStore.Timestamp(now);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            // The recorder names an event after its object and the time in hex; the reason keeps ours apart.
            ["metadata"] = new JsonObject { ["name"] = $"{pod}.{Suffix(pod + reason, 16, "0123456789abcdef")}", ["namespace"] = ns },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = "Pod", ["namespace"] = ns, ["name"] = pod, ["uid"] = podUid, ["apiVersion"] = "v1",
                ["fieldPath"] = $"spec.containers{{{container}}}",
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = node },
            ["firstTimestamp"] = stamp,
            ["lastTimestamp"] = stamp,
            ["count"] = 1,
            ["type"] = type,
            ["eventTime"] = null,
            ["reportingComponent"] = "kubelet",
            ["reportingInstance"] = node,
        };
    }

    private static string ContainerOf(JsonObject pod, string image)
    {
        var podSpec = pod["spec"];
        var containers = new[] { podSpec?["initContainers"], podSpec?["containers"] }.OfType<JsonArray>().SelectMany(list => list);
        return containers.Where(c => (string?)c?["image"] == image).Select(c => (string?)c?["name"]).FirstOrDefault() ?? "main";
    }

    private static string ImageHost(string image)
    {
        var host = image[..image.IndexOf('/')];
        var colon = host.IndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    private static string Suffix(string seed, int length, string alphabet = "bcdfghjklmnpqrstvwxz2456789")
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var chars = new StringBuilder();
        for (var i = 0; i < length; i++) chars.Append(alphabet[bytes[i] % alphabet.Length]);
        return chars.ToString();
    }
}
