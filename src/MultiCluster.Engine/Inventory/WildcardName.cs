using System.Text;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// A name pattern with PowerShell's wildcards: <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-c]</c>, and a
/// backtick to escape the next character. Case-insensitive.
/// </summary>
public sealed class WildcardName
{
    // Null for a plain name (no wildcard, no escape), which compares as a string: piping 500 clusters
    // into a cmdlet makes 500 names, and a regex each cost more than the whole selection.
    private readonly Regex? _regex;

    public WildcardName(string pattern)
    {
        Pattern = pattern;
        HasWildcards = ContainsWildcards(pattern);
        if (HasWildcards || pattern.Contains('`'))
            _regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }
    public bool HasWildcards { get; }

    /// <summary>True when the pattern is a name as written: no wildcards and no escapes.</summary>
    public bool IsPlainName => _regex is null;

    public bool IsMatch(string name) => _regex?.IsMatch(name) ?? string.Equals(Pattern, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the pattern matches the cluster's name or one of its aliases.</summary>
    public bool IsMatch(FleetCluster cluster)
    {
        if (IsMatch(cluster.Name)) return true;
        foreach (var alias in cluster.Aliases)
            if (IsMatch(alias)) return true;
        return false;
    }

    public override string ToString() => Pattern;

    /// <summary>The pattern with escapes removed: the literal name a pattern without wildcards stands for.</summary>
    public string Literal
    {
        get
        {
            // As PowerShell unescapes: a backtick stands for the character after it, and for itself at the end.
            var literal = new StringBuilder(Pattern.Length);
            for (var i = 0; i < Pattern.Length; i++)
            {
                if (Pattern[i] == '`' && i + 1 < Pattern.Length) i++;
                literal.Append(Pattern[i]);
            }
            return literal.ToString();
        }
    }

    public static bool ContainsWildcards(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '`') { i++; continue; }
            if (pattern[i] is '*' or '?' or '[') return true;
        }
        return false;
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }
                    var set = pattern[(i + 1)..close];
                    regex.Append('[').Append(set.Replace(@"\", @"\\").Replace("^", @"\^")).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return regex.Append('$').ToString();
    }
}
