using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// Decodes the Kubernetes protobuf request bodies kubectl's typed commands send
/// (<c>kubectl create namespace|secret|configmap|serviceaccount|deployment|service|job</c>,
/// <c>kubectl create role|clusterrole|rolebinding|clusterrolebinding</c>, <c>kubectl auth can-i</c>) into JSON. Only the kinds and fields in the tables below are
/// known; others are answered with 415 as before. Field numbers are those of k8s.io/api's
/// generated.proto files.
/// </summary>
internal static class ProtobufBodies
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    private enum Wire { String, Bytes, Varint, Bool, Message, StringMap, BytesMap, QuantityMap, IntOrString, Time, Quantity }

    private sealed record Field(string Name, Wire Wire, string? Message = null, bool Repeated = false);

    private static readonly Dictionary<string, Dictionary<int, Field>> Messages = new()
    {
        ["ObjectMeta"] = new()
        {
            [1] = new("name", Wire.String), [2] = new("generateName", Wire.String), [3] = new("namespace", Wire.String),
            [5] = new("uid", Wire.String), [6] = new("resourceVersion", Wire.String), [7] = new("generation", Wire.Varint),
            [8] = new("creationTimestamp", Wire.Time), [11] = new("labels", Wire.StringMap), [12] = new("annotations", Wire.StringMap),
            [13] = new("ownerReferences", Wire.Message, "OwnerReference", true), [14] = new("finalizers", Wire.String, Repeated: true),
        },
        ["OwnerReference"] = new()
        {
            [1] = new("kind", Wire.String), [3] = new("name", Wire.String), [4] = new("uid", Wire.String),
            [5] = new("apiVersion", Wire.String), [6] = new("controller", Wire.Bool), [7] = new("blockOwnerDeletion", Wire.Bool),
        },
        ["Namespace"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("spec", Wire.Message, "NamespaceSpec") },
        ["NamespaceSpec"] = new() { [1] = new("finalizers", Wire.String, Repeated: true) },
        ["Secret"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("data", Wire.BytesMap), [3] = new("type", Wire.String),
            [4] = new("stringData", Wire.StringMap), [5] = new("immutable", Wire.Bool),
        },
        ["ConfigMap"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("data", Wire.StringMap),
            [3] = new("binaryData", Wire.BytesMap), [4] = new("immutable", Wire.Bool),
        },
        ["ServiceAccount"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"), [3] = new("imagePullSecrets", Wire.Message, "LocalObjectReference", true),
            [4] = new("automountServiceAccountToken", Wire.Bool),
        },
        ["LocalObjectReference"] = new() { [1] = new("name", Wire.String) },
        ["Service"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("spec", Wire.Message, "ServiceSpec") },
        ["ServiceSpec"] = new()
        {
            [1] = new("ports", Wire.Message, "ServicePort", true), [2] = new("selector", Wire.StringMap), [3] = new("clusterIP", Wire.String),
            [4] = new("type", Wire.String), [5] = new("externalIPs", Wire.String, Repeated: true), [7] = new("sessionAffinity", Wire.String),
            [10] = new("externalName", Wire.String),
        },
        ["ServicePort"] = new()
        {
            [1] = new("name", Wire.String), [2] = new("protocol", Wire.String), [3] = new("port", Wire.Varint),
            [4] = new("targetPort", Wire.IntOrString), [5] = new("nodePort", Wire.Varint), [6] = new("appProtocol", Wire.String),
        },
        ["Deployment"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("spec", Wire.Message, "DeploymentSpec") },
        ["DeploymentSpec"] = new()
        {
            [1] = new("replicas", Wire.Varint), [2] = new("selector", Wire.Message, "LabelSelector"),
            [3] = new("template", Wire.Message, "PodTemplateSpec"), [4] = new("strategy", Wire.Message, "DeploymentStrategy"),
            [5] = new("minReadySeconds", Wire.Varint), [6] = new("revisionHistoryLimit", Wire.Varint), [7] = new("paused", Wire.Bool),
            [9] = new("progressDeadlineSeconds", Wire.Varint),
        },
        ["DeploymentStrategy"] = new() { [1] = new("type", Wire.String), [2] = new("rollingUpdate", Wire.Message, "RollingUpdateDeployment") },
        ["RollingUpdateDeployment"] = new() { [1] = new("maxUnavailable", Wire.IntOrString), [2] = new("maxSurge", Wire.IntOrString) },
        ["Job"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("spec", Wire.Message, "JobSpec") },
        ["JobSpec"] = new()
        {
            [1] = new("parallelism", Wire.Varint), [2] = new("completions", Wire.Varint), [3] = new("activeDeadlineSeconds", Wire.Varint),
            [4] = new("selector", Wire.Message, "LabelSelector"), [5] = new("manualSelector", Wire.Bool), [6] = new("template", Wire.Message, "PodTemplateSpec"),
            [7] = new("backoffLimit", Wire.Varint), [8] = new("ttlSecondsAfterFinished", Wire.Varint), [9] = new("completionMode", Wire.String),
            [10] = new("suspend", Wire.Bool),
        },
        ["LabelSelector"] = new() { [1] = new("matchLabels", Wire.StringMap), [2] = new("matchExpressions", Wire.Message, "LabelSelectorRequirement", true) },
        ["LabelSelectorRequirement"] = new() { [1] = new("key", Wire.String), [2] = new("operator", Wire.String), [3] = new("values", Wire.String, Repeated: true) },
        ["PodTemplateSpec"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("spec", Wire.Message, "PodSpec") },
        ["PodSpec"] = new()
        {
            [2] = new("containers", Wire.Message, "Container", true), [3] = new("restartPolicy", Wire.String),
            [4] = new("terminationGracePeriodSeconds", Wire.Varint), [6] = new("dnsPolicy", Wire.String), [7] = new("nodeSelector", Wire.StringMap),
            [8] = new("serviceAccountName", Wire.String), [15] = new("imagePullSecrets", Wire.Message, "LocalObjectReference", true),
            [19] = new("schedulerName", Wire.String), [20] = new("initContainers", Wire.Message, "Container", true),
        },
        ["Container"] = new()
        {
            [1] = new("name", Wire.String), [2] = new("image", Wire.String), [3] = new("command", Wire.String, Repeated: true),
            [4] = new("args", Wire.String, Repeated: true), [5] = new("workingDir", Wire.String), [6] = new("ports", Wire.Message, "ContainerPort", true),
            [7] = new("env", Wire.Message, "EnvVar", true), [8] = new("resources", Wire.Message, "ResourceRequirements"),
            [13] = new("terminationMessagePath", Wire.String), [14] = new("imagePullPolicy", Wire.String), [20] = new("terminationMessagePolicy", Wire.String),
        },
        ["ContainerPort"] = new() { [1] = new("name", Wire.String), [2] = new("hostPort", Wire.Varint), [3] = new("containerPort", Wire.Varint), [4] = new("protocol", Wire.String) },
        ["EnvVar"] = new() { [1] = new("name", Wire.String), [2] = new("value", Wire.String) },
        ["ResourceRequirements"] = new() { [1] = new("limits", Wire.QuantityMap), [2] = new("requests", Wire.QuantityMap) },
        ["SelfSubjectAccessReview"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("spec", Wire.Message, "SelfSubjectAccessReviewSpec") },
        ["SelfSubjectAccessReviewSpec"] = new()
        {
            [1] = new("resourceAttributes", Wire.Message, "ResourceAttributes"), [2] = new("nonResourceAttributes", Wire.Message, "NonResourceAttributes"),
        },
        ["ResourceAttributes"] = new()
        {
            [1] = new("namespace", Wire.String), [2] = new("verb", Wire.String), [3] = new("group", Wire.String), [4] = new("version", Wire.String),
            [5] = new("resource", Wire.String), [6] = new("subresource", Wire.String), [7] = new("name", Wire.String),
        },
        ["NonResourceAttributes"] = new() { [1] = new("path", Wire.String), [2] = new("verb", Wire.String) },
        ["Role"] = new() { [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("rules", Wire.Message, "PolicyRule", true) },
        ["ClusterRole"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("rules", Wire.Message, "PolicyRule", true),
            [3] = new("aggregationRule", Wire.Message, "AggregationRule"),
        },
        ["PolicyRule"] = new()
        {
            [1] = new("verbs", Wire.String, Repeated: true), [2] = new("apiGroups", Wire.String, Repeated: true),
            [3] = new("resources", Wire.String, Repeated: true), [4] = new("resourceNames", Wire.String, Repeated: true),
            [5] = new("nonResourceURLs", Wire.String, Repeated: true),
        },
        ["AggregationRule"] = new() { [1] = new("clusterRoleSelectors", Wire.Message, "LabelSelector", true) },
        ["RoleBinding"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("subjects", Wire.Message, "Subject", true), [3] = new("roleRef", Wire.Message, "RoleRef"),
        },
        ["ClusterRoleBinding"] = new()
        {
            [1] = new("metadata", Wire.Message, "ObjectMeta"), [2] = new("subjects", Wire.Message, "Subject", true), [3] = new("roleRef", Wire.Message, "RoleRef"),
        },
        ["Subject"] = new() { [1] = new("kind", Wire.String), [2] = new("apiGroup", Wire.String), [3] = new("name", Wire.String), [4] = new("namespace", Wire.String) },
        ["RoleRef"] = new() { [1] = new("apiGroup", Wire.String), [2] = new("kind", Wire.String), [3] = new("name", Wire.String) },
    };

    /// <summary>The JSON form of a protobuf body, or null when its kind is not one this decoder knows.</summary>
    public static JsonObject? Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        string apiVersion = "", kind = "";
        byte[]? raw = null;
        var reader = new Reader(body, Magic.Length, body.Length);
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            if (wireType != 2)
            {
                reader.Skip(wireType);
                continue;
            }
            var slice = reader.Slice();
            if (number == 1)
            {
                var typeMeta = new Reader(body, slice.Start, slice.End);
                while (typeMeta.More)
                {
                    var (n, w) = typeMeta.Tag();
                    if (w != 2) { typeMeta.Skip(w); continue; }
                    var value = typeMeta.String();
                    if (n == 1) apiVersion = value;
                    else if (n == 2) kind = value;
                }
            }
            else if (number == 2) raw = body[slice.Start..slice.End];
        }
        if (raw is null || !Messages.ContainsKey(kind)) return null;
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (key, value) in DecodeMessage(raw, 0, raw.Length, kind).ToList())
        {
            obj[key] = value?.DeepClone();
        }
        return obj;
    }

    private static JsonObject DecodeMessage(byte[] data, int start, int end, string message)
    {
        var fields = Messages[message];
        var result = new JsonObject();
        var reader = new Reader(data, start, end);
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wireType);
                continue;
            }
            JsonNode? value;
            string? mapKey = null;
            switch (field.Wire)
            {
                case Wire.Varint:
                    value = JsonValue.Create((long)reader.Varint());
                    if (value.GetValue<long>() == 0 && field.Name != "replicas") value = null;
                    break;
                case Wire.Bool:
                    value = reader.Varint() != 0 ? JsonValue.Create(true) : null;
                    break;
                case Wire.String:
                    var s = reader.String();
                    value = s.Length == 0 && !field.Repeated ? null : JsonValue.Create(s);
                    break;
                case Wire.Bytes:
                    var b = reader.Slice();
                    value = JsonValue.Create(Convert.ToBase64String(data, b.Start, b.End - b.Start));
                    break;
                case Wire.Message:
                    var m = reader.Slice();
                    value = DecodeMessage(data, m.Start, m.End, field.Message!);
                    if (!field.Repeated && ((JsonObject)value).Count == 0) value = null;
                    break;
                case Wire.Time:
                    var t = reader.Slice();
                    value = DecodeTime(data, t.Start, t.End);
                    break;
                case Wire.IntOrString:
                    var ios = reader.Slice();
                    value = DecodeIntOrString(data, ios.Start, ios.End);
                    break;
                default:
                    var entry = reader.Slice();
                    (mapKey, value) = DecodeMapEntry(data, entry.Start, entry.End, field.Wire);
                    break;
            }
            if (mapKey is not null)
            {
                if (result[field.Name] is not JsonObject map) result[field.Name] = map = new JsonObject();
                map[mapKey] = value;
            }
            else if (field.Repeated)
            {
                if (result[field.Name] is not JsonArray list) result[field.Name] = list = new JsonArray();
                list.Add(value);
            }
            else if (value is not null) result[field.Name] = value;
        }
        return result;
    }

    private static (string Key, JsonNode? Value) DecodeMapEntry(byte[] data, int start, int end, Wire wire)
    {
        var key = "";
        JsonNode? value = JsonValue.Create("");
        var reader = new Reader(data, start, end);
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            if (wireType != 2) { reader.Skip(wireType); continue; }
            var slice = reader.Slice();
            if (number == 1) key = Encoding.UTF8.GetString(data, slice.Start, slice.End - slice.Start);
            else if (number == 2)
            {
                value = wire switch
                {
                    Wire.BytesMap => JsonValue.Create(Convert.ToBase64String(data, slice.Start, slice.End - slice.Start)),
                    Wire.QuantityMap => DecodeQuantity(data, slice.Start, slice.End),
                    _ => JsonValue.Create(Encoding.UTF8.GetString(data, slice.Start, slice.End - slice.Start)),
                };
            }
        }
        return (key, value);
    }

    private static JsonNode? DecodeQuantity(byte[] data, int start, int end)
    {
        var reader = new Reader(data, start, end);
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            if (number == 1 && wireType == 2) return JsonValue.Create(reader.String());
            reader.Skip(wireType);
        }
        return JsonValue.Create("0");
    }

    private static JsonNode? DecodeTime(byte[] data, int start, int end)
    {
        long seconds = 0;
        var reader = new Reader(data, start, end);
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            if (number == 1 && wireType == 0) seconds = (long)reader.Varint();
            else reader.Skip(wireType);
        }
        return seconds == 0 ? null
            : JsonValue.Create(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    private static JsonNode? DecodeIntOrString(byte[] data, int start, int end)
    {
        long type = 0, intValue = 0;
        var text = "";
        var reader = new Reader(data, start, end);
        while (reader.More)
        {
            var (number, wireType) = reader.Tag();
            switch (number, wireType)
            {
                case (1, 0): type = (long)reader.Varint(); break;
                case (2, 0): intValue = (long)reader.Varint(); break;
                case (3, 2): text = reader.String(); break;
                default: reader.Skip(wireType); break;
            }
        }
        return type == 1 ? JsonValue.Create(text) : JsonValue.Create(intValue);
    }

    private struct Reader(byte[] data, int position, int end)
    {
        private int pos = position;

        public readonly bool More => pos < end;

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (pos >= end) throw new FormatException("truncated protobuf varint");
                var b = data[pos++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new FormatException("protobuf varint too long");
        }

        public (int Number, int WireType) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public (int Start, int End) Slice()
        {
            var length = (int)Varint();
            if (length < 0 || pos + length > end) throw new FormatException("truncated protobuf field");
            var slice = (pos, pos + length);
            pos += length;
            return slice;
        }

        public string String()
        {
            var (s, e) = Slice();
            return Encoding.UTF8.GetString(data, s, e - s);
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: Varint(); break;
                case 1: pos += 8; break;
                case 2: Slice(); break;
                case 5: pos += 4; break;
                default: throw new FormatException($"unsupported protobuf wire type {wireType}");
            }
        }
    }
}
