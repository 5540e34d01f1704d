using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Observability.Events;

/// <summary>
/// The events API one cluster is read through: events.k8s.io/v1 where served (regarding, note,
/// series, deprecated* fields), core/v1 otherwise (involvedObject, message, count, first/lastTimestamp).
/// Both are one storage on the server; each has its own field selector names (core/v1's
/// involvedObject.kind/name, events.k8s.io/v1's regarding.kind/name; type and reason on both).
/// </summary>
internal sealed class EventApi
{
    public const string EventsV1 = "events.k8s.io/v1";
    public const string CoreV1 = "v1";

    public static readonly EventApi Events = new(EventsV1, "/apis/events.k8s.io/v1", "regarding");
    public static readonly EventApi Core = new(CoreV1, "/api/v1", "involvedObject");

    private readonly string _root;
    private readonly string _objectField;

    private EventApi(string apiVersion, string root, string objectField)
    {
        ApiVersion = apiVersion;
        _root = root;
        _objectField = objectField;
    }

    public string ApiVersion { get; }

    /// <summary>The path of a list page (<paramref name="continueToken"/> for the next one).</summary>
    public string ListPath(EventQuery query, int limit, string? continueToken)
    {
        var parts = new List<string> { "limit=" + limit.ToString(CultureInfo.InvariantCulture) };
        AddSelector(parts, query);
        if (continueToken is not null) parts.Add("continue=" + Uri.EscapeDataString(continueToken));
        return Collection(query) + "?" + string.Join("&", parts);
    }

    /// <summary>The path of a watch from <paramref name="resourceVersion"/>, with bookmarks.</summary>
    public string WatchPath(EventQuery query, string resourceVersion, int timeoutSeconds)
    {
        var parts = new List<string>
        {
            "watch=true", "allowWatchBookmarks=true",
            "resourceVersion=" + Uri.EscapeDataString(resourceVersion),
            "timeoutSeconds=" + timeoutSeconds.ToString(CultureInfo.InvariantCulture),
        };
        AddSelector(parts, query);
        return Collection(query) + "?" + string.Join("&", parts);
    }

    private string Collection(EventQuery query) =>
        query.Namespace is null ? $"{_root}/events" : $"{_root}/namespaces/{Uri.EscapeDataString(query.Namespace)}/events";

    private void AddSelector(List<string> parts, EventQuery query)
    {
        var selector = FieldSelector(query);
        if (selector.Length > 0) parts.Add("fieldSelector=" + Uri.EscapeDataString(selector));
    }

    /// <summary>The server-side field selector for the query's type, reason and object.</summary>
    public string FieldSelector(EventQuery query)
    {
        var terms = new List<string>();
        if (query.Type is { } type) terms.Add("type=" + Escape(type));
        if (query.Reason is { } reason) terms.Add("reason=" + Escape(reason));
        if (query.ObjectKind is { } kind) terms.Add($"{_objectField}.kind=" + Escape(kind));
        if (query.ObjectName is { } name) terms.Add($"{_objectField}.name=" + Escape(name));
        return string.Join(",", terms);
    }

    // fields.EscapeValue: a backslash, comma or equals sign in a value is escaped with a backslash.
    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '\\' or ',' or '=') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>An event object of this API as the module shows it.</summary>
    public FleetEvent ToFleetEvent(string cluster, JsonObject e)
    {
        var meta = e["metadata"] as JsonObject;
        var created = Time(meta?["creationTimestamp"]);
        var eventTime = Time(e["eventTime"]);
        var seriesLast = Time(e["series"]?["lastObservedTime"]);
        var seriesCount = Int(e["series"]?["count"]);
        bool events = ApiVersion == EventsV1;
        var regarding = e[_objectField] as JsonObject;
        var first = Time(e[events ? "deprecatedFirstTimestamp" : "firstTimestamp"]);
        var last = Time(e[events ? "deprecatedLastTimestamp" : "lastTimestamp"]);
        var count = seriesCount ?? Int(e[events ? "deprecatedCount" : "count"]);
        var reporter = Text(e[events ? "reportingController" : "reportingComponent"]);
        if (reporter.Length == 0) reporter = Text(e[events ? "deprecatedSource" : "source"]?["component"]);
        return new FleetEvent
        {
            Cluster = cluster,
            Namespace = Text(meta?["namespace"]),
            ObjectKind = Text(regarding?["kind"]),
            ObjectName = Text(regarding?["name"]),
            Type = Text(e["type"]),
            Reason = Text(e["reason"]),
            Message = Text(e[events ? "note" : "message"]),
            Count = Math.Max(count ?? 1, 1),
            FirstSeen = first ?? eventTime ?? created,
            LastSeen = seriesLast ?? last ?? eventTime ?? first ?? created,
            Source = reporter,
            EventName = Text(meta?["name"]),
            Uid = Text(meta?["uid"]),
            ResourceVersion = Text(meta?["resourceVersion"]),
            ApiVersion = ApiVersion,
        };
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static int? Int(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue<int>(out var i) ? i : v.TryGetValue<long>(out var l) ? (int)l : v.TryGetValue<double>(out var d) ? (int)d : null
        : null;

    private static DateTimeOffset? Time(JsonNode? node) =>
        Text(node) is { Length: > 0 } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime() : null;
}
