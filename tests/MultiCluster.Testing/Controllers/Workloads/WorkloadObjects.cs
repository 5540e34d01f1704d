using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers.Workloads;

/// <summary>What the workload controllers read off pods, owners and templates, as kube-controller-manager's helpers do.</summary>
internal static class WorkloadObjects
{
    public const string PodTemplateHashLabel = "pod-template-hash";
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    // rand.SafeEncodeString's alphabet: no vowels, no 0/1/3, so generated names spell no words.
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Name(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    public static string Namespace(JsonObject obj) => (string?)obj["metadata"]?["namespace"] ?? "";

    public static string Uid(JsonObject obj) => (string?)obj["metadata"]?["uid"] ?? "";

    public static bool Deleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static int Int(JsonNode? node, int fallback = 0) => (int)(DeploymentStatus.Number(node) ?? fallback);

    /// <summary>
    /// controller.ComputeHash: FNV-32a of the pod template (and the collision count, 8 little-endian
    /// bytes, when set), its decimal digits spelt with rand.SafeEncodeString. Upstream hashes the Go
    /// struct as go-spew prints it; we hash the template's JSON with keys sorted, so the hash is stable
    /// (independent of field order) and changes exactly when the template does, but differs from a
    /// real cluster's value for the same template.
    /// </summary>
    public static string TemplateHash(JsonNode? template, long? collisionCount = null)
    {
        var hash = 2166136261u;
        void Add(byte b) => hash = (hash ^ b) * 16777619u;
        foreach (var b in Encoding.UTF8.GetBytes(Canonical(template)))
            Add(b);
        if (collisionCount is { } count)
        {
            var bytes = new byte[8];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), (uint)count);
            if (!BitConverter.IsLittleEndian) Array.Reverse(bytes, 0, 4);
            foreach (var b in bytes)
                Add(b);
        }
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>rand.SafeEncodeString: each character becomes alphanums[c % 27].</summary>
    public static string SafeEncode(string text)
    {
        var encoded = new StringBuilder(text.Length);
        foreach (var c in text)
            encoded.Append(SafeAlphabet[c % SafeAlphabet.Length]);
        return encoded.ToString();
    }

    /// <summary>JSON with object keys sorted at every level.</summary>
    public static string Canonical(JsonNode? node) => Sorted(node)?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, Sorted(kv.Value)))),
        JsonArray array => new JsonArray(array.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>An owner reference as a controller sets it on what it creates.</summary>
    public static JsonObject ControllerReference(JsonObject owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>The ownerReference with controller=true, if any.</summary>
    public static JsonObject? ControllerOf(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => o["controller"]?.GetValue<bool>() == true);

    /// <summary>The objects of <paramref name="type"/> in <paramref name="ns"/> whose controller is <paramref name="owner"/>.</summary>
    public static List<JsonObject> OwnedBy(ClusterContext cluster, ResourceType type, string ns, JsonObject owner)
    {
        var uid = Uid(owner);
        return cluster.Store.List(type, ns).Items.Where(o => (string?)ControllerOf(o)?["uid"] == uid).ToList();
    }

    /// <summary>A new pod from a template: its labels and annotations, its spec, owned by <paramref name="owner"/>.</summary>
    public static JsonObject PodFromTemplate(JsonObject template, string ns, JsonObject ownerReference)
    {
        var meta = new JsonObject { ["namespace"] = ns };
        if (template["metadata"]?["labels"] is JsonObject labels) meta["labels"] = labels.DeepClone();
        if (template["metadata"]?["annotations"] is JsonObject annotations) meta["annotations"] = annotations.DeepClone();
        meta["ownerReferences"] = new JsonArray(ownerReference.DeepClone());
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    public static JsonObject Labels(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = meta;
        if (meta["labels"] is not JsonObject labels)
            meta["labels"] = labels = [];
        return labels;
    }

    public static JsonObject Annotations(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = meta;
        if (meta["annotations"] is not JsonObject annotations)
            meta["annotations"] = annotations = [];
        return annotations;
    }

    public static string Phase(JsonObject pod) => (string?)pod["status"]?["phase"] ?? "Pending";

    /// <summary>Running or about to run: not finished and not being deleted (controller.IsPodActive).</summary>
    public static bool Active(JsonObject pod) => Phase(pod) is not ("Succeeded" or "Failed") && !Deleting(pod);

    /// <summary>The pod's Ready condition is True (podutil.IsPodReady).</summary>
    public static bool Ready(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True") == true;

    /// <summary>Ready and, with minReadySeconds 0 as the emulator always assumes, available.</summary>
    public static bool Available(JsonObject pod) => Active(pod) && Ready(pod);

    public static string Timestamp(DateTimeOffset time) => ObjectStore.Timestamp(time);

    /// <summary>
    /// A condition that keeps its lastTransitionTime while its status does not change; other
    /// fields (reason, message, lastUpdateTime ...) are the caller's.
    /// </summary>
    public static JsonObject Condition(JsonArray? previous, string type, string status, DateTimeOffset now, params (string Name, JsonNode? Value)[] fields)
    {
        var earlier = previous?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        var transition = earlier is not null && (string?)earlier["status"] == status ? (string?)earlier["lastTransitionTime"] : null;
        var condition = new JsonObject { ["type"] = type, ["status"] = status };
        foreach (var (name, value) in fields)
            condition[name] = value;
        condition["lastTransitionTime"] = transition ?? Timestamp(now);
        return condition;
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="count"/>, or removes it when zero (Go's omitempty).</summary>
    public static void SetOrOmit(JsonObject status, string name, long count)
    {
        if (count != 0) status[name] = count;
        else status.Remove(name);
    }
}
