using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Writes JSON trees as YAML in a stable order: <c>apiVersion</c>, <c>kind</c>, <c>metadata</c>,
/// <c>name</c>, <c>namespace</c> first where present, every other key in ordinal order, so the same
/// object always renders to the same text. Strings that would read back as something else
/// (<c>"1"</c>, <c>"on"</c>, <c>"null"</c>) are quoted; multi-line strings use block style.
/// </summary>
public static class YamlWriter
{
    private static readonly string[] LeadingKeys = ["apiVersion", "kind", "metadata", "name", "namespace"];

    public static string Write(JsonNode? root)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings().WithBestIndent(2).WithBestWidth(int.MaxValue).WithNewLine("\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        WriteNode(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    /// <summary>Several objects as one multi-document YAML text, separated by <c>---</c>.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> roots) =>
        string.Join("---\n", roots.Select(Write));

    private static void WriteNode(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var key in OrderedKeys(map))
                {
                    WriteString(emitter, key);
                    WriteNode(emitter, map[key]);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, list.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list) WriteNode(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                WriteValue(emitter, value);
                break;
        }
    }

    private static void WriteValue(IEmitter emitter, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(emitter, value.GetValue<string>());
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value.GetValueKind() == JsonValueKind.True ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            case JsonValueKind.Number:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
            default:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static void WriteString(IEmitter emitter, string text)
    {
        ScalarStyle style;
        if (text.Contains('\n') && !text.Contains('\r') && text.Trim(' ', '\n').Length > 0 && !text.EndsWith(' ')) style = ScalarStyle.Literal;
        else if (!YamlScalars.ReadsBackAsString(text) || text.Length == 0) style = ScalarStyle.DoubleQuoted;
        else style = ScalarStyle.Plain;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));
    }

    private static IEnumerable<string> OrderedKeys(JsonObject map)
    {
        var keys = map.Select(pair => pair.Key).ToList();
        foreach (var leading in LeadingKeys)
        {
            if (keys.Remove(leading)) yield return leading;
        }
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys) yield return key;
    }
}
