using System.Collections;
using System.Globalization;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// Reads Publish-FleetWorkload -Wave as PowerShell hands it over: an ordered list whose items are
/// each one wave, given as a string of cluster names (wildcards, commas between several), a list
/// of names, or a dictionary with any of <c>Cluster</c> (names), <c>Selector</c> (a label
/// selector), <c>Region</c> (regions, wildcards) and <c>Role</c> (Workload, Management, Dr), all
/// of which a cluster must match.
/// </summary>
public static class WaveReader
{
    private static readonly string[] Keys = ["Cluster", "Selector", "Region", "Role"];

    /// <example><c>'dev-*', @('prod-use1-01'), @{ Selector = 'env=prod'; Region = 'eu-*' }, '*'</c></example>
    public static IReadOnlyList<ClusterPlacement> Read(IReadOnlyList<object?> waves)
    {
        var result = new List<ClusterPlacement>();
        for (var i = 0; i < waves.Count; i++)
        {
            var wave = waves[i] switch
            {
                string names => new ClusterPlacement { Names = Names(i, names) },
                IDictionary dictionary => FromDictionary(i, dictionary),
                IEnumerable list => new ClusterPlacement { Names = Names(i, list) },
                _ => throw Invalid(i, $"is a {waves[i]?.GetType().Name ?? "null"}; give cluster names, or a hashtable with {string.Join(", ", Keys)}."),
            };
            result.Add(wave);
        }
        return result;
    }

    private static ClusterPlacement FromDictionary(int index, IDictionary dictionary)
    {
        IReadOnlyList<string>? names = null, regions = null;
        IReadOnlyList<FleetClusterRole>? roles = null;
        string? selector = null;
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            switch (Keys.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase)))
            {
                case "Cluster": names = Names(index, entry.Value); break;
                case "Selector": selector = Text(index, key, entry.Value); break;
                case "Region": regions = Names(index, entry.Value); break;
                case "Role": roles = Names(index, entry.Value).Select(r => Role(index, r)).ToList(); break;
                default: throw Invalid(index, $"has the key '{key}'; the keys are {string.Join(", ", Keys)}.");
            }
        }
        if (names is null && selector is null && regions is null && roles is null) throw Invalid(index, "is an empty hashtable.");
        return new ClusterPlacement { Names = names, LabelSelector = selector, Regions = regions, Roles = roles };
    }

    private static IReadOnlyList<string> Names(int index, object? value)
    {
        var texts = value switch
        {
            string text => [text],
            IEnumerable items and not IDictionary => items.Cast<object?>().Select(item => item as string
                ?? throw Invalid(index, $"lists a {item?.GetType().Name ?? "null"} where a name belongs.")).ToList(),
            _ => throw Invalid(index, $"has a {value?.GetType().Name ?? "null"} where names belong."),
        };
        var names = texts.SelectMany(t => t.Split(',')).Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
        return names.Count > 0 ? names : throw Invalid(index, "names no cluster.");
    }

    private static string Text(int index, string key, object? value) =>
        value is string text && !string.IsNullOrWhiteSpace(text) ? text : throw Invalid(index, $"has a {key} that is not a non-empty string.");

    private static FleetClusterRole Role(int index, string text) =>
        Enum.TryParse<FleetClusterRole>(text, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw Invalid(index, $"has the role '{text}'; roles are {string.Join(", ", Enum.GetNames<FleetClusterRole>())}.");

    private static FleetInputException Invalid(int index, string problem) =>
        new(FederationErrorIds.WaveInvalid, FleetErrorCategory.InvalidArgument, $"wave {index + 1}", $"Wave {index + 1} {problem}",
            recommendedAction: "Give -Wave as ordered groups: 'dev-*', @('a','b'), or @{ Selector = 'env=prod'; Region = 'eu-*' }.");
}
