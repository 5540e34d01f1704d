using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Types plain YAML scalars the way kubectl does. kubectl reads manifests through
/// sigs.k8s.io/yaml, which uses go-yaml v2: YAML 1.1 booleans (<c>yes</c>, <c>on</c>, <c>y</c> ...
/// are true), 1.1 octals (<c>0644</c> is 420), underscores in numbers, and timestamps kept as
/// strings. Following it means the server sees exactly what <c>kubectl apply</c> would send.
/// </summary>
internal static partial class YamlScalars
{
    private static readonly HashSet<string> TrueWords = new(StringComparer.Ordinal)
        { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };

    private static readonly HashSet<string> FalseWords = new(StringComparer.Ordinal)
        { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };

    private static readonly HashSet<string> NullWords = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    private static readonly HashSet<string> NotJsonFloats = new(StringComparer.Ordinal)
        { ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF" };

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>The kind of value a plain (unquoted, untagged) scalar stands for.</summary>
    public static ScalarValue Resolve(string plain)
    {
        if (NullWords.Contains(plain)) return ScalarValue.Null;
        if (TrueWords.Contains(plain)) return new ScalarValue(ScalarKind.Bool, true);
        if (FalseWords.Contains(plain)) return new ScalarValue(ScalarKind.Bool, false);
        if (NotJsonFloats.Contains(plain)) return new ScalarValue(ScalarKind.NotJson, plain);
        if (plain.Length == 0 || !(char.IsAsciiDigit(plain[0]) || plain[0] is '+' or '-' or '.')) return new ScalarValue(ScalarKind.String, plain);
        if (TryParseInteger(plain.Replace("_", ""), out var integer)) return new ScalarValue(ScalarKind.Integer, integer);
        if (FloatPattern().IsMatch(plain.Replace("_", "")) &&
            double.TryParse(plain.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return new ScalarValue(ScalarKind.Float, real);
        }
        return new ScalarValue(ScalarKind.String, plain);
    }

    /// <summary>True when <paramref name="text"/>, written plain, would read back as this same string.</summary>
    public static bool ReadsBackAsString(string text) => Resolve(text).Kind == ScalarKind.String;

    public static JsonNode? ToJson(ScalarValue value) => value.Kind switch
    {
        ScalarKind.Null => null,
        ScalarKind.Bool => JsonValue.Create((bool)value.Value!),
        ScalarKind.Integer => value.Value is ulong big ? JsonValue.Create(big) : JsonValue.Create((long)value.Value!),
        ScalarKind.Float => JsonValue.Create((double)value.Value!),
        _ => JsonValue.Create((string)value.Value!),
    };

    // Go's strconv.ParseInt with base 0: 0x hex, 0o and leading-0 octal, 0b binary, optional sign.
    private static bool TryParseInteger(string text, out object value)
    {
        value = 0L;
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('+', '-');
        if (text.Length - digits.Length > 1 || digits.Length == 0) return false;

        int radix = 10;
        if (digits.Length > 1 && digits[0] == '0')
        {
            switch (digits[1])
            {
                case 'x' or 'X': radix = 16; digits = digits[2..]; break;
                case 'b' or 'B': radix = 2; digits = digits[2..]; break;
                case 'o' or 'O': radix = 8; digits = digits[2..]; break;
                default: radix = 8; digits = digits[1..]; break;
            }
            if (digits.Length == 0) return false;
        }

        ulong magnitude = 0;
        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix) return false;
            try { magnitude = checked(magnitude * (ulong)radix + (ulong)digit); }
            catch (OverflowException) { return false; }
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1) return false;
            value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
            return true;
        }
        value = magnitude <= long.MaxValue ? (long)magnitude : magnitude;
        return true;
    }
}

internal enum ScalarKind
{
    Null,
    Bool,
    Integer,
    Float,
    String,

    /// <summary>.inf and .nan: valid YAML floats that JSON (and so the API server) cannot carry.</summary>
    NotJson,
}

internal readonly record struct ScalarValue(ScalarKind Kind, object? Value)
{
    public static readonly ScalarValue Null = new(ScalarKind.Null, null);
}
