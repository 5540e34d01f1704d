using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Converts between JSON trees and the plain trees PowerShell handles well: ordered dictionaries
/// (case-sensitive keys, as Kubernetes field names are), object arrays, strings, longs, doubles
/// and booleans.
/// </summary>
public static class ObjectTree
{
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => FromJsonObject(map),
        JsonArray list => list.Select(FromJson).ToArray(),
        JsonValue value => FromJsonValue(value),
        _ => null,
    };

    public static OrderedDictionary FromJsonObject(JsonObject map)
    {
        var result = new OrderedDictionary(map.Count);
        foreach (var (key, value) in map) result[key] = FromJson(value);
        return result;
    }

    /// <summary>
    /// A JSON tree from dictionaries (any <see cref="IDictionary"/>), lists (any non-string
    /// <see cref="IEnumerable"/>) and scalars. Dates become RFC 3339 text; other objects their string form.
    /// </summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        char c => JsonValue.Create(c.ToString()),
        byte or sbyte or short or ushort or int or uint or long => JsonValue.Create(System.Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong big => JsonValue.Create(big),
        float or double => JsonValue.Create(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        decimal money => decimal.Truncate(money) == money && money is >= long.MinValue and <= long.MaxValue
            ? JsonValue.Create((long)money)
            : JsonValue.Create((double)money),
        DateTime moment => JsonValue.Create(moment.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        DateTimeOffset instant => JsonValue.Create(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        Enum choice => JsonValue.Create(choice.ToString()),
        IDictionary map => DictionaryToJson(map),
        IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToJson).ToArray()),
        _ => JsonValue.Create(System.Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static JsonObject DictionaryToJson(IDictionary map)
    {
        var result = new JsonObject();
        foreach (DictionaryEntry entry in map)
        {
            var key = System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            result[key] = ToJson(entry.Value);
        }
        return result;
    }

    private static object? FromJsonValue(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String: return value.GetValue<string>();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number:
                if (value.TryGetValue<long>(out var integer)) return integer;
                if (value.TryGetValue<JsonElement>(out var element))
                {
                    if (element.TryGetInt64(out integer)) return integer;
                    return element.GetDouble();
                }
                if (value.TryGetValue<ulong>(out var big)) return (double)big;
                return value.GetValue<double>();
            default: return null;
        }
    }
}
