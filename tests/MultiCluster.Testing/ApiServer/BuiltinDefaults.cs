using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer;

/// <summary>The defaulting kube-apiserver applies to the built-in kinds the module writes.</summary>
internal static class BuiltinDefaults
{
    public static void Apply(ResourceType type, JsonObject obj, EmulatedCluster cluster)
    {
        if (type.IsCustom) return;
        switch (type.Group, type.Kind)
        {
            case ("", "Namespace"):
                var name = obj["metadata"]?["name"]?.GetValue<string>();
                var labels = Child(Child(obj, "metadata"), "labels");
                if (name is not null) labels["kubernetes.io/metadata.name"] = name;
                Child(obj, "spec")["finalizers"] ??= new JsonArray("kubernetes");
                Child(obj, "status")["phase"] ??= "Active";
                break;
            case ("", "Secret"):
                obj["type"] ??= "Opaque";
                if (obj["stringData"] is JsonObject stringData)
                {
                    // stringData is write-only: it is merged into data, base64-encoded.
                    var data = Child(obj, "data");
                    foreach (var (key, value) in stringData)
                        data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.ToString() ?? ""));
                    obj.Remove("stringData");
                }
                break;
            case ("", "Service"):
                var spec = Child(obj, "spec");
                spec["type"] ??= "ClusterIP";
                spec["sessionAffinity"] ??= "None";
                if (spec["type"]?.ToString() != "ExternalName")
                {
                    spec["clusterIP"] ??= cluster.AllocateClusterIp();
                    spec["clusterIPs"] ??= new JsonArray(spec["clusterIP"]!.DeepClone());
                    spec["ipFamilies"] ??= new JsonArray("IPv4");
                    spec["ipFamilyPolicy"] ??= "SingleStack";
                    spec["internalTrafficPolicy"] ??= "Cluster";
                }
                if (spec["ports"] is JsonArray ports)
                    foreach (var port in ports.OfType<JsonObject>())
                    {
                        port["protocol"] ??= "TCP";
                        port["targetPort"] ??= port["port"]?.DeepClone();
                    }
                Child(obj, "status")["loadBalancer"] ??= new JsonObject();
                break;
            case ("", "Pod"):
                if (obj["spec"] is JsonObject bareSpec) PodSpecDefaults(bareSpec);
                break;
            case ("apps", "ReplicaSet"):
                var rsSpec = Child(obj, "spec");
                rsSpec["replicas"] ??= 1;
                if (rsSpec["template"]?["spec"] is JsonObject rsPodSpec) PodSpecDefaults(rsPodSpec);
                break;
            case ("apps", "StatefulSet"):
                var stsSpec = Child(obj, "spec");
                stsSpec["replicas"] ??= 1;
                stsSpec["podManagementPolicy"] ??= "OrderedReady";
                stsSpec["revisionHistoryLimit"] ??= 10;
                stsSpec["updateStrategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 } };
                if (stsSpec["template"]?["spec"] is JsonObject stsPodSpec) PodSpecDefaults(stsPodSpec);
                break;
            case ("apps", "DaemonSet"):
                var dsSpec = Child(obj, "spec");
                dsSpec["revisionHistoryLimit"] ??= 10;
                dsSpec["updateStrategy"] ??= new JsonObject
                {
                    ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 },
                };
                if (dsSpec["template"]?["spec"] is JsonObject dsPodSpec) PodSpecDefaults(dsPodSpec);
                break;
            case ("batch", "Job"):
                JobDefaults(Child(obj, "spec"));
                break;
            case ("apps", "Deployment"):
                var dspec = Child(obj, "spec");
                dspec["replicas"] ??= 1;
                dspec["revisionHistoryLimit"] ??= 10;
                dspec["progressDeadlineSeconds"] ??= 600;
                if (dspec["strategy"] is not JsonObject strategy)
                    dspec["strategy"] = strategy = new JsonObject { ["type"] = "RollingUpdate" };
                if (strategy["type"]?.ToString() == "RollingUpdate")
                {
                    var rolling = Child(strategy, "rollingUpdate");
                    rolling["maxUnavailable"] ??= "25%";
                    rolling["maxSurge"] ??= "25%";
                }
                if (dspec["template"]?["spec"] is JsonObject podSpec) PodSpecDefaults(podSpec);
                break;
        }
    }

    private static void PodSpecDefaults(JsonObject podSpec)
    {
        podSpec["restartPolicy"] ??= "Always";
        podSpec["terminationGracePeriodSeconds"] ??= 30;
        podSpec["dnsPolicy"] ??= "ClusterFirst";
        podSpec["schedulerName"] ??= "default-scheduler";
        podSpec["securityContext"] ??= new JsonObject();
        if (podSpec["containers"] is JsonArray containers)
            foreach (var c in containers.OfType<JsonObject>())
            {
                c["terminationMessagePath"] ??= "/dev/termination-log";
                c["terminationMessagePolicy"] ??= "File";
                c["imagePullPolicy"] ??= c["image"]?.ToString()?.EndsWith(":latest", StringComparison.Ordinal) == true
                    || c["image"]?.ToString()?.Contains(':') == false ? "Always" : "IfNotPresent";
                c["resources"] ??= new JsonObject();
                if (c["ports"] is JsonArray containerPorts)
                    foreach (var p in containerPorts.OfType<JsonObject>()) p["protocol"] ??= "TCP";
            }
    }

    /// <summary>SetDefaults_Job: parallelism 1, completions 1 when neither is set, backoffLimit 6, NonIndexed.</summary>
    private static void JobDefaults(JsonObject spec)
    {
        if (spec["completions"] is null && spec["parallelism"] is null) spec["completions"] = 1;
        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        if (spec["template"]?["spec"] is JsonObject podSpec) PodSpecDefaults(podSpec);
    }

    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject child) return child;
        child = new JsonObject();
        parent[name] = child;
        return child;
    }
}

