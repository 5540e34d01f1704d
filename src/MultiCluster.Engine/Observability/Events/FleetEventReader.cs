using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;

namespace MultiCluster.Engine.Observability.Events;

/// <summary>What a fleet list of events found: the events newest first, and the clusters that failed.</summary>
public sealed record FleetEventListing(IReadOnlyList<FleetEvent> Events, IReadOnlyList<FleetException> Errors);

/// <summary>Reads the events of many clusters at once and puts them in one order, newest first.</summary>
public sealed class FleetEventReader(IClusterConnector connector)
{
    /// <summary>
    /// The events matching <paramref name="query"/> on every cluster (server-side field selectors,
    /// then the same filters again here, with -Since), newest first across the fleet. A cluster
    /// that fails gives one error and hides none of the others' events.
    /// </summary>
    public async Task<FleetEventListing> ListAsync(IReadOnlyList<FleetCluster> clusters, EventQuery query, FanOutOptions options,
        CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        var events = new List<FleetEvent>();
        var errors = new List<FleetException>();
        await foreach (var outcome in FleetRunner.RunAsync<FleetOutcome<FleetEvent>>(
                           clusters,
                           options with { Activity = "Reading events" },
                           async (cluster, sink, token) =>
                           {
                               var source = new ClusterEvents(connector.Connect(cluster));
                               var api = await source.ApiAsync(token).ConfigureAwait(false);
                               var list = await source.ListAsync(api, query, token).ConfigureAwait(false);
                               foreach (var e in list.Items.Where(e => query.Matches(e, now)))
                                   await sink.EmitAsync(FleetOutcome<FleetEvent>.Success(cluster.Name, e)).ConfigureAwait(false);
                           },
                           (cluster, error, _) => [FleetOutcome<FleetEvent>.Failure(cluster.Name, error)],
                           cancellationToken).ConfigureAwait(false))
        {
            if (outcome.Error is { } error) errors.Add(error);
            else events.Add(outcome.Value!);
        }
        return new FleetEventListing(NewestFirst(events), errors);
    }

    /// <summary>Newest last-seen first; ties in a stable order (cluster, namespace, event name).</summary>
    public static IReadOnlyList<FleetEvent> NewestFirst(IEnumerable<FleetEvent> events) =>
        events.OrderByDescending(e => e.LastSeen ?? e.FirstSeen ?? DateTimeOffset.MinValue)
            .ThenBy(e => e.Cluster, StringComparer.Ordinal)
            .ThenBy(e => e.Namespace, StringComparer.Ordinal)
            .ThenBy(e => e.EventName, StringComparer.Ordinal)
            .ToList();
}
