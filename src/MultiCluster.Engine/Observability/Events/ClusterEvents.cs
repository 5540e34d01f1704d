using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Observability.Events;

/// <summary>A list of one cluster's events and the resourceVersion a watch goes on from.</summary>
internal sealed record EventList(IReadOnlyList<FleetEvent> Items, string ResourceVersion);

/// <summary>One line of a watch: ADDED, MODIFIED, DELETED or BOOKMARK, with the object.</summary>
internal sealed record EventChange(string Type, FleetEvent? Event, string ResourceVersion);

/// <summary>The server no longer has the history a watch asked for (410 Gone / Expired): list again.</summary>
internal sealed class EventHistoryExpiredException(string message) : Exception(message);

/// <summary>
/// The events of one cluster: which API serves them, a paged list, and a watch read line by line
/// from a streaming GET through the connection's own HttpClient and credentials.
/// </summary>
internal sealed class ClusterEvents(ClusterConnection connection)
{
    public const int PageSize = 500;

    private readonly ClusterResources _resources = ClusterResources.For(connection, null);

    public string Name => connection.Name;

    /// <summary>events.k8s.io/v1 when the cluster serves it (discovery, cached per connection), else core/v1.</summary>
    public async Task<EventApi> ApiAsync(CancellationToken cancellationToken)
    {
        var kinds = await _resources.Discovery.GetKindsAsync(EventApi.EventsV1, cancellationToken).ConfigureAwait(false);
        return kinds.Values.Any(t => t.Kind == "Event" && t.Plural == "events") ? EventApi.Events : EventApi.Core;
    }

    /// <summary>Every event matching the query's server-side selector, page by page.</summary>
    public async Task<EventList> ListAsync(EventApi api, EventQuery query, CancellationToken cancellationToken)
    {
        var items = new List<FleetEvent>();
        string? resourceVersion = null;
        string? continueToken = null;
        do
        {
            var path = api.ListPath(query, PageSize, continueToken);
            var response = await _resources.Api.SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, Name, "events");
            var list = JsonNode.Parse(response.Utf8Body.Span) as JsonObject ?? new JsonObject();
            resourceVersion ??= list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
            continueToken = list["metadata"]?["continue"]?.GetValue<string>() is { Length: > 0 } next ? next : null;
            foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
                items.Add(api.ToFleetEvent(Name, item));
        }
        while (continueToken is not null);
        return new EventList(items, resourceVersion);
    }

    /// <summary>
    /// The changes after <paramref name="resourceVersion"/> until the server ends the stream.
    /// <paramref name="connected"/> runs once the server has accepted the watch. Throws
    /// <see cref="EventHistoryExpiredException"/> on 410 (the status or an ERROR event) and a
    /// <see cref="FleetClusterException"/> on any other refusal.
    /// </summary>
    public async IAsyncEnumerable<EventChange> WatchAsync(EventApi api, EventQuery query, string resourceVersion, int timeoutSeconds,
        Action connected, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = connection.Client as Kubernetes
            ?? throw new FleetClusterException(FleetErrorIds.ClusterRequestFailed, FleetErrorCategory.InvalidOperation, Name,
                $"The connection of cluster '{Name}' does not use KubernetesClient's Kubernetes class, which watches need.");
        var path = api.WatchPath(query, resourceVersion, timeoutSeconds);
        using var request = await ApiServerRequest.CreateAsync(client, HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        using var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
            throw new EventHistoryExpiredException($"HTTP 410 watching events from resourceVersion {resourceVersion}");
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw ResourceErrors.FromResponse(new KubeApiResponse(response.StatusCode, body), Name, "events watch");
        }
        connected();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            if (ParseLine(api, line) is { } change) yield return change;
        }
    }

    private EventChange? ParseLine(EventApi api, string line)
    {
        JsonObject? watchEvent;
        try { watchEvent = JsonNode.Parse(line) as JsonObject; }
        catch (JsonException) { return null; } // a line cut short by a dropped connection; the resume covers it
        var type = watchEvent?["type"]?.GetValue<string>() ?? "";
        if (watchEvent?["object"] is not JsonObject obj) return null;
        if (type == "ERROR")
        {
            var code = obj["code"] is JsonValue value && value.TryGetValue<int>(out var c) ? c : 0;
            if (code == 410) throw new EventHistoryExpiredException(obj["message"]?.GetValue<string>() ?? "410 Gone");
            throw KubernetesErrors.FromServerStatus(code == 0 ? 500 : code, KubernetesErrors.StatusOf(obj.ToJsonString()), Name, "events watch");
        }
        var rv = obj["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
        return new EventChange(type, type == "BOOKMARK" ? null : api.ToFleetEvent(Name, obj), rv);
    }
}
