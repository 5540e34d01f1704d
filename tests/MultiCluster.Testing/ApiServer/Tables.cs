using System.Globalization;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// meta.k8s.io/v1 Table answers for <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>,
/// with the columns kubectl shows for the built-in kinds and a CRD's additionalPrinterColumns.
/// </summary>
internal static class Tables
{
    // Priority 1 columns are the ones kubectl shows only with -o wide; the server always sends them.
    private sealed record Column(string Name, string Type, string Format, Func<JsonObject, JsonNode?> Cell, int Priority = 0);

    public static bool Wanted(string? accept) =>
        accept is not null && accept.Split(',').FirstOrDefault()?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject For(ResourceType type, string version, IEnumerable<JsonObject> objects, JsonObject listMetadata,
        DateTimeOffset now, JsonObject? crd)
    {
        var columns = Columns(type, version, now, crd);
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var meta = obj["metadata"]?.DeepClone();
            rows.Add(new JsonObject
            {
                ["cells"] = new JsonArray(columns.Select(c => c.Cell(obj)?.DeepClone()).ToArray()),
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = meta,
                },
            });
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata.DeepClone(),
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = "", ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = rows,
        };
    }

    private static string Str(JsonNode? n) => n?.ToString() ?? "";

    // rbac's SubjectsStrings: names by kind, service accounts as NAMESPACE/NAME, joined with ", ".
    private static string SubjectNames(JsonObject binding, string kind) =>
        string.Join(", ", (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Where(s => Str(s["kind"]) == kind)
            .Select(s => kind == "ServiceAccount" ? $"{Str(s["namespace"])}/{Str(s["name"])}" : Str(s["name"])));

    private static IEnumerable<JsonNode?> Containers(JsonObject o) =>
        o["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];

    // metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key, matchLabels as key=value.
    private static string SelectorText(JsonNode? selector)
    {
        var requirements = new List<(string Key, string Text)>();
        foreach (var (key, value) in selector?["matchLabels"] as JsonObject ?? [])
            requirements.Add((key, $"{key}={Str(value)}"));
        foreach (var expression in selector?["matchExpressions"] as JsonArray ?? [])
        {
            var key = Str(expression?["key"]);
            var values = string.Join(",", (expression?["values"] as JsonArray ?? []).Select(Str).Order(StringComparer.Ordinal));
            requirements.Add((key, Str(expression?["operator"]) switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "DoesNotExist" => $"!{key}",
                _ => key,
            }));
        }
        return string.Join(",", requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    private static List<Column> Columns(ResourceType type, string version, DateTimeOffset now, JsonObject? crd)
    {
        var name = new Column("Name", "string", "name", o => o["metadata"]?["name"]?.DeepClone());
        var age = new Column("Age", "string", "", o => Age(o, now));
        switch (type.Group, type.Kind)
        {
            case ("", "Namespace"):
                return [name, new("Status", "string", "", o => Str(o["status"]?["phase"])), age];
            case ("", "ConfigMap"):
                return [name, new("Data", "integer", "", o => ((o["data"] as JsonObject)?.Count ?? 0) + ((o["binaryData"] as JsonObject)?.Count ?? 0)), age];
            case ("", "Secret"):
                return [name, new("Type", "string", "", o => Str(o["type"])), new("Data", "integer", "", o => (o["data"] as JsonObject)?.Count ?? 0), age];
            case ("", "Service"):
                return
                [
                    name, new("Type", "string", "", o => Str(o["spec"]?["type"])),
                    new("Cluster-IP", "string", "", o => Str(o["spec"]?["clusterIP"]) is { Length: > 0 } ip ? ip : "<none>"),
                    new("External-IP", "string", "", o => o["spec"]?["externalIPs"] is JsonArray { Count: > 0 } ips ? string.Join(",", ips) : "<none>"),
                    // printers.go makePortString: PORT/PROTOCOL, or PORT:NODEPORT/PROTOCOL when a node port is set.
                    new("Port(s)", "string", "", o => o["spec"]?["ports"] is JsonArray { Count: > 0 } ports
                        ? string.Join(",", ports.OfType<JsonObject>().Select(p => JsonNumbers.TryGetInt64(p["nodePort"], out var nodePort) && nodePort > 0
                            ? $"{p["port"]}:{nodePort}/{p["protocol"] ?? "TCP"}" : $"{p["port"]}/{p["protocol"] ?? "TCP"}")) : "<none>"),
                    age,
                    new("Selector", "string", "", o => o["spec"]?["selector"] is JsonObject { Count: > 0 } selector
                        ? string.Join(",", selector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Str(p.Value)}")) : "<none>", Priority: 1),
                ];
            case ("rbac.authorization.k8s.io", "RoleBinding"):
            case ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
                // printers.go printRoleBinding / printClusterRoleBinding.
                return
                [
                    name,
                    new("Role", "string", "", o => $"{Str(o["roleRef"]?["kind"])}/{Str(o["roleRef"]?["name"])}"),
                    age,
                    new("Users", "string", "", o => SubjectNames(o, "User"), Priority: 1),
                    new("Groups", "string", "", o => SubjectNames(o, "Group"), Priority: 1),
                    new("ServiceAccounts", "string", "", o => SubjectNames(o, "ServiceAccount"), Priority: 1),
                ];
            case ("apps", "Deployment"):
                long Num(JsonNode? n) => JsonNumbers.TryGetInt64(n, out var v) ? v : 0;
                return
                [
                    name,
                    new("Ready", "string", "", o => $"{Num(o["status"]?["readyReplicas"])}/{Num(o["spec"]?["replicas"])}"),
                    new("Up-to-date", "integer", "", o => Num(o["status"]?["updatedReplicas"])),
                    new("Available", "integer", "", o => Num(o["status"]?["availableReplicas"])),
                    age,
                    // pkg/printers/internalversion/printers.go printDeployment's wide columns.
                    new("Containers", "string", "", o => string.Join(",", Containers(o).Select(c => Str(c?["name"]))), Priority: 1),
                    new("Images", "string", "", o => string.Join(",", Containers(o).Select(c => Str(c?["image"]))), Priority: 1),
                    new("Selector", "string", "", o => SelectorText(o["spec"]?["selector"]), Priority: 1),
                ];
            case ("", "Pod"):
                return
                [
                    name,
                    new("Ready", "string", "", o => $"{CountReady(o)}/{(o["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
                    new("Status", "string", "", PodStatusText),
                    new("Restarts", "string", "", o => "0"),
                    age,
                ];
            case ("apps", "ReplicaSet"):
                return
                [
                    name, new("Desired", "integer", "", o => Number(o["spec"]?["replicas"])),
                    new("Current", "integer", "", o => Number(o["status"]?["replicas"])),
                    new("Ready", "integer", "", o => Number(o["status"]?["readyReplicas"])), age,
                ];
            case ("apps", "StatefulSet"):
                return [name, new("Ready", "string", "", o => $"{Number(o["status"]?["readyReplicas"])}/{Number(o["spec"]?["replicas"])}"), age];
            case ("apps", "DaemonSet"):
                return
                [
                    name, new("Desired", "integer", "", o => Number(o["status"]?["desiredNumberScheduled"])),
                    new("Current", "integer", "", o => Number(o["status"]?["currentNumberScheduled"])),
                    new("Ready", "integer", "", o => Number(o["status"]?["numberReady"])),
                    new("Up-to-date", "integer", "", o => Number(o["status"]?["updatedNumberScheduled"])),
                    new("Available", "integer", "", o => Number(o["status"]?["numberAvailable"])), age,
                ];
            case ("batch", "Job"):
                return
                [
                    name, new("Status", "string", "", JobStatusText),
                    new("Completions", "string", "", o => $"{Number(o["status"]?["succeeded"])}/{Number(o["spec"]?["completions"])}"), age,
                ];
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                return [name, new("Created At", "date", "", o => o["metadata"]?["creationTimestamp"]?.DeepClone())];
        }
        if (type.IsCustom && crd is not null)
        {
            var versionEntry = (crd["spec"]?["versions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(v => v["name"]?.ToString() == version);
            if (versionEntry?["additionalPrinterColumns"] is JsonArray { Count: > 0 } printerColumns)
            {
                var columns = new List<Column> { name };
                foreach (var column in printerColumns.OfType<JsonObject>())
                {
                    var path = column["jsonPath"]?.ToString() ?? "";
                    var columnType = column["type"]?.ToString() ?? "string";
                    columns.Add(path == ".metadata.creationTimestamp"
                        ? new Column(column["name"]?.ToString() ?? "", "string", "", o => Age(o, now))
                        : new Column(column["name"]?.ToString() ?? "", columnType, column["format"]?.ToString() ?? "",
                            o => JsonPath.Get(o, path) is JsonValue v ? v.DeepClone() : null));
                }
                return columns;
            }
        }
        return [name, age];
    }

    private static long Number(JsonNode? n) => JsonNumbers.TryGetInt64(n, out var v) ? v : 0;

    private static int CountReady(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().Count(c => c["ready"]?.GetValue<bool>() == true) ?? 0;

    // kubectl's pod STATUS: a waiting container's reason (ErrImagePull, ContainerCreating ...), else a finished one's, else the phase.
    private static JsonNode? PodStatusText(JsonObject pod)
    {
        if (pod["metadata"]?["deletionTimestamp"] is not null) return "Terminating";
        foreach (var container in (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (container["state"]?["waiting"]?["reason"]?.ToString() is { Length: > 0 } waiting) return waiting;
            if (container["state"]?["terminated"]?["reason"]?.ToString() is { Length: > 0 } terminated) return terminated;
        }
        return pod["status"]?["phase"]?.ToString() ?? "Pending";
    }

    // kubectl 1.32's job STATUS column: Complete, Failed, Suspended or Running.
    private static JsonNode? JobStatusText(JsonObject job)
    {
        var conditions = (job["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().Where(c => c["status"]?.ToString() == "True")
            .Select(c => c["type"]?.ToString()).ToList() ?? [];
        return conditions.Contains("Complete") ? "Complete" : conditions.Contains("Failed") ? "Failed"
            : conditions.Contains("Suspended") ? "Suspended" : "Running";
    }

    private static JsonNode Age(JsonObject obj, DateTimeOffset now)
    {
        var created = obj["metadata"]?["creationTimestamp"]?.ToString();
        if (created is null || !DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return "<unknown>";
        return HumanDuration(now - at);
    }

    /// <summary>apimachinery's duration.HumanDuration, which kubectl's AGE column shows.</summary>
    internal static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 120) return $"{seconds}s";
        var minutes = (long)d.TotalMinutes;
        if (minutes < 10) return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        if (minutes < 180) return $"{minutes}m";
        var hours = (long)d.TotalHours;
        if (hours < 8) return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8) return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8) return (hours / 24) % 365 == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{(hours / 24) % 365}d";
        return $"{hours / 24 / 365}y";
    }
}
