using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// RFC 6901 JSON pointers (<c>/spec/template/spec/containers/0/env</c>, <c>~1</c> for '/' and
/// <c>~0</c> for '~' inside a token) and the RFC 6902 add, replace and remove operations on them.
/// </summary>
public static class JsonPointer
{
    /// <summary>The unescaped tokens of <paramref name="pointer"/>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static IReadOnlyList<string> Parse(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new FormatException($"a JSON pointer starts with '/' (got '{pointer}')");
        var tokens = new List<string>();
        foreach (var raw in pointer[1..].Split('/'))
        {
            for (var i = raw.IndexOf('~'); i >= 0; i = raw.IndexOf('~', i + 1))
            {
                if (i + 1 >= raw.Length || raw[i + 1] is not ('0' or '1'))
                    throw new FormatException($"'~' must be followed by 0 or 1 in '{raw}' (write ~0 for '~' and ~1 for '/')");
            }
            // RFC 6901 section 4: ~1 first, then ~0, so "~01" stays "~1".
            tokens.Add(raw.Replace("~1", "/").Replace("~0", "~"));
        }
        return tokens;
    }

    /// <summary>Escapes one token: '~' as <c>~0</c>, '/' as <c>~1</c>.</summary>
    public static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");

    public static string Format(IEnumerable<string> tokens) => string.Concat(tokens.Select(t => "/" + Escape(t)));

    /// <summary>
    /// Applies one operation to <paramref name="root"/> in place. Throws <see cref="JsonPointerException"/>
    /// when the path does not exist (replace, remove, or add's parent), or an index is out of range.
    /// In <see cref="FleetOverrideMode.KubeFed"/> mode a replace of an absent object member adds it,
    /// as evanphx/json-patch v4 did; the result is true exactly then, so callers can say so.
    /// </summary>
    public static bool Apply(JsonObject root, OverrideOp op, string pointer, JsonNode? value, FleetOverrideMode mode = FleetOverrideMode.Strict)
    {
        var tokens = Parse(pointer);
        if (tokens.Count == 0) throw new JsonPointerException("the whole object cannot be overridden; name a field under it");

        JsonNode parent = root;
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            parent = Child(parent, tokens[i]) ?? throw new JsonPointerException(
                $"{Format(tokens.Take(i + 1))} does not exist{(op == OverrideOp.Add ? " (add creates only the last field of a path)" : "")}");
        }

        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject map:
                var absent = !map.ContainsKey(last);
                var addsAbsent = absent && op == OverrideOp.Replace && mode == FleetOverrideMode.KubeFed;
                if (op != OverrideOp.Add && absent && !addsAbsent) throw new JsonPointerException($"{pointer} does not exist");
                if (op == OverrideOp.Remove) map.Remove(last);
                else map[last] = value?.DeepClone();
                return addsAbsent;
            case JsonArray list:
                ApplyToArray(list, op, last, pointer, value);
                return false;
            default:
                throw new JsonPointerException($"{Format(tokens.Take(tokens.Count - 1))} is a value, not an object or a list");
        }
    }

    private static void ApplyToArray(JsonArray list, OverrideOp op, string token, string pointer, JsonNode? value)
    {
        if (token == "-")
        {
            if (op != OverrideOp.Add) throw new JsonPointerException($"'-' (past the end of the list) works only with add, in {pointer}");
            list.Add(value?.DeepClone());
            return;
        }
        var index = ParseIndex(token) ?? throw new JsonPointerException($"'{token}' is not a list index in {pointer}");
        var limit = op == OverrideOp.Add ? list.Count : list.Count - 1;
        if (index > limit)
        {
            throw new JsonPointerException(list.Count == 0
                ? $"{pointer} does not exist: the list is empty"
                : $"{pointer} does not exist: the list has {list.Count} item{(list.Count == 1 ? "" : "s")}");
        }
        switch (op)
        {
            case OverrideOp.Add:
                list.Insert(index, value?.DeepClone());
                break;
            case OverrideOp.Replace:
                list[index] = value?.DeepClone();
                break;
            default:
                list.RemoveAt(index);
                break;
        }
    }

    private static JsonNode? Child(JsonNode parent, string token) => parent switch
    {
        JsonObject map => map.TryGetPropertyValue(token, out var child) ? child : null,
        JsonArray list => ParseIndex(token) is { } index && index < list.Count ? list[index] : null,
        _ => null,
    };

    // RFC 6901: an index is "0" or digits without a leading zero.
    private static int? ParseIndex(string token)
    {
        if (token.Length == 0 || token.Length > 9 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit)) return null;
        return int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A JSON pointer operation that does not fit the document it is applied to.</summary>
public sealed class JsonPointerException(string message) : Exception(message);
