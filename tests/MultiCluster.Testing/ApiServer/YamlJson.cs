using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// Reads YAML documents into JSON nodes with the YAML 1.2 core schema's scalar rules: plain
/// <c>42</c> is an integer, <c>true</c> a bool, <c>null</c>/<c>~</c>/empty null; quoted scalars
/// and explicit <c>!!str</c> stay strings.
/// </summary>
public static partial class YamlJson
{
    /// <summary>Every non-empty document of a multi-document YAML text.</summary>
    public static IReadOnlyList<JsonNode> ParseAll(string yaml)
    {
        // The event parser, not the representation model: large CRDs load several times faster.
        var parser = new Parser(new StringReader(yaml));
        var result = new List<JsonNode>();
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser);
                parser.Consume<DocumentEnd>();
                if (root is not null) result.Add(root);
            }
            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new FormatException($"invalid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        return result;
    }

    /// <summary>The single document of a YAML (or JSON) text; null when it is empty.</summary>
    public static JsonNode? Parse(string yaml)
    {
        var all = ParseAll(yaml);
        return all.Count switch
        {
            0 => null,
            1 => all[0],
            _ => throw new FormatException("expected one YAML document, found several"),
        };
    }

    private static JsonNode? ReadNode(IParser parser)
    {
        if (parser.TryConsume<Scalar>(out var scalar)) return ConvertScalar(scalar.Value, scalar.Tag, scalar.Style);
        if (parser.TryConsume<MappingStart>(out _))
        {
            var obj = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.TryConsume<Scalar>(out var keyScalar) ? keyScalar.Value
                    : throw new FormatException("YAML mapping keys must be scalars");
                obj[key] = ReadNode(parser);
            }
            return obj;
        }
        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _)) array.Add(ReadNode(parser));
            return array;
        }
        if (parser.Accept<AnchorAlias>(out _)) throw new FormatException("YAML aliases are not supported");
        throw new FormatException("unexpected YAML event");
    }

    private static JsonNode? ConvertScalar(string? value, TagName tagName, ScalarStyle style)
    {
        var text = value ?? "";
        var tag = tagName.IsEmpty ? "" : tagName.Value;
        if (tag is "tag:yaml.org,2002:str" or "!!str" || style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (DecimalInteger().IsMatch(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
            return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        }
        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            return JsonValue.Create(hex);
        if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && text[2..].All(c => c is >= '0' and <= '7'))
            return JsonValue.Create(System.Convert.ToInt64(text[2..], 8));
        if (FloatNumber().IsMatch(text)) return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatNumber();
}
