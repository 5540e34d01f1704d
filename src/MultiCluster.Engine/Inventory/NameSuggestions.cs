namespace MultiCluster.Engine.Inventory;

/// <summary>"Did you mean" help: the candidates closest to a mistyped name, by edit distance.</summary>
public static class NameSuggestions
{
    /// <summary>Levenshtein distance, case-insensitive.</summary>
    public static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>
    /// Up to <paramref name="max"/> candidates near enough to <paramref name="input"/> to be what was
    /// meant (distance at most a third of the longer name, and at least 2), keeping only those at
    /// the smallest distance found.
    /// </summary>
    public static IReadOnlyList<string> Closest(string input, IEnumerable<string> candidates, int max = 3)
    {
        var near = candidates
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(candidate => (candidate, distance: Distance(input, candidate)))
            .Where(c => c.distance <= Math.Max(2, Math.Max(input.Length, c.candidate.Length) / 3))
            .ToList();
        if (near.Count == 0) return Array.Empty<string>();
        var best = near.Min(c => c.distance);
        return near.Where(c => c.distance == best)
            .OrderBy(c => c.candidate, StringComparer.OrdinalIgnoreCase)
            .Take(max)
            .Select(c => c.candidate)
            .ToList();
    }

    /// <summary>" Did you mean 'a' or 'b'?" or an empty string.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates)
    {
        var closest = Closest(input, candidates);
        return closest.Count == 0
            ? ""
            : " Did you mean " + string.Join(" or ", closest.Select(c => $"'{c}'")) + "?";
    }
}
