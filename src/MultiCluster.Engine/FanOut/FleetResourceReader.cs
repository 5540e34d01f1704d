using System.Runtime.CompilerServices;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>Reads objects of one kind across clusters, streaming each as its cluster answers.</summary>
public sealed class FleetResourceReader
{
    private readonly IClusterConnector _connector;
    private readonly Func<ClusterConnection, IKubeApi>? _apiFactory;
    private readonly int _listPageSize;

    public FleetResourceReader(IClusterConnector connector) : this(connector, null) { }

    internal FleetResourceReader(IClusterConnector connector, Func<ClusterConnection, IKubeApi>? apiFactory,
        int listPageSize = ResourceClient.DefaultListPageSize)
    {
        _connector = connector;
        _apiFactory = apiFactory;
        _listPageSize = listPageSize;
    }

    /// <summary>
    /// The objects matching <paramref name="query"/> on each cluster, streamed page by page: a
    /// cluster's first objects come out before its next page is asked for. A cluster that fails,
    /// or that lacks the named object (ResourceNotFound), yields one outcome carrying the error.
    /// </summary>
    public IAsyncEnumerable<FleetOutcome<FleetResource>> GetAsync(IReadOnlyList<FleetCluster> clusters, ResourceQuery query,
        FanOutOptions options, CancellationToken cancellationToken = default) =>
        FleetRunner.RunAsync<FleetOutcome<FleetResource>>(
            clusters,
            options with { Activity = $"Reading {query.Kind}" },
            async (cluster, sink, token) =>
            {
                var resources = ClusterResources.For(_connector.Connect(cluster), _apiFactory);
                var found = 0;
                FoundObjects? last = null;
                await foreach (var page in FindPagesAsync(resources, query, _listPageSize, token).ConfigureAwait(false))
                {
                    last = page;
                    found += page.Objects.Count;
                    foreach (var obj in page.Objects)
                        await sink.EmitAsync(FleetOutcome<FleetResource>.Success(cluster.Name, ResourceFormatter.ToFleetResource(cluster.Name, obj))).ConfigureAwait(false);
                }
                if (found == 0 && query.Name is not null)
                    await sink.EmitAsync(FleetOutcome<FleetResource>.Failure(cluster.Name, NotFound(cluster.Name, query, last?.Namespace))).ConfigureAwait(false);
            },
            (cluster, error, _) => [FleetOutcome<FleetResource>.Failure(cluster.Name, error)],
            cancellationToken);

    /// <summary>The objects matching the query on one cluster, with the type and namespace used.</summary>
    internal static async Task<FoundObjects> FindAsync(ClusterResources resources, ResourceQuery query, CancellationToken cancellationToken)
    {
        FoundObjects? found = null;
        var objects = new List<KubeObject>();
        await foreach (var page in FindPagesAsync(resources, query, ResourceClient.DefaultListPageSize, cancellationToken).ConfigureAwait(false))
        {
            found = page;
            objects.AddRange(page.Objects);
        }
        return found! with { Objects = objects };
    }

    /// <summary>
    /// The objects matching the query on one cluster, one page at a time (at least one page, maybe
    /// empty, so the type and namespace used are always known); the next page is read only when
    /// the caller asks for it.
    /// </summary>
    internal static async IAsyncEnumerable<FoundObjects> FindPagesAsync(ClusterResources resources, ResourceQuery query, int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var type = query.ApiVersion is null
            ? await resources.Discovery.FindAsync(query.Kind, cancellationToken).ConfigureAwait(false)
            : await resources.Discovery.ResolveNameAsync(query.ApiVersion, query.Kind, cancellationToken).ConfigureAwait(false);
        var ns = !type.Namespaced || query.AllNamespaces ? null : query.Namespace ?? resources.Connection.DefaultNamespace;

        if (query.Name is not null && !query.AllNamespaces && string.IsNullOrWhiteSpace(query.LabelSelector))
        {
            var single = await resources.Client.GetAsync(type, ns, query.Name, cancellationToken).ConfigureAwait(false);
            yield return new FoundObjects(type, ns, single is null ? [] : [single]);
            yield break;
        }

        // The list always answers with at least one page, maybe empty.
        await foreach (var page in resources.Client.ListPagesAsync(type, ns, query.LabelSelector, pageSize, cancellationToken).ConfigureAwait(false))
            yield return new FoundObjects(type, ns, query.Name is null ? page : page.Where(o => o.Name == query.Name).ToList());
    }

    internal static FleetClusterException NotFound(string cluster, ResourceQuery query, string? ns) =>
        new(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster,
            $"Cluster '{cluster}' has no {query.Kind} {(ns is null ? query.Name : ns + "/" + query.Name)}.", null, null,
            $"{query.Kind} {(ns is null ? query.Name : ns + "/" + query.Name)}");
}

/// <summary>What a query found on one cluster.</summary>
internal sealed record FoundObjects(ResourceType Type, string? Namespace, IReadOnlyList<KubeObject> Objects);
