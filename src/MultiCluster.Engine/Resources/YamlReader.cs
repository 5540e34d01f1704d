using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MultiCluster.Engine.Resources;

/// <summary>One parsed document of a manifest: its JSON tree and where it starts.</summary>
internal sealed record ParsedDocument(JsonNode? Root, int Index, int Line, bool IsEmpty);

/// <summary>
/// Reads multi-document YAML (or JSON) into JSON trees with kubectl's scalar typing. Errors are
/// <see cref="FleetInputException"/> ManifestParseFailed naming the source, line and column.
/// </summary>
internal static class YamlReader
{
    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    public static IReadOnlyList<ParsedDocument> ReadDocuments(string text, string source)
    {
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? ReadJson(text, source) : ReadYaml(text, source);
    }

    private static IReadOnlyList<ParsedDocument> ReadJson(string text, string source)
    {
        try
        {
            var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (root is JsonArray array)
            {
                return array.Select((item, index) => new ParsedDocument(item?.DeepClone(), index, 1, item is null)).ToList();
            }
            return [new ParsedDocument(root, 0, 1, root is null)];
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            throw ParseFailed(source, line, column, ex.Message.Split(" Path:")[0], ex);
        }
    }

    private static IReadOnlyList<ParsedDocument> ReadYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            var (line, column) = Position(ex, text);
            throw ParseFailed(source, line, column, StripPosition(reason), ex);
        }

        var documents = new List<ParsedDocument>();
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            var index = documents.Count;
            var isEmpty = root is YamlScalarNode scalar && scalar.Tag.IsEmpty && scalar.Style == ScalarStyle.Plain &&
                          YamlScalars.Resolve(scalar.Value ?? "").Kind == ScalarKind.Null;
            documents.Add(new ParsedDocument(isEmpty ? null : Convert(root, source), index, (int)root.Start.Line, isEmpty));
        }
        return documents;
    }

    private static JsonNode? Convert(YamlNode node, string source) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping, source),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(child => Convert(child, source)).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar, source),
        _ => throw ParseFailed(source, node.Start.Line, node.Start.Column, $"unsupported YAML node {node.NodeType}", null),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping, string source)
    {
        var result = new JsonObject();
        var merged = new List<JsonObject>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: "<<" } && keyNode.Tag.IsEmpty)
            {
                // YAML 1.1 merge key, which go-yaml v2 honours: keys written here win over merged ones.
                merged.AddRange(MergeSources(valueNode, source));
                continue;
            }
            var key = KeyText(keyNode, source);
            if (result.ContainsKey(key))
            {
                throw ParseFailed(source, keyNode.Start.Line, keyNode.Start.Column, $"mapping key \"{key}\" already defined", null);
            }
            result[key] = Convert(valueNode, source);
        }
        foreach (var extra in merged)
        {
            foreach (var (key, value) in extra)
            {
                if (!result.ContainsKey(key)) result[key] = value?.DeepClone();
            }
        }
        return result;
    }

    private static IEnumerable<JsonObject> MergeSources(YamlNode value, string source)
    {
        var nodes = value is YamlSequenceNode list ? list.Children.ToList() : [value];
        foreach (var node in nodes)
        {
            if (Convert(node, source) is not JsonObject map)
            {
                throw ParseFailed(source, node.Start.Line, node.Start.Column, "a merge key (<<) must refer to a mapping", null);
            }
            yield return map;
        }
    }

    // JSON keys are strings: numbers and booleans become their text, as sigs.k8s.io/yaml does.
    private static string KeyText(YamlNode keyNode, string source)
    {
        if (keyNode is not YamlScalarNode scalar)
        {
            throw ParseFailed(source, keyNode.Start.Line, keyNode.Start.Column, "mapping keys must be scalars", null);
        }
        var value = ConvertScalar(scalar, source);
        return value switch
        {
            null => throw ParseFailed(source, keyNode.Start.Line, keyNode.Start.Column, "a mapping key cannot be null", null),
            JsonValue v when v.TryGetValue<bool>(out var flag) => flag ? "true" : "false",
            JsonValue v when v.TryGetValue<string>(out var text) => text,
            _ => value.ToJsonString(),
        };
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar, string source)
    {
        var text = scalar.Value ?? "";
        ScalarValue value;
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            value = ResolveTagged(scalar, text, source);
        }
        else if (scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty)
        {
            value = YamlScalars.Resolve(text);
        }
        else
        {
            value = new ScalarValue(ScalarKind.String, text);
        }

        if (value.Kind == ScalarKind.NotJson)
        {
            throw ParseFailed(source, scalar.Start.Line, scalar.Start.Column, $"the value {text} cannot be represented in JSON", null);
        }
        return YamlScalars.ToJson(value);
    }

    private static ScalarValue ResolveTagged(YamlScalarNode scalar, string text, string source)
    {
        var tag = scalar.Tag.Value;
        var shortTag = tag.StartsWith(YamlTagPrefix, StringComparison.Ordinal) ? tag[YamlTagPrefix.Length..] : tag;
        if (shortTag is "str" or "binary" or "timestamp") return new ScalarValue(ScalarKind.String, text);

        var resolved = YamlScalars.Resolve(text);
        var expected = shortTag switch
        {
            "int" => ScalarKind.Integer,
            "float" => ScalarKind.Float,
            "bool" => ScalarKind.Bool,
            "null" => ScalarKind.Null,
            _ => throw ParseFailed(source, scalar.Start.Line, scalar.Start.Column, $"unsupported tag !{tag}", null),
        };
        if (expected == ScalarKind.Float && resolved.Kind == ScalarKind.Integer)
        {
            return new ScalarValue(ScalarKind.Float, System.Convert.ToDouble(resolved.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (resolved.Kind != expected && !(expected == ScalarKind.Float && resolved.Kind == ScalarKind.NotJson))
        {
            throw ParseFailed(source, scalar.Start.Line, scalar.Start.Column, $"cannot read \"{text}\" as !!{shortTag}", null);
        }
        return resolved;
    }

    /// <summary>
    /// Where a YAML error is. YamlDotNet puts "found invalid tab as indentation" at the start of the
    /// mapping it was scanning (often line 1); the tab a user must remove is the first one indenting a line.
    /// </summary>
    internal static (long Line, long Column) Position(YamlException ex, string text)
    {
        if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) || ex.InnerException?.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) == true)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
                var tab = lines[i].IndexOf('\t', 0, indent);
                if (tab >= 0) return (i + 1, tab + 1);
            }
        }
        return (ex.Start.Line, ex.Start.Column);
    }

    private static string StripPosition(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position is reported separately.
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && marker > 0 ? message[(marker + 3)..] : message;
    }

    internal static FleetInputException ParseFailed(string source, long line, long column, string reason, Exception? inner) =>
        new(FleetErrorIds.ManifestParseFailed, FleetErrorCategory.ParserError, source,
            $"Cannot parse {source} at line {line}, column {column}: {reason}", inner,
            "Fix the YAML at that position; check indentation and quoting.");
}
