using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema.Cel;

/// <summary>A CEL duration, held in nanoseconds as Go's time.Duration.</summary>
public readonly record struct CelDuration(long Nanoseconds) : IComparable<CelDuration>
{
    public int CompareTo(CelDuration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>CEL's string(duration): seconds with the fraction needed, e.g. <c>90s</c>, <c>0.001s</c>.</summary>
    public override string ToString() =>
        (Nanoseconds / 1e9).ToString("0.#########", CultureInfo.InvariantCulture) + "s";
}

/// <summary>An optional value (<c>oldSelf</c> of a rule with <c>optionalOldSelf: true</c>).</summary>
public sealed record CelOptional(bool HasValue, object? Value)
{
    public static readonly CelOptional None = new(false, null);
}

/// <summary>
/// CEL values as the evaluator holds them: null, bool, long (int), ulong (uint), double, string,
/// <see cref="CelDuration"/>, <see cref="DateTimeOffset"/> (timestamp), <c>IReadOnlyList&lt;object?&gt;</c>
/// (list), <c>IReadOnlyDictionary&lt;object, object?&gt;</c> (map, and objects with their fields),
/// and <see cref="CelOptional"/>.
/// </summary>
public static class CelValues
{
    /// <summary>
    /// Converts a JSON value as kube-apiserver converts unstructured data under a structural schema:
    /// number fields are doubles, integer fields ints, strings of format duration and date-time are
    /// durations and timestamps; absent fields are absent (so <c>has()</c> and "no such key" work).
    /// At a resource root only apiVersion, kind and metadata.name/generateName of the metadata are visible.
    /// </summary>
    public static object? FromJson(JsonNode? node, StructuralSchemaNode? schema, bool isResourceRoot = false)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
            {
                var map = new Dictionary<object, object?>();
                foreach (var (key, value) in obj)
                {
                    if (isResourceRoot && key == "metadata" && value is JsonObject metadata)
                    {
                        map[key] = VisibleMetadata(metadata);
                        continue;
                    }
                    map[key] = FromJson(value, schema?.Field(key), value is JsonObject && schema?.Field(key)?.EmbeddedResource == true);
                }
                return map;
            }
            case JsonArray array:
                return array.Select(item => FromJson(item, schema?.Items, schema?.Items?.EmbeddedResource == true)).ToList();
            case JsonValue value:
                return Scalar(value, schema);
            default:
                return null;
        }
    }

    private static Dictionary<object, object?> VisibleMetadata(JsonObject metadata)
    {
        var map = new Dictionary<object, object?>();
        foreach (var name in new[] { "name", "generateName" })
            if (metadata[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                map[name] = value.GetValue<string>();
        return map;
    }

    private static object? Scalar(JsonValue value, StructuralSchemaNode? schema)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null: return null;
            case JsonValueKind.String:
            {
                var text = value.GetValue<string>();
                if (schema is { IntOrString: false, Type: "string" })
                {
                    if (schema.Format == "duration" && TryParseDuration(text, out var duration)) return duration;
                    if (schema.Format is "date-time" or "date" && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
                }
                return text;
            }
            case JsonValueKind.Number:
            {
                var number = JsonValues.Number(value);
                var isWhole = Math.Floor(number) == number && Math.Abs(number) < 9.2e18;
                if (schema?.Type == "number" || !isWhole) return number;
                return value.TryGetValue<long>(out var whole) ? whole : (long)number;
            }
            default:
                return null;
        }
    }

    /// <summary>Go's time.ParseDuration: a sign, then decimal numbers each with a unit (ns, us, µs, ms, s, m, h); "0" alone.</summary>
    public static bool TryParseDuration(string text, out CelDuration duration)
    {
        duration = default;
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return true;
        if (s.Length == 0) return false;
        decimal total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            var digits = s[start..i];
            if (digits.Length == 0 || digits == "." || !decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)) return false;
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            decimal? nanosPerUnit = s[unitStart..i] switch
            {
                "ns" => 1m, "us" or "µs" or "μs" => 1e3m, "ms" => 1e6m, "s" => 1e9m, "m" => 60e9m, "h" => 3600e9m, _ => null,
            };
            if (nanosPerUnit is null) return false;
            total += amount * nanosPerUnit.Value;
            if (total > long.MaxValue) return false;
        }
        duration = new CelDuration((long)(negative ? -total : total));
        return true;
    }

    /// <summary>The CEL type name of a value, as errors print it.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        ulong => "uint",
        double => "double",
        string => "string",
        CelDuration => "google.protobuf.Duration",
        DateTimeOffset => "google.protobuf.Timestamp",
        IReadOnlyList<object?> => "list",
        IReadOnlyDictionary<object, object?> => "map",
        CelOptional => "optional_type",
        _ => value.GetType().Name,
    };

    /// <summary>CEL's heterogeneous equality: numbers compare by value across int, uint and double; other types must match.</summary>
    public static bool AreEqual(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right)) return CompareNumbers(left!, right!) == 0;
        switch (left)
        {
            case null: return right is null;
            case IReadOnlyList<object?> leftList:
                return right is IReadOnlyList<object?> rightList && leftList.Count == rightList.Count
                    && leftList.Zip(rightList).All(pair => AreEqual(pair.First, pair.Second));
            case IReadOnlyDictionary<object, object?> leftMap:
                return right is IReadOnlyDictionary<object, object?> rightMap && leftMap.Count == rightMap.Count
                    && leftMap.All(entry => rightMap.TryGetValue(entry.Key, out var other) && AreEqual(entry.Value, other));
            case CelOptional leftOptional:
                return right is CelOptional rightOptional && leftOptional.HasValue == rightOptional.HasValue && AreEqual(leftOptional.Value, rightOptional.Value);
            default:
                return left.Equals(right);
        }
    }

    public static bool IsNumber(object? value) => value is long or ulong or double;

    public static int CompareNumbers(object left, object right) => (left, right) switch
    {
        (long l, long r) => l.CompareTo(r),
        (ulong l, ulong r) => l.CompareTo(r),
        (long l, ulong r) => l < 0 ? -1 : ((ulong)l).CompareTo(r),
        (ulong l, long r) => r < 0 ? 1 : l.CompareTo((ulong)r),
        _ => ToDouble(left).CompareTo(ToDouble(right)),
    };

    private static double ToDouble(object value) => value switch
    {
        long l => l,
        ulong u => u,
        double d => d,
        _ => throw new CelEvaluationException("no such overload"),
    };

    /// <summary>A value as CEL's string() prints it.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => s,
        CelDuration d => d.ToString(),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Format)) + "]",
        IReadOnlyDictionary<object, object?> map => "{" + string.Join(", ", map.Select(e => $"{Format(e.Key)}: {Format(e.Value)}")) + "}",
        _ => value.ToString() ?? "",
    };

    /// <summary>The length of a string in Unicode code points, as CEL's size() counts it.</summary>
    public static long CodePoints(string text)
    {
        long count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>A substring by code point offsets [start, end).</summary>
    public static string SubstringByCodePoints(string text, long start, long end)
    {
        var runes = text.EnumerateRunes().ToList();
        if (start < 0 || start > runes.Count) throw new CelEvaluationException($"index out of range: {start}");
        if (end < 0 || end > runes.Count) throw new CelEvaluationException($"index out of range: {end}");
        if (end < start) throw new CelEvaluationException($"invalid substring range. start: {start}, end: {end}");
        var builder = new StringBuilder();
        for (var i = (int)start; i < end; i++) builder.Append(runes[i].ToString());
        return builder.ToString();
    }
}
