using System.Text;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Observability.Monitoring;

/// <summary>
/// Checks a <c>match[]</c> value as Prometheus's /federate parses it: an instant-vector selector
/// (<c>up</c>, <c>{job="api"}</c>, <c>http_requests_total{code=~"5.."}</c>) and nothing else (no
/// range, offset, @ or operator), with a metric name or at least one matcher that does not match
/// the empty string (Prometheus refuses <c>{job=~".*"}</c>). Regular expressions are checked with
/// .NET's engine, close to RE2 for what selectors use.
/// </summary>
public static class InstantVectorSelector
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "bool", "on", "ignoring", "group_left", "group_right" };

    /// <summary>Why <paramref name="selector"/> is not an instant-vector selector, or null when it is.</summary>
    public static string? Problem(string selector)
    {
        var reader = new Reader(selector);
        try
        {
            return reader.Selector();
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private sealed class Reader(string text)
    {
        private int _at;

        public string? Selector()
        {
            SkipSpace();
            var hasName = false;
            if (_at < text.Length && IsNameStart(text[_at], metric: true))
            {
                var name = Identifier(metric: true);
                if (Keywords.Contains(name)) return $"'{name}' is a PromQL keyword, not a metric name; write {{__name__=\"{name}\"}}";
                hasName = true;
                SkipSpace();
            }
            var nonEmptyMatcher = false;
            if (_at < text.Length && text[_at] == '{')
            {
                _at++;
                SkipSpace();
                while (_at < text.Length && text[_at] != '}')
                {
                    var (isName, matchesNonEmpty) = Matcher();
                    hasName |= isName;
                    nonEmptyMatcher |= matchesNonEmpty;
                    SkipSpace();
                    if (_at < text.Length && text[_at] == ',') { _at++; SkipSpace(); continue; }
                    if (_at >= text.Length || text[_at] != '}') throw Unexpected("',' or '}'");
                }
                if (_at >= text.Length) throw Unexpected("'}'");
                _at++;
                SkipSpace();
            }
            else if (!hasName)
            {
                throw Unexpected("a metric name or '{'");
            }
            if (_at < text.Length)
            {
                return text[_at] == '['
                    ? $"'{text[_at..]}' makes it a range vector; /federate takes instant-vector selectors only"
                    : $"unexpected '{text[_at..]}' after the selector at position {_at + 1}: /federate takes a selector only, without offset, @, functions or operators";
            }
            if (!hasName && !nonEmptyMatcher)
                return "it has no metric name and every matcher matches the empty string, which selects every series (Prometheus refuses it); use for example {job=~\".+\"}";
            return null;
        }

        // label op "value"; or a lone quoted string, the metric name in Prometheus 3's quoted form.
        private (bool IsName, bool MatchesNonEmpty) Matcher()
        {
            string label;
            if (_at < text.Length && text[_at] is '"' or '\'' or '`')
            {
                label = StringLiteral();
                SkipSpace();
                if (_at < text.Length && text[_at] is ',' or '}') return (true, true);
            }
            else
            {
                if (_at >= text.Length || !IsNameStart(text[_at], metric: false)) throw Unexpected("a label name");
                label = Identifier(metric: false);
                SkipSpace();
            }
            string op;
            if (Next("=~")) op = "=~";
            else if (Next("!~")) op = "!~";
            else if (Next("!=")) op = "!=";
            else if (Next("=")) op = "=";
            else throw Unexpected($"a matcher operator (=, !=, =~, !~) after '{label}'");
            SkipSpace();
            if (_at >= text.Length || text[_at] is not ('"' or '\'' or '`')) throw Unexpected($"a quoted value after '{label}{op}'");
            var value = StringLiteral();
            bool matchesEmpty;
            switch (op)
            {
                case "=": matchesEmpty = value.Length == 0; break;
                case "!=": matchesEmpty = value.Length != 0; break;
                default:
                    Regex regex;
                    try
                    {
                        regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                    }
                    catch (ArgumentException ex)
                    {
                        throw new FormatException($"the regular expression \"{value}\" of '{label}' does not parse: {ex.Message}");
                    }
                    var regexMatchesEmpty = regex.IsMatch("");
                    matchesEmpty = op == "=~" ? regexMatchesEmpty : !regexMatchesEmpty;
                    break;
            }
            return (label == "__name__" && op == "=" && value.Length > 0, !matchesEmpty);
        }

        private string StringLiteral()
        {
            var quote = text[_at++];
            var value = new StringBuilder();
            while (_at < text.Length && text[_at] != quote)
            {
                var c = text[_at++];
                if (c == '\\' && quote != '`')
                {
                    if (_at >= text.Length) break;
                    var escaped = text[_at++];
                    value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
                    continue;
                }
                if (c == '\n' && quote != '`') throw new FormatException($"a line break inside the string at position {_at}");
                value.Append(c);
            }
            if (_at >= text.Length) throw new FormatException($"the string starting at position {_at - value.Length} is not closed with {quote}");
            _at++;
            return value.ToString();
        }

        private string Identifier(bool metric)
        {
            var start = _at;
            while (_at < text.Length && (IsNameStart(text[_at], metric) || char.IsAsciiDigit(text[_at]))) _at++;
            return text[start.._at];
        }

        private static bool IsNameStart(char c, bool metric) => char.IsAsciiLetter(c) || c == '_' || (metric && c == ':');

        private bool Next(string token)
        {
            if (string.CompareOrdinal(text, _at, token, 0, token.Length) != 0) return false;
            _at += token.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
        }

        private FormatException Unexpected(string expected) => new(_at >= text.Length
            ? $"it ends where {expected} is expected"
            : $"'{text[_at]}' at position {_at + 1} where {expected} is expected");
    }
}
