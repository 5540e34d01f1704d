using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Compares a live object with what a server-side dry run says it would become, field by field,
/// ignoring what the server changes on every write (managedFields, resourceVersion, generation,
/// uid, creationTimestamp) and status, which apply never sets.
/// </summary>
public static partial class ObjectDiff
{
    private static readonly string[] IgnoredMetadata = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSegment();

    public const string HiddenValue = "(hidden)";

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
        obj["kind"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && obj["kind"]!.GetValue<string>() == "Secret"
        && obj["apiVersion"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && obj["apiVersion"]!.GetValue<string>() == "v1";

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

    // spec.replicas, metadata.labels['app.kubernetes.io/name']: dots only where they cannot mislead.
    private static string Child(string path, string key)
    {
        if (PlainSegment().IsMatch(key)) return path.Length == 0 ? key : $"{path}.{key}";
        return $"{path}['{key.Replace("'", "\\'")}']";
    }
}
