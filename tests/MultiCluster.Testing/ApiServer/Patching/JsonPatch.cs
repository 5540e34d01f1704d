using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>
/// RFC 6902 JSON patch (application/json-patch+json). Error texts follow evanphx/json-patch, the
/// library kube-apiserver applies JSON patches with.
/// </summary>
public static class JsonPatch
{
    /// <summary>Returns the patched document; <paramref name="target"/> is not modified.</summary>
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        var document = target.DeepClone();
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op)
                throw new PatchException($"Unexpected kind: {operation?.ToJsonString() ?? "null"}", malformed: true);
            var kind = StringMember(op, "op");
            var path = StringMember(op, "path")
                ?? throw new PatchException($"Unexpected kind: {kind ?? "unknown"}: missing path", malformed: true);
            document = kind switch
            {
                "add" => Add(document, path, ValueMember(op, kind), kind),
                "remove" => Remove(document, path, out _),
                "replace" => Replace(document, path, ValueMember(op, kind)),
                "move" => Move(document, From(op, kind), path),
                "copy" => Add(document, path, Get(document, From(op, kind), kind, "from path").DeepCloneOrNull(), kind),
                "test" => Test(document, path, ValueMember(op, kind)),
                _ => throw new PatchException($"Unexpected kind: {kind ?? "unknown"}", malformed: true),
            };
        }
        return document;
    }

    private static string? StringMember(JsonObject op, string name) =>
        op[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static JsonNode? ValueMember(JsonObject op, string kind) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone()
            : throw new PatchException($"{kind} operation has no value", malformed: true);

    private static string From(JsonObject op, string kind) =>
        StringMember(op, "from") ?? throw new PatchException($"{kind} operation has no from", malformed: true);

    private static JsonNode? DeepCloneOrNull(this JsonNode? node) => node?.DeepClone();

    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new PatchException($"invalid JSON pointer: {pointer}", malformed: true);
        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    /// <summary>The container that holds the last token of <paramref name="pointer"/>, or null when the path is missing.</summary>
    private static JsonNode? Parent(JsonNode document, List<string> tokens)
    {
        JsonNode? current = document;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            current = current switch
            {
                JsonObject o => o.TryGetPropertyValue(token, out var child) ? child : null,
                JsonArray a => TryIndex(token, a.Count - 1, out var i) ? a[i] : null,
                _ => null,
            };
            if (current is null) return null;
        }
        return current;
    }

    private static bool TryIndex(string token, int max, out int index) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index >= 0 && index <= max
        && (token == "0" || token[0] != '0');

    private static JsonNode Add(JsonNode document, string path, JsonNode? value, string kind)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0) return value ?? throw new PatchException($"{kind} operation does not apply: null document", malformed: false);
        var key = tokens[^1];
        switch (Parent(document, tokens))
        {
            case JsonObject o:
                o[key] = value;
                break;
            case JsonArray a when key == "-":
                a.Add(value);
                break;
            case JsonArray a:
                if (!TryIndex(key, a.Count, out var index))
                    throw new PatchException($"Unable to access invalid index: {key}: invalid index referenced");
                a.Insert(index, value);
                break;
            default:
                throw new PatchException($"{kind} operation does not apply: doc is missing path: \"{path}\": missing value");
        }
        return document;
    }

    private static JsonNode Remove(JsonNode document, string path, out JsonNode? removed)
    {
        var tokens = Tokens(path);
        var key = tokens.Count > 0 ? tokens[^1] : throw new PatchException("unable to remove the document root", malformed: false);
        switch (Parent(document, tokens))
        {
            case JsonObject o when o.TryGetPropertyValue(key, out removed):
                o.Remove(key);
                return document;
            case JsonObject:
                throw new PatchException($"unable to remove nonexistent key: {key}: missing value");
            case JsonArray a when TryIndex(key, a.Count - 1, out var index):
                removed = a[index];
                a.RemoveAt(index);
                return document;
            case JsonArray:
                throw new PatchException($"Unable to access invalid index: {key}: invalid index referenced");
            default:
                throw new PatchException($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static JsonNode Replace(JsonNode document, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0) return value ?? throw new PatchException("replace operation does not apply: null document");
        var key = tokens[^1];
        switch (Parent(document, tokens))
        {
            case JsonObject o when o.ContainsKey(key):
                o[key] = value;
                return document;
            case JsonArray a when TryIndex(key, a.Count - 1, out var index):
                a[index] = value;
                return document;
            case JsonArray:
                throw new PatchException($"Unable to access invalid index: {key}: invalid index referenced");
            default:
                throw new PatchException($"replace operation does not apply: doc is missing key: {path}: missing value");
        }
    }

    private static JsonNode Move(JsonNode document, string from, string path)
    {
        if (path.StartsWith(from + "/", StringComparison.Ordinal))
            throw new PatchException($"move operation does not apply: cannot move {from} into its own child {path}");
        Get(document, from, "move", "from path");
        document = Remove(document, from, out var value);
        return Add(document, path, value?.DeepClone(), "move");
    }

    private static JsonNode Test(JsonNode document, string path, JsonNode? expected)
    {
        var actual = TryGet(document, path, out var found);
        if (!found || !JsonValues.DeepEquals(actual, expected))
            throw new PatchException($"testing value {path} failed: test failed");
        return document;
    }

    private static JsonNode? Get(JsonNode document, string path, string kind, string what)
    {
        var value = TryGet(document, path, out var found);
        return found ? value : throw new PatchException($"{kind} operation does not apply: doc is missing {what}: {path}: missing value");
    }

    private static JsonNode? TryGet(JsonNode document, string path, out bool found)
    {
        var tokens = Tokens(path);
        found = true;
        if (tokens.Count == 0) return document;
        switch (Parent(document, tokens))
        {
            case JsonObject o when o.TryGetPropertyValue(tokens[^1], out var child):
                return child;
            case JsonArray a when TryIndex(tokens[^1], a.Count - 1, out var index):
                return a[index];
            default:
                found = false;
                return null;
        }
    }
}
