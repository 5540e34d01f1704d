using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// events.k8s.io/v1 Event to and from core/v1 Event, field for field as kube-apiserver converts
/// them through the one internal Event both APIs are stored as (pkg/apis/events/v1 conversion):
/// regarding = involvedObject, note = message, reportingController = reportingComponent,
/// deprecatedSource = source, deprecatedFirstTimestamp/LastTimestamp = firstTimestamp/lastTimestamp,
/// deprecatedCount = count; eventTime, series, action, reason, type, related and reportingInstance
/// keep their names.
/// </summary>
public static class EventConversion
{
    private static readonly (string Events, string Core)[] Renamed =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    /// <summary>The events.k8s.io/v1 type, a view of the core Event's storage.</summary>
    public static ResourceType EventsV1(ResourceType coreEvent) => new()
    {
        Group = "events.k8s.io", Versions = ["v1"], Kind = "Event", Plural = "events", Singular = "event", Namespaced = true,
        ShortNames = ["ev"],
        StoredAs = new StorageView(coreEvent, ToCore, ToEventsV1),
    };

    public static JsonObject ToCore(JsonObject events) => Rename(events, "v1", e => e.Events, e => e.Core);

    public static JsonObject ToEventsV1(JsonObject core) => Rename(core, "events.k8s.io/v1", e => e.Core, e => e.Events);

    private static JsonObject Rename(JsonObject obj, string apiVersion, Func<(string Events, string Core), string> from,
        Func<(string Events, string Core), string> to)
    {
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "Event" };
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind") continue;
            var renamed = Renamed.FirstOrDefault(r => from(r) == key);
            result[renamed == default ? key : to(renamed)] = value?.DeepClone();
        }
        return result;
    }
}
