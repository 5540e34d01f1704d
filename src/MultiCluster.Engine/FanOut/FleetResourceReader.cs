using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>Reads objects of one kind across clusters, streaming each as its cluster answers.</summary>
public sealed class FleetResourceReader
{
    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;

    public FleetResourceReader(IClusterConnector connector) : this(connector, null) { }

    internal FleetResourceReader(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory)
    {
        _connector = connector;
        _apiFactory = apiFactory;
    }

    /// <summary>
    /// The objects matching <paramref name="query"/> on each cluster. A cluster that fails, or
    /// that lacks the named object (ResourceNotFound), yields one outcome carrying the error.
    /// </summary>
    public IAsyncEnumerable<FleetOutcome<FleetResource>> GetAsync(IReadOnlyList<FleetCluster> clusters, ResourceQuery query,
        FanOutOptions options, CancellationToken cancellationToken = default) =>
        FleetRunner.RunAsync<FleetOutcome<FleetResource>>(
            clusters,
            options with { Activity = $"Reading {query.Kind}" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(_connector.Connect(cluster), _apiFactory);
                var found = await FindAsync(resources, query, token).ConfigureAwait(false);
                if (found.Objects.Count == 0 && query.Name is not null)
                {
                    sink.Emit(FleetOutcome<FleetResource>.Failure(cluster.Name, NotFound(cluster.Name, query, found.Namespace)));
                    return;
                }
                foreach (var obj in found.Objects) sink.Emit(FleetOutcome<FleetResource>.Success(cluster.Name, ResourceFormatter.ToFleetResource(cluster.Name, obj)));
            },
            (cluster, error, _) => [FleetOutcome<FleetResource>.Failure(cluster.Name, error)],
            cancellationToken);

    /// <summary>The objects matching the query on one cluster, with the type and namespace used.</summary>
    internal static async Task<FoundObjects> FindAsync(ClusterResources resources, ResourceQuery query, CancellationToken cancellationToken)
    {
        var type = query.ApiVersion is null
            ? await resources.Discovery.FindAsync(query.Kind, cancellationToken).ConfigureAwait(false)
            : await resources.Discovery.ResolveAsync(query.ApiVersion, query.Kind, cancellationToken).ConfigureAwait(false);
        var ns = !type.Namespaced || query.AllNamespaces ? null : query.Namespace ?? resources.Connection.DefaultNamespace;

        if (query.Name is not null && !query.AllNamespaces && string.IsNullOrWhiteSpace(query.LabelSelector))
        {
            var single = await resources.Client.GetAsync(type, ns, query.Name, cancellationToken).ConfigureAwait(false);
            return new FoundObjects(type, ns, single is null ? [] : [single]);
        }

        var listed = await resources.Client.ListAsync(type, ns, query.LabelSelector, cancellationToken).ConfigureAwait(false);
        return new FoundObjects(type, ns, query.Name is null ? listed : listed.Where(o => o.Name == query.Name).ToList());
    }

    internal static FleetClusterException NotFound(string cluster, ResourceQuery query, string? ns) =>
        new(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster,
            $"Cluster '{cluster}' has no {query.Kind} {(ns is null ? query.Name : ns + "/" + query.Name)}.", null, null,
            $"{query.Kind} {(ns is null ? query.Name : ns + "/" + query.Name)}");
}

/// <summary>What a query found on one cluster.</summary>
internal sealed record FoundObjects(ResourceType Type, string? Namespace, IReadOnlyList<KubeObject> Objects);
