using System.Globalization;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// RFC 6901 JSON pointers (<c>/spec/template/spec/containers/0/image</c>, <c>~1</c> for '/', <c>~0</c>
/// for '~') and the RFC 6902 add, replace and remove operations on them, for per-cluster overrides.
/// A bad pointer or a path that does not exist is a <see cref="FleetInputException"/> (ManifestInvalid).
/// </summary>
public sealed class JsonPointer
{
    private JsonPointer(string text, IReadOnlyList<string> tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    public string Text { get; }

    public IReadOnlyList<string> Tokens { get; }

    public static JsonPointer Parse(string text)
    {
        if (text.Length > 0 && text[0] != '/') throw Invalid(text, "a JSON pointer starts with '/'");
        var tokens = text.Length == 0
            ? []
            : text[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        return new JsonPointer(text, tokens);
    }

    /// <summary>The node the pointer names, or null when it names nothing (or a JSON null).</summary>
    public JsonNode? Evaluate(JsonNode? root)
    {
        var node = root;
        foreach (var token in Tokens)
        {
            node = node switch
            {
                JsonObject map => map.TryGetPropertyValue(token, out var child) ? child : null,
                JsonArray list when TryIndex(token, list.Count, out var index) && index < list.Count => list[index],
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    /// <summary>RFC 6902 add: sets a member, inserts into a list (<c>-</c> appends). Creates missing parent objects.</summary>
    public void Add(JsonObject root, JsonNode? value) => Write(root, value, insert: true);

    /// <summary>RFC 6902 replace: the target must exist.</summary>
    public void Replace(JsonObject root, JsonNode? value)
    {
        if (Tokens.Count > 0 && !Exists(root)) throw Invalid(Text, "there is no value to replace");
        Write(root, value, insert: false);
    }

    /// <summary>RFC 6902 remove: the target must exist.</summary>
    public void Remove(JsonObject root)
    {
        if (Tokens.Count == 0) throw Invalid(Text, "the whole object cannot be removed");
        var parent = Parent(root, create: false);
        var last = Tokens[^1];
        switch (parent)
        {
            case JsonObject map when map.Remove(last):
                return;
            case JsonArray list when TryIndex(last, list.Count, out var index) && index < list.Count:
                list.RemoveAt(index);
                return;
            default:
                throw Invalid(Text, "there is no value to remove");
        }
    }

    public override string ToString() => Text;

    private bool Exists(JsonNode root)
    {
        var parent = Parent(root, create: false);
        var last = Tokens[^1];
        return parent switch
        {
            JsonObject map => map.ContainsKey(last),
            JsonArray list => TryIndex(last, list.Count, out var index) && index < list.Count,
            _ => false,
        };
    }

    private void Write(JsonObject root, JsonNode? value, bool insert)
    {
        if (Tokens.Count == 0) throw Invalid(Text, "the whole object cannot be replaced by an override");
        var parent = Parent(root, create: insert);
        var last = Tokens[^1];
        var copy = value?.DeepClone();
        switch (parent)
        {
            case JsonObject map:
                map[last] = copy;
                break;
            case JsonArray list when last == "-" && insert:
                list.Add(copy);
                break;
            case JsonArray list when TryIndex(last, list.Count, out var index):
                if (insert) list.Insert(index, copy);
                else list[index] = copy;
                break;
            default:
                throw Invalid(Text, $"'{last}' is not a member or index of its parent");
        }
    }

    private JsonNode Parent(JsonNode root, bool create)
    {
        var node = root;
        for (var i = 0; i < Tokens.Count - 1; i++)
        {
            var token = Tokens[i];
            JsonNode? next = node switch
            {
                JsonObject map => map.TryGetPropertyValue(token, out var child) ? child : null,
                JsonArray list when TryIndex(token, list.Count, out var index) && index < list.Count => list[index],
                _ => throw Invalid(Text, $"'{token}' is inside a value that is neither an object nor a list"),
            };
            if (next is null)
            {
                if (!create || node is not JsonObject parentMap) throw Invalid(Text, $"'{token}' does not exist");
                next = new JsonObject();
                parentMap[token] = next;
            }
            node = next;
        }
        return node;
    }

    // RFC 6901 array indexes: decimal, no leading zeros; an index equal to the count is valid only for add.
    private static bool TryIndex(string token, int count, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit)) return false;
        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index <= count;
    }

    private static FleetInputException Invalid(string pointer, string problem) =>
        new(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidArgument, pointer, $"Cannot use the JSON pointer '{pointer}': {problem}.");
}