/// <summary>The validation of the built-in kinds that module code is likely to trip over.</summary>
internal static class BuiltinValidation
{
    public static void Validate(ResourceType type, JsonObject obj, string name)
    {
        if (type.IsCustom) return;
        var errors = new List<FieldError>();
        switch (type.Group, type.Kind)
        {
            case ("apps", "Deployment"):
                var spec = obj["spec"] as JsonObject;
                var selector = spec?["selector"] as JsonObject;
                var templateLabels = spec?["template"]?["metadata"]?["labels"] as JsonObject;
                if (selector is null || (selector["matchLabels"] is null && selector["matchExpressions"] is null))
                    errors.Add(new FieldError("FieldValueRequired", "spec.selector", "Required value"));
                else if (selector["matchLabels"] is JsonObject matchLabels &&
                         matchLabels.Any(kv => templateLabels?[kv.Key]?.ToString() != kv.Value?.ToString()))
                    errors.Add(new FieldError("FieldValueInvalid", "spec.template.metadata.labels",
                        $"Invalid value: {GoMap(templateLabels)}: `selector` does not match template `labels`"));
                if (spec?["template"]?["spec"]?["containers"] is not JsonArray { Count: > 0 })
                    errors.Add(new FieldError("FieldValueRequired", "spec.template.spec.containers", "Required value"));
                if (JsonNumbers.TryGetInt64(spec?["replicas"], out var count) && count < 0)
                    errors.Add(new FieldError("FieldValueInvalid", "spec.replicas", $"Invalid value: {count}: must be greater than or equal to 0"));
                break;
            case ("batch", "Job"):
                var restartPolicy = obj["spec"]?["template"]?["spec"]?["restartPolicy"]?.ToString() ?? "Always";
                if (restartPolicy is not ("OnFailure" or "Never"))
                    errors.Add(new FieldError("FieldValueNotSupported", "spec.template.spec.restartPolicy",
                        $"Unsupported value: \"{restartPolicy}\": supported values: \"OnFailure\", \"Never\""));
                break;
            case ("", "Service"):
                if (obj["spec"]?["type"]?.ToString() != "ExternalName" && obj["spec"]?["ports"] is not JsonArray { Count: > 0 })
                    errors.Add(new FieldError("FieldValueRequired", "spec.ports", "Required value"));
                break;
            case ("", "ConfigMap"):
            case ("", "Secret"):
                if (obj["data"] is JsonObject data)
                    foreach (var key in data.Select(kv => kv.Key))
                        if (!System.Text.RegularExpressions.Regex.IsMatch(key, @"^[-._a-zA-Z0-9]+$"))
                            errors.Add(new FieldError("FieldValueInvalid", $"data[{key}]",
                                $"Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
                break;
        }
        if (errors.Count > 0) throw ApiStatusException.Invalid(type, name, errors);
    }

    private static string GoMap(JsonObject? labels) =>
        labels is null ? "map[string]string(nil)"
            : "map[string]string{" + string.Join(", ", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":\"{kv.Value}\"")) + "}";
}
