using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>The RFC 6902 operations an override may use.</summary>
public enum OverrideOp
{
    Add,
    Replace,
    Remove,
}

/// <summary>One JSON-pointer operation on a cluster's copy of the template.</summary>
public sealed record OverrideOperation(OverrideOp Op, string Path, JsonNode? Value = null)
{
    public override string ToString() => $"{Op.ToString().ToLowerInvariant()} {Path}";

    /// <summary>Reads "add", "replace" or "remove" (any case); null or empty is replace, KubeFed's default.</summary>
    public static OverrideOp? ParseOp(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "replace" => OverrideOp.Replace,
        "add" => OverrideOp.Add,
        "remove" => OverrideOp.Remove,
        _ => null,
    };
}

/// <summary>
/// The operations for the clusters a name or wildcard pattern (<c>prod-*</c>) picks, applied in
/// order to that cluster's copy of the template, with the patch semantics of <see cref="Mode"/>.
/// </summary>
public sealed record ClusterOverride(string Cluster, IReadOnlyList<OverrideOperation> Operations, FleetOverrideMode Mode = FleetOverrideMode.Strict);

/// <summary>
/// Reads overrides as PowerShell hands them over: a dictionary from cluster name (wildcards allowed)
/// to either a dictionary of path to value (each a replace, as in KubeFed), one dictionary with
/// <c>op</c>, <c>path</c> and <c>value</c>, or a list of those. When several entries match a
/// cluster they apply in the dictionary's order (use <c>[ordered]</c> where that matters).
/// </summary>
public static class WorkloadOverrideReader
{
    /// <example><c>@{ 'prod-use1' = @{ '/spec/replicas' = 5 }; 'dev-*' = @(@{ op = 'add'; path = '/spec/template/spec/containers/0/env'; value = @() }) }</c></example>
    /// <param name="mode">Strict RFC 6902 unless the caller asks for KubeFed's semantics (-OverrideMode KubeFed).</param>
    public static IReadOnlyList<ClusterOverride> Read(IDictionary? overrides, FleetOverrideMode mode = FleetOverrideMode.Strict)
    {
        var result = new List<ClusterOverride>();
        if (overrides is null) return result;
        foreach (DictionaryEntry entry in overrides)
        {
            var cluster = Convert.ToString(entry.Key, CultureInfo.InvariantCulture)?.Trim() ?? "";
            if (cluster.Length == 0) throw Invalid("(override)", "An override names no cluster.");
            result.Add(new ClusterOverride(cluster, ReadOperations(cluster, entry.Value), mode));
        }
        return result;
    }

    private static List<OverrideOperation> ReadOperations(string cluster, object? value)
    {
        var operations = new List<OverrideOperation>();
        switch (value)
        {
            case IDictionary map when IsOperation(map):
                operations.Add(ReadOperation(cluster, map));
                break;
            case IDictionary map:
                foreach (DictionaryEntry pair in map)
                {
                    var path = Convert.ToString(pair.Key, CultureInfo.InvariantCulture) ?? "";
                    operations.Add(new OverrideOperation(OverrideOp.Replace, path, ObjectTree.ToJson(pair.Value)));
                }
                break;
            case IEnumerable list and not string:
                foreach (var item in list)
                {
                    if (item is not IDictionary operation || !IsOperation(operation))
                        throw Invalid(cluster, $"The override for cluster '{cluster}' has an item that is not a dictionary with op, path and value.");
                    operations.Add(ReadOperation(cluster, operation));
                }
                break;
            default:
                throw Invalid(cluster, $"The override for cluster '{cluster}' must be a dictionary of path = value, or a list of @{{ op; path; value }}.");
        }
        return operations;
    }

    private static bool IsOperation(IDictionary map) => Field(map, "path").Found;

    private static OverrideOperation ReadOperation(string cluster, IDictionary map)
    {
        var opText = Convert.ToString(Field(map, "op").Value, CultureInfo.InvariantCulture);
        var op = OverrideOperation.ParseOp(opText)
                 ?? throw Invalid(cluster, $"The override for cluster '{cluster}' has the unknown op '{opText}'; use add, replace or remove.");
        var path = Convert.ToString(Field(map, "path").Value, CultureInfo.InvariantCulture) ?? "";
        return new OverrideOperation(op, path, ObjectTree.ToJson(Field(map, "value").Value));
    }

    // PowerShell's hashtables ignore case; other dictionaries may not, so look keys up without it.
    private static (bool Found, object? Value) Field(IDictionary map, string name)
    {
        foreach (DictionaryEntry entry in map)
        {
            if (string.Equals(Convert.ToString(entry.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase)) return (true, entry.Value);
        }
        return (false, null);
    }

    internal static FleetInputException Invalid(string target, string message) =>
        new(FederationErrorIds.OverrideInvalid, FleetErrorCategory.InvalidArgument, target, message,
            recommendedAction: "Give overrides as @{ 'cluster' = @{ '/json/pointer' = value } } or @{ 'cluster' = @(@{ op = 'add'; path = '/json/pointer'; value = ... }) }.");
}
