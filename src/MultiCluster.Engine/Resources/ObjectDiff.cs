using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Compares a live object with what a server-side dry run says it would become, field by field,
/// ignoring what the server changes on every write (managedFields, resourceVersion, generation,
/// uid, creationTimestamp) and status, which apply never sets. Lists Kubernetes merges by key
/// (containers by name, volumeMounts by mountPath, ports by port and protocol ...) are compared
/// item by key, so a container inserted in the middle is one added item at
/// <c>containers[name=sidecar]</c>, not every later container changed; a new order of the same
/// items is one change at <c>containers (order)</c>. Other lists are compared by position.
/// </summary>
public static partial class ObjectDiff
{
    private static readonly string[] IgnoredMetadata = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSegment();

    public const string HiddenValue = "(hidden)";

    /// <summary>The suffix of the path that reports a keyed list whose items changed order.</summary>
    public const string OrderSuffix = " (order)";

    // The merge keys of the built-in types' lists (their patchMergeKey, with the extra
    // x-kubernetes-list-map-keys where the server keys by more than one field), by field name:
    // the engine reads no OpenAPI documents, and these names mean the same list wherever they
    // appear. A field with several candidates takes the first whose key fields every item has
    // (container ports have containerPort, Service ports have port). A key field with a default
    // counts as that value when an item leaves it out, as the server does.
    private static readonly Dictionary<string, ListKey[][]> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = [[new("name")]],
        ["initContainers"] = [[new("name")]],
        ["ephemeralContainers"] = [[new("name")]],
        ["env"] = [[new("name")]],
        ["volumes"] = [[new("name")]],
        ["volumeMounts"] = [[new("mountPath")]],
        ["volumeDevices"] = [[new("devicePath")]],
        ["ports"] = [[new("containerPort"), new("protocol", "TCP")], [new("port"), new("protocol", "TCP")]],
        ["imagePullSecrets"] = [[new("name")]],
        ["hostAliases"] = [[new("ip")]],
        ["resourceClaims"] = [[new("name")]],
        ["schedulingGates"] = [[new("name")]],
        ["readinessGates"] = [[new("conditionType")]],
        ["resizePolicy"] = [[new("resourceName")]],
        ["topologySpreadConstraints"] = [[new("topologyKey"), new("whenUnsatisfiable")]],
        ["ownerReferences"] = [[new("uid")]],
        ["conditions"] = [[new("type")]],
        ["webhooks"] = [[new("name")]],
    };

    private sealed record ListKey(string Field, string? Default = null);

    /// <param name="hideValues">
    /// For Secrets: report which keys under data and stringData change, never their values.
    /// </param>
    public static IReadOnlyList<FleetFieldChange> Compare(JsonObject? before, JsonObject after, bool hideValues = false)
    {
        var changes = new List<FleetFieldChange>();
        CompareNodes("", Normalize(before), Normalize(after), changes);
        if (!hideValues && !IsSecret(after)) return changes;
        return changes.Select(c => IsSecretValue(c.Path)
            ? new FleetFieldChange { Path = c.Path, Before = c.Before is null ? null : HiddenValue, After = c.After is null ? null : HiddenValue }
            : c).ToList();
    }

    private static bool IsSecretValue(string path) =>
        new[] { "data", "stringData" }.Any(field => path == field || path.StartsWith(field + ".", StringComparison.Ordinal)
                                                    || path.StartsWith(field + "[", StringComparison.Ordinal));

    // A v1 Secret's values never reach the pipeline or a log through a diff, whoever asks; its paths may.
    private static bool IsSecret(JsonObject obj) =>
        obj["kind"]?.GetValueKind() == JsonValueKind.String && obj["kind"]!.GetValue<string>() == "Secret"
        && obj["apiVersion"]?.GetValueKind() == JsonValueKind.String && obj["apiVersion"]!.GetValue<string>() == "v1";

    private static JsonObject? Normalize(JsonObject? source)
    {
        if (source is null) return null;
        var copy = (JsonObject)source.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var field in IgnoredMetadata) metadata.Remove(field);
        }
        return copy;
    }

    private static void CompareNodes(string path, JsonNode? before, JsonNode? after, List<FleetFieldChange> changes)
    {
        if (before is JsonObject beforeMap && after is JsonObject afterMap)
        {
            foreach (var (key, value) in beforeMap)
            {
                CompareNodes(Child(path, key), value, afterMap.TryGetPropertyValue(key, out var next) ? next : null, changes);
            }
            foreach (var (key, value) in afterMap)
            {
                if (!beforeMap.ContainsKey(key)) CompareNodes(Child(path, key), null, value, changes);
            }
            return;
        }
        if (before is JsonArray beforeList && after is JsonArray afterList)
        {
            if (KeysOf(path, beforeList, afterList) is { } keyed)
            {
                CompareKeyed(path, keyed.Before, keyed.After, changes);
                return;
            }
            var count = Math.Max(beforeList.Count, afterList.Count);
            for (var i = 0; i < count; i++)
            {
                CompareNodes($"{path}[{i}]", i < beforeList.Count ? beforeList[i] : null, i < afterList.Count ? afterList[i] : null, changes);
            }
            return;
        }
        if (JsonNode.DeepEquals(before, after)) return;
        changes.Add(new FleetFieldChange
        {
            Path = path.Length == 0 ? "." : path,
            Before = ObjectTree.FromJson(before),
            After = ObjectTree.FromJson(after),
        });
    }

    // Items matched by key: changed and removed ones in the old order, then the added ones.
    private static void CompareKeyed(string path, List<(string Key, JsonNode Item)> before, List<(string Key, JsonNode Item)> after,
        List<FleetFieldChange> changes)
    {
        var afterByKey = after.ToDictionary(a => a.Key, a => a.Item, StringComparer.Ordinal);
        var beforeKeys = before.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, item) in before)
            CompareNodes($"{path}[{key}]", item, afterByKey.GetValueOrDefault(key), changes);
        foreach (var (key, item) in after.Where(a => !beforeKeys.Contains(a.Key)))
            CompareNodes($"{path}[{key}]", null, item, changes);

        var keptBefore = before.Select(b => b.Key).Where(afterByKey.ContainsKey).ToList();
        var keptAfter = after.Select(a => a.Key).Where(beforeKeys.Contains).ToList();
        if (!keptBefore.SequenceEqual(keptAfter, StringComparer.Ordinal))
            changes.Add(new FleetFieldChange { Path = path + OrderSuffix, Before = string.Join(", ", keptBefore), After = string.Join(", ", keptAfter) });
    }

    // Both lists keyed by the field's merge key ("name=web"), or null when the field has none or
    // an item lacks it or repeats it (then position is all there is to go by).
    private static (List<(string Key, JsonNode Item)> Before, List<(string Key, JsonNode Item)> After)? KeysOf(
        string path, JsonArray before, JsonArray after)
    {
        var field = path[(path.LastIndexOfAny(['.', ']']) + 1)..];
        if (!MergeKeys.TryGetValue(field, out var candidates)) return null;
        foreach (var keyFields in candidates)
        {
            if (Keyed(before, keyFields) is { } keyedBefore && Keyed(after, keyFields) is { } keyedAfter)
                return (keyedBefore, keyedAfter);
        }
        return null;
    }

    private static List<(string Key, JsonNode Item)>? Keyed(JsonArray list, ListKey[] keyFields)
    {
        var keyed = new List<(string, JsonNode)>(list.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (item is not JsonObject map) return null;
            var parts = new List<string>(keyFields.Length);
            foreach (var keyField in keyFields)
            {
                var value = map[keyField.Field] switch
                {
                    JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>(),
                    JsonValue scalar => scalar.ToJsonString(),
                    _ => keyField.Default,
                };
                if (value is null) return null;
                parts.Add($"{keyField.Field}={value}");
            }
            var key = string.Join(",", parts);
            if (!seen.Add(key)) return null;
            keyed.Add((key, map));
        }
        return keyed;
    }

    // spec.replicas, metadata.labels['app.kubernetes.io/name']: dots only where they cannot mislead.
    private static string Child(string path, string key)
    {
        if (PlainSegment().IsMatch(key)) return path.Length == 0 ? key : $"{path}.{key}";
        return $"{path}['{key.Replace("'", "\\'")}']";
    }
}
