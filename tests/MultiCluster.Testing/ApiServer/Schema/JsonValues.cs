using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>JSON value helpers shared by admission, patching and server-side apply.</summary>
public static class JsonValues
{
    /// <summary>The OpenAPI type name of a value, as kube-openapi names a decoded Go value: integer for whole-number literals, number for the rest.</summary>
    public static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsIntegerLiteral(value) ? "integer" : "number",
            JsonValueKind.Null => "null",
            _ => "object",
        },
        _ => "object",
    };

    /// <summary>True for a JSON null, whether a C# null or a JsonValue holding null.</summary>
    public static bool IsNull(JsonNode? node) => node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null);

    public static bool IsIntegerLiteral(JsonValue value)
    {
        var text = value.ToJsonString();
        return text.IndexOfAny(['.', 'e', 'E']) < 0;
    }

    /// <summary>A number value whatever CLR type the node holds (parsed JSON or a value set in code).</summary>
    public static double Number(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Structural equality with numbers compared by value (1 equals 1.0, as after Go decoding).</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        if (IsNull(a) || IsNull(b)) return IsNull(a) && IsNull(b);
        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                if (x.Count != y.Count) return false;
                foreach (var (key, value) in x)
                    if (!y.TryGetPropertyValue(key, out var other) || !DeepEquals(value, other)) return false;
                return true;
            case (JsonArray x, JsonArray y):
                if (x.Count != y.Count) return false;
                for (var i = 0; i < x.Count; i++)
                    if (!DeepEquals(x[i], y[i])) return false;
                return true;
            case (JsonValue x, JsonValue y):
                var kx = x.GetValueKind();
                var ky = y.GetValueKind();
                if (kx == JsonValueKind.Number && ky == JsonValueKind.Number) return Number(x) == Number(y);
                if (kx != ky) return false;
                return kx == JsonValueKind.String ? x.GetValue<string>() == y.GetValue<string>() : true;
            default:
                return false;
        }
    }

    /// <summary>Formats a number as Go's <c>%v</c> prints a float64 or int64.</summary>
    public static string GoNumber(double value)
    {
        if (Math.Floor(value) == value && Math.Abs(value) < 1e21) return value.ToString("0", CultureInfo.InvariantCulture);
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = text.IndexOf('E');
        if (exponent < 0) return text;
        // Go writes e+06 / e-07: sign always, at least two exponent digits.
        var mantissa = text[..exponent];
        var power = int.Parse(text[(exponent + 1)..], CultureInfo.InvariantCulture);
        return $"{mantissa}e{(power < 0 ? "-" : "+")}{Math.Abs(power):00}";
    }

    /// <summary>Go's <c>%q</c> of a string (strconv.Quote), for the ASCII and common escapes.</summary>
    public static string GoQuote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) builder.Append($"\\x{(int)c:x2}");
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>
    /// The bad value as field.Error.ErrorBody prints it: strings quoted, numbers and booleans bare,
    /// null as "null", anything else in Go's <c>%#v</c> shape of a decoded JSON value.
    /// </summary>
    public static string GoValue(JsonNode? node) => node switch
    {
        _ when IsNull(node) => "\"null\"",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => GoQuote(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoNumber(Number(v)),
        JsonValue v => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
        _ => GoSyntax(node),
    };

    /// <summary>Go's <c>%#v</c> of a decoded JSON value (map[string]interface {}{...}, []interface {}{...}).</summary>
    public static string GoSyntax(JsonNode? node) => node switch
    {
        _ when IsNull(node) => "interface {}(nil)",
        JsonObject o => "map[string]interface {}{" + string.Join(", ", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{GoQuote(p.Key)}:{GoSyntax(p.Value)}")) + "}",
        JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(GoSyntax)) + "}",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => GoQuote(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoNumber(Number(v)),
        JsonValue v => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
        _ => "",
    };
}
