using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.FanOut;

/// <summary>
/// One (cluster, object) an operation will touch, with the text the cmdlet passes to
/// ShouldProcess (<c>Cluster prod-euc1: apply apps/v1 Deployment default/nginx</c>). The cmdlet
/// confirms targets one by one and hands only the confirmed ones back to the service.
/// </summary>
public sealed class FleetTarget
{
    internal FleetTarget(FleetCluster cluster, KubeObject obj, string verb, string? shownNamespace)
    {
        Cluster = cluster;
        Object = obj;
        Verb = verb;
        Namespace = shownNamespace;
        Description = $"Cluster {cluster.Name}: {verb} {obj.ApiVersion} {obj.Kind} {(shownNamespace is null ? obj.Name : shownNamespace + "/" + obj.Name)}";
    }

    public FleetCluster Cluster { get; }

    /// <summary>The object as given (apply) or as found (delete).</summary>
    public KubeObject Object { get; }

    /// <summary>"apply" or "delete".</summary>
    public string Verb { get; }

    /// <summary>The namespace the object goes to as far as known before contacting the cluster; null when cluster-scoped.</summary>
    public string? Namespace { get; }

    /// <summary>ShouldProcess text naming cluster and object.</summary>
    public string Description { get; }

    public override string ToString() => Description;
}
